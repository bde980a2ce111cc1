// `npm run bench:profile -- [checkouts]`: a V8 CPU profile of the shop's Worker isolate (the Worker, every
// Durable Object and every queue consumer run in it) while it serves whole checkouts (create → pay →
// confirmed), order creations alone (ten shoppers at a time) and refusals. Prints the self time grouped by source
// file, then the functions with the most self time. A runtime call (a storage `put`, D1's `exec`, a queue's
// `sendBatch`) is charged to the source file that made it, so "runtime put ← src/durable/order-flow/store.ts"
// is the order object's storage writes.
// Only JavaScript and what it calls synchronously: D1's SQLite and the runtime's own I/O show up as CPU in the
// bench's /proc figures only. The profiler slows the isolate several times (a refusal took about 12 ms of CPU
// under it on 2026-11-28, against 2.4 ms without), and small functions the most: read the shares of the larger
// entries, not the times.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
// `ws` (installed with wrangler) because the dev inspector only accepts a socket that names DevTools' origin.
import WebSocket from "ws";
import { ROOT, wranglerSpawn, wranglerSync } from "../scripts/wrangler.mjs";
import { DEV_ONLY_OFF, emailSink, freePort, sleep, stateRoot, workerdCpuMs } from "./lib.mjs";
import { createOrder, followUntilSettled, pay } from "./scenarios/shop-client.mjs";

const n = Number(process.argv[2] ?? 30);
const state = mkdtempSync(path.join(stateRoot(), "bench-profile-"));
wranglerSync(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { quiet: true });
spawnSync(process.execPath, [path.join(ROOT, "scripts/seed.mjs"), "--persist-to", state], { stdio: "ignore" });
const now = Date.now();
const insert = (sku, stock) =>
  `INSERT INTO products (sku, name, description, material, colour, price_cents, currency, image_url, active, low_stock_threshold, stock_on_hand, stock_reserved, stock_available, created_at, updated_at) VALUES ('${sku}', '${sku}', 'benchmark', 'glass', 'blue', 2500, 'EUR', '/images/BR-001.svg', 1, 0, ${stock}, 0, ${stock}, ${now}, ${now});`;
wranglerSync(
  [
    "d1",
    "execute",
    "DB",
    "--local",
    "--persist-to",
    state,
    `--command=${insert("P-DEEP", 1e6)} ${insert("P-EMPTY", 0)}`,
  ],
  { quiet: true },
);
const port = await freePort();
const inspector = await freePort();
// The shop's e-mail goes to a sink, not to wrangler dev's simulation of the binding (bench/lib.mjs).
const mail = await emailSink();
const child = wranglerSpawn(
  [
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspector),
    "--persist-to",
    state,
    "--show-interactive-dev-session=false",
    ...Object.entries(mail.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ],
  { stdio: ["ignore", "ignore", "inherit"], env: DEV_ONLY_OFF },
);
const base = `http://127.0.0.1:${port}`;
for (;;) {
  try {
    const r = await fetch(`${base}/api/products`);
    await r.arrayBuffer();
    if (r.status < 500) break;
  } catch {}
  await sleep(300);
}

const checkout = async (i) => {
  const created = await createOrder(base, { sku: "P-DEEP", email: `prof-${i}@bench.example` });
  if (created.status !== 201) return created.status;
  const settled = followUntilSettled(base, created.body);
  await pay(base, created.body);
  return settled;
};
await checkout("warm");
await createOrder(base, { sku: "P-EMPTY", email: "warm@bench.example" });

/**
 * Which source file each line of the bundle `wrangler dev` runs comes from: esbuild heads each module with a
 * `// src/…` comment. The bundle lives under .wrangler/tmp while dev runs, so it is read now.
 */
const moduleOfLine = (() => {
  const tmp = path.join(ROOT, ".wrangler/tmp");
  const newest = readdirSync(tmp)
    .filter((d) => d.startsWith("dev-"))
    .map((d) => path.join(tmp, d, "worker.js"))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  const starts = [];
  for (const [i, line] of readFileSync(newest, "utf8").split("\n").entries()) {
    const m = /^\/\/ (\S+\.[cm]?[jt]sx?)$/.exec(line);
    if (m) starts.push([i, m[1]]);
  }
  return (line) => {
    let found = "(wrangler's dev wrapper)";
    for (let lo = 0, hi = starts.length - 1; lo <= hi; ) {
      const mid = (lo + hi) >> 1;
      if (starts[mid][0] <= line) {
        found = starts[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
})();

const targets = await (await fetch(`http://127.0.0.1:${inspector}/json`)).json();
const ws = new WebSocket(targets[0].webSocketDebuggerUrl, {
  headers: { origin: "https://devtools.devprod.cloudflare.dev" },
});
await new Promise((r) => ws.once("open", r));
let seq = 0;
const pending = new Map();
ws.on("message", (data) => {
  const msg = JSON.parse(String(data));
  if (msg.id && pending.has(msg.id)) {
    pending.get(msg.id)(msg.result);
    pending.delete(msg.id);
  }
});
const send = (method, params = {}) =>
  new Promise((resolve) => {
    const id = ++seq;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 200 });

async function profiled(label, work) {
  const cpu0 = workerdCpuMs(child.pid);
  await send("Profiler.start");
  await work();
  await sleep(1500); // trailing consumers
  const { profile } = await send("Profiler.stop");
  const cpu = workerdCpuMs(child.pid) - cpu0;
  writeFileSync(path.join(os.tmpdir(), `shop-${label}.cpuprofile`), JSON.stringify(profile));
  const self = new Map();
  const byFile = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  /** The source file of a frame of the bundle; a runtime call's is its nearest caller's in the bundle. */
  const fileOf = (id) => {
    for (let at = id; at !== undefined; at = parentOf.get(at)) {
      const { url, lineNumber } = byId.get(at).callFrame;
      if (url.endsWith("worker.js")) return moduleOfLine(lineNumber);
      if (url.startsWith("cloudflare-internal")) return url;
    }
    return "(no caller in the bundle)";
  };
  const dt = new Map();
  for (const [i, id] of profile.samples.entries()) dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  let total = 0;
  for (const [id, us] of dt) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    if (functionName === "(idle)" || functionName === "(program)") continue;
    total += us;
    const key = `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + us);
    const file = url === "" ? `runtime ${functionName} ← ${fileOf(id)}` : fileOf(id);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  console.log(
    `\n${label}: workerd CPU ${cpu.toFixed(0)} ms (/proc); JS self time sampled in the shop isolate (wall clock while in JS; read the shares) ${(total / 1000).toFixed(0)} ms`,
  );
  const print = (map, n) => {
    for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
    }
  };
  console.log("  by source file:");
  print(byFile, 30);
  console.log("  by function:");
  print(self, 25);
}

try {
  await profiled("checkouts", async () => {
    for (let i = 0; i < n; i++) await checkout(i);
  });
  await profiled("creations", async () => {
    const shopper = async (s) => {
      for (let i = 0; i < n; i++) await createOrder(base, { sku: "P-DEEP", email: `c${s}-${i}@bench.example` });
    };
    await Promise.all(Array.from({ length: 10 }, (_, s) => shopper(s)));
  });
  await profiled("refusals", async () => {
    for (let i = 0; i < n * 5; i++) await createOrder(base, { sku: "P-EMPTY", email: `r${i}@bench.example` });
  });
} finally {
  ws.close();
  child.kill("SIGTERM");
  await sleep(500);
  await mail.close();
  rmSync(state, { recursive: true, force: true });
}
