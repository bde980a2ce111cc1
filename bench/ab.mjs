// `npm run bench:ab -- <treeA> <treeB> [refusal|creation|checkout] [rounds]`: the CPU a request costs in two
// checkouts of the shop (two git worktrees, each built with `vite build`), both running at once under
// `wrangler dev`, measured in alternating closed loops so both see the same machine. This VM's speed drifts by
// a fifth within minutes (bench/README.md), which hides a change of a few percent between two separate runs;
// alternating rounds does not. Prints each round and the medians.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { wranglerSync } from "../scripts/wrangler.mjs";
import { request } from "./http.mjs";
import { closedLoop, emailSink, measureCpu, median, progress, startDev, stateRoot } from "./lib.mjs";
import { ADDRESS, createOrder, followUntilSettled, pay } from "./scenarios/shop-client.mjs";

const [treeA, treeB, kind = "refusal", roundsArg = "6"] = process.argv.slice(2);
const KINDS = ["refusal", "creation", "checkout"];
if (!treeA || !treeB || !KINDS.includes(kind)) {
  console.error(`usage: npm run bench:ab -- <treeA> <treeB> [${KINDS.join("|")}] [rounds]`);
  process.exit(2);
}
const rounds = Number(roundsArg);

const insert = (sku, stock, now) =>
  `INSERT INTO products (sku, name, description, material, colour, price_cents, currency, image_url, active, low_stock_threshold, stock_on_hand, stock_reserved, stock_available, created_at, updated_at) VALUES ('${sku}', '${sku}', 'benchmark', 'glass', 'blue', 2500, 'EUR', '/images/BR-001.svg', 1, 0, ${stock}, 0, ${stock}, ${now}, ${now});`;

/** Starts one tree's shop on fresh state: its own migrations and seed, a deep SKU and an empty one. */
async function up(tree) {
  const root = path.resolve(tree);
  if (!existsSync(path.join(root, "dist"))) throw new Error(`${root}: run vite build there first`);
  const config = path.join(root, "wrangler.toml");
  const state = mkdtempSync(path.join(stateRoot(), "bench-ab-"));
  const d1 = (args) =>
    wranglerSync(["d1", ...args, "--local", "--persist-to", state, "--config", config], { quiet: true });
  d1(["migrations", "apply", "DB"]);
  spawnSync(process.execPath, [path.join(root, "scripts/seed.mjs"), "--persist-to", state], { stdio: "ignore" });
  d1(["execute", "DB", `--command=${insert("AB-DEEP", 10_000_000, Date.now())} ${insert("AB-EMPTY", 0, Date.now())}`]);
  const dev = await startDev({ config, persist: state, readyPath: "/api/products", label: root, vars: mail.vars });
  return { ...dev, root, state };
}

const orderBody = (sku) =>
  JSON.stringify({
    items: [{ sku, qty: 1 }],
    email: `ab-${crypto.randomUUID()}@bench.example`,
    shippingAddress: ADDRESS,
  });

/** One round of `kind` against `dev`: CPU ms of its workerd processes per request (per checkout for "checkout"). */
async function round(dev) {
  if (kind === "checkout") {
    let done = 0;
    const run = await measureCpu(
      dev.child.pid,
      async () => {
        const until = performance.now() + 6_000;
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            while (performance.now() < until) {
              const created = await createOrder(dev.base, {
                sku: "AB-DEEP",
                email: `ab-${crypto.randomUUID()}@bench.example`,
              });
              const settled = followUntilSettled(dev.base, created.body);
              await pay(dev.base, created.body);
              if ((await settled) === "confirmed") done++;
            }
          }),
        );
      },
      { settleMs: 5_000 },
    );
    return run.cpuMs / done;
  }
  const sku = kind === "refusal" ? "AB-EMPTY" : "AB-DEEP";
  const run = await measureCpu(
    dev.child.pid,
    () =>
      closedLoop({
        connections: 50,
        durationMs: 4_000,
        warmup: 0,
        request: () =>
          request(`${dev.base}/api/orders`, {
            method: "POST",
            headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
            body: orderBody(sku),
          }),
      }),
    { settleMs: 3_000 },
  );
  return run.cpuMs / Object.values(run.result.statuses).reduce((a, b) => a + b, 0);
}

// Both shops send their e-mail to one sink, not to wrangler dev's simulation of the binding (bench/lib.mjs).
const mail = await emailSink();
const a = await up(treeA);
const b = await up(treeB);
try {
  progress(`A = ${a.root}, B = ${b.root}; ${kind}, ${rounds} rounds each, alternating`);
  for (const dev of [a, b])
    await closedLoop({
      connections: 10,
      durationMs: 1_500,
      warmup: 10,
      request: () =>
        request(`${dev.base}/api/orders`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: orderBody("AB-EMPTY"),
        }),
    });
  const cpu = { A: [], B: [] };
  for (let r = 0; r < rounds; r++) {
    // A B, then B A: neither always goes first.
    for (const [name, dev] of r % 2 === 0
      ? [
          ["A", a],
          ["B", b],
        ]
      : [
          ["B", b],
          ["A", a],
        ]) {
      cpu[name].push(await round(dev));
    }
    progress(`round ${r + 1}: A ${cpu.A.at(-1).toFixed(2)} ms, B ${cpu.B.at(-1).toFixed(2)} ms`);
  }
  const ma = median(cpu.A);
  const mb = median(cpu.B);
  console.log(
    `\n${kind}: CPU ms per ${kind === "checkout" ? "confirmed checkout" : "request"}, median of ${rounds}: A ${ma.toFixed(2)}, B ${mb.toFixed(2)} (A is ${((100 * (ma - mb)) / mb).toFixed(1)}% against B)`,
  );
} finally {
  for (const dev of [a, b]) {
    await dev.stop();
    rmSync(dev.state, { recursive: true, force: true });
  }
  await mail.close();
}
