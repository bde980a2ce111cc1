// `npm run bench`: starts the shop and the baseline Worker with `wrangler dev` on loopback (fresh local state,
// migrated and seeded), runs each scenario against both in the same run, prints one table per scenario and
// writes bench/results/latest.{json,md,svg}.  Options: --quick (smaller N, shorter loops), --only <name>[,<name>…]
// (flash, sharding, catalog, checkout, fanout, overview), --hot-cost-ms N (sharding: each stock request's cost).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_SEED_PASSWORD } from "../scripts/seed-data.mjs";
import { ROOT, wranglerSync } from "../scripts/wrangler.mjs";
import { emailSink, progress, renderTable, startDev, stateRoot } from "./lib.mjs";
import { catalog } from "./scenarios/catalog.mjs";
import { checkoutLatency } from "./scenarios/checkout-latency.mjs";
import { fanout } from "./scenarios/fanout.mjs";
import { flashSale } from "./scenarios/flash-sale.mjs";
import { overview, overviewSeedSql } from "./scenarios/overview.mjs";
import { shardingReal, shardingSimulation } from "./scenarios/sharding.mjs";
import { signIn } from "./scenarios/shop-client.mjs";
import { units } from "./scenarios/units.mjs";
import { renderSvg } from "./svg.mjs";

const quick = process.argv.includes("--quick");
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : null;
// --only flash,checkout runs several.
const want = (name) => !only || only.split(",").includes(name);
const here = fileURLToPath(new URL(".", import.meta.url));

const settings = quick
  ? { shoppers: 200, units: 20, durationMs: 3_000, fanout: [100, 500], runs: 5, overviewOrders: 100_000 }
  : { shoppers: 1000, units: 100, durationMs: 10_000, fanout: [100, 1000, 5000], runs: 20, overviewOrders: 100_000 };

progress(`bench: ${quick ? "quick" : "full"} run${only ? `, only ${only}` : ""}; building and starting the Workers`);
const vite = path.join(ROOT, "node_modules/.bin/vite");
if (spawnSync(vite, ["build", "--logLevel", "warn"], { cwd: ROOT, stdio: "inherit" }).status !== 0) process.exit(1);

// Fresh state for both Workers; the shop is migrated, seeded, and given the flash-sale SKUs.
const shopState = mkdtempSync(path.join(stateRoot(), "bench-shop-"));
const baseState = mkdtempSync(path.join(stateRoot(), "bench-base-"));
wranglerSync(["d1", "migrations", "apply", "DB", "--local", "--persist-to", shopState], { quiet: true });
spawnSync(process.execPath, [path.join(ROOT, "scripts/seed.mjs"), "--persist-to", shopState], { stdio: "inherit" });
const now = Date.now();
const flashSku = "FLASH-SALE";
const bigSku = "BENCH-DEEP";
const emptySku = "BENCH-EMPTY";
const insert = (sku, stock) =>
  `INSERT INTO products (sku, name, description, material, colour, price_cents, currency, image_url, active, low_stock_threshold, stock_on_hand, stock_reserved, stock_available, created_at, updated_at) VALUES ('${sku}', '${sku}', 'benchmark', 'glass', 'blue', 2500, 'EUR', '/images/BR-001.svg', 1, 0, ${stock}, 0, ${stock}, ${now}, ${now}) ON CONFLICT(sku) DO NOTHING;`;
wranglerSync(
  [
    "d1",
    "execute",
    "DB",
    "--local",
    "--persist-to",
    shopState,
    `--command=${insert(flashSku, settings.units)} ${insert(bigSku, 1_000_000)} ${insert(emptySku, 0)}`,
  ],
  { quiet: true },
);

if (want("overview")) {
  // 100,000 orders and their rollup, written straight into D1 (checkout through HTTP would take hours here).
  const sqlFile = path.join(shopState, "overview-seed.sql");
  writeFileSync(sqlFile, overviewSeedSql(settings.overviewOrders));
  wranglerSync(["d1", "execute", "DB", "--local", "--persist-to", shopState, `--file=${sqlFile}`], { quiet: true });
}

// The shop's e-mail goes to a sink here, not to wrangler dev's simulation of the binding (bench/lib.mjs).
const mail = await emailSink();
const shop = await startDev({ persist: shopState, readyPath: "/api/products", label: "shop", vars: mail.vars });
const baseline = await startDev({
  config: path.join(here, "baseline/wrangler.toml"),
  persist: baseState,
  readyPath: "/static",
  label: "baseline",
});

/**
 * The hot-SKU bench Worker (bench/hot-sku): the real ProductStock and checkout routing, its own fresh D1 with
 * the shop's migrations and one product per K. Its wrangler.toml sets the per-request cost (costMs below).
 */
// --hot-cost-ms N: a busy machine answers fewer Durable Object calls, so each object must be slower still for
// the objects, not the machine, to be the limit up to K = 8 (default 20 ms: a quiet 2-core machine).
const hotCostAt = process.argv.indexOf("--hot-cost-ms");
const hotCost = hotCostAt > 0 ? Number(process.argv[hotCostAt + 1]) : 20;
// About 15 s of selling for one object (a third of that with --quick), 20% more shoppers than units.
const hotUnits = Math.max(20, Math.round((quick ? 5_000 : 15_000) / hotCost));
const HOT = { units: hotUnits, shoppers: Math.round(hotUnits * 1.2), costMs: hotCost };
async function startHotSku() {
  const config = path.join(here, "hot-sku/wrangler.toml");
  const state = mkdtempSync(path.join(stateRoot(), "bench-hot-"));
  const d1 = (args) =>
    wranglerSync(["d1", ...args, "--local", "--persist-to", state, "--config", config], { quiet: true });
  d1(["migrations", "apply", "DB"]);
  d1(["execute", "DB", `--command=${[1, 2, 4, 8].map((k) => insert(`HOT-K${k}`, HOT.units)).join(" ")}`]);
  const dev = await startDev({
    config,
    persist: state,
    readyPath: "/level?sku=HOT-K1",
    label: "hot-sku",
    vars: { STOCK_ARTIFICIAL_COST_MS: String(HOT.costMs) },
  });
  return {
    base: dev.base,
    stop: async () => {
      await dev.stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

const results = [];
const report = (name, title, columns, out) => {
  const table = renderTable(title, columns, out.rows);
  console.log(table.text);
  results.push({ name, title, rows: out.rows, raw: out.raw, md: table.md });
};
/** Runs one scenario between a start and an end line. */
const scenario = async (name, run) => {
  if (!want(name)) return;
  const t0 = performance.now();
  progress(`${name}: start`);
  await run();
  progress(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
};
progress("shop and baseline are up");

try {
  await scenario("units", async () => {
    const out = await units({ baseline, durationMs: Math.min(settings.durationMs, 5_000) });
    report(
      "units",
      "0. What each platform step costs here (baseline Worker, 50 connections)",
      Object.keys(out.rows[0]),
      out,
    );
  });
  await scenario("flash", async () => {
    const out = await flashSale({ shop, baseline, ...settings, sku: flashSku, bigSku, emptySku });
    report(
      "flash",
      `1. Flash sale: ${settings.shoppers} shoppers, ${settings.units} units`,
      ["metric", "shop", "baseline", "ratio"],
      out,
    );
  });
  await scenario("sharding", async () => {
    const hot = await startHotSku();
    try {
      const real = await shardingReal({ base: hot.base, ks: [1, 2, 4, 8], ...HOT });
      report(
        "sharding",
        `1b. Hot SKU on K real shards: ${HOT.shoppers} shoppers at once, ${HOT.units} units, ${HOT.costMs} ms per stock request`,
        Object.keys(real.rows[0]),
        real,
      );
    } finally {
      await hot.stop();
    }
    const out = shardingSimulation({ shoppers: 10_000, units: 1_000 });
    report(
      "sharding-model",
      "1c. Hot-SKU sharding model at production speed (1 ms per request)",
      Object.keys(out.rows[0]),
      out,
    );
  });
  await scenario("catalog", async () => {
    const out = await catalog({ shop, baseline, durationMs: settings.durationMs });
    report("catalog", "2. Catalog at 50 connections", Object.keys(out.rows[0]), out);
  });
  await scenario("checkout", async () => {
    const out = await checkoutLatency({ shop, baseline, sku: bigSku, runs: settings.runs });
    report("checkout", `4. Single shopper: ${settings.runs} sequential checkouts`, ["metric", "shop", "baseline"], out);
  });
  await scenario("fanout", async () => {
    const adminCookie = await signIn(
      shop.base,
      "admin@example.com",
      process.env.SEED_PASSWORD || DEFAULT_SEED_PASSWORD,
    );
    const out = await fanout({ shop, baseline, sizes: settings.fanout, sku: "BR-002", adminCookie });
    report("fanout", "3. Live fan-out: stock change → every viewer", Object.keys(out.rows[0]), out);
  });
  await scenario("overview", async () => {
    const cookie = await signIn(shop.base, "staff@example.com", process.env.SEED_PASSWORD || DEFAULT_SEED_PASSWORD);
    const out = await overview({
      shop,
      baseline,
      cookie,
      orders: settings.overviewOrders,
      durationMs: settings.durationMs,
    });
    report(
      "overview",
      `5. Console overview at ${settings.overviewOrders.toLocaleString("en")} orders`,
      Object.keys(out.rows[0]),
      out,
    );
  });
} catch (err) {
  console.error(`\nbench failed: ${err?.stack ?? err}`);
  console.error(`\n--- shop log (tail) ---\n${shop.log().slice(-3000)}`);
  console.error(`\n--- baseline log (tail) ---\n${baseline.log().slice(-1500)}`);
  process.exitCode = 1;
} finally {
  await shop.stop();
  await baseline.stop();
  await mail.close();
  rmSync(shopState, { recursive: true, force: true });
  rmSync(baseState, { recursive: true, force: true });
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
const stamp = new Date().toISOString();
mkdirSync(path.join(here, "results"), { recursive: true });
writeFileSync(
  path.join(here, "results/latest.json"),
  `${JSON.stringify({ at: stamp, machine, quick, settings, results: results.map(({ md, raw, ...r }) => r) }, null, 2)}\n`,
);
writeFileSync(
  path.join(here, "results/latest.md"),
  `# Benchmark results\n\n${stamp}${quick ? " (quick)" : ""}, ${machine}\n\n${results.map((r) => r.md).join("\n")}`,
);
writeFileSync(path.join(here, "results/latest.svg"), renderSvg({ stamp, machine, quick, results }));
console.log(`\nwritten: bench/results/latest.json, bench/results/latest.md, bench/results/latest.svg\n${machine}`);
