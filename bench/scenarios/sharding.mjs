// Scenario 1b: a hot SKU split across K shards.
// - shardingReal: the REAL ProductStock shards under `wrangler dev` (bench/hot-sku), each object imitating
//   production's one-request-at-a-time limit (STOCK_ARTIFICIAL_COST_MS), shoppers reserving exactly as the
//   checkout does (src/services/stock/stock-shards.ts). Throughput should grow with K, oversold stay 0.
// - shardingSimulation: the model (src/domain/stock-shards.ts) at production's 1 ms per request, K = 1..16.
import { simulateShardedSale } from "../../src/domain/stock-shards.ts";
import { fmt, percentile, progress } from "../lib.mjs";

export async function shardingReal({ base, ks, units, shoppers, costMs }) {
  const rows = [];
  for (const k of ks) {
    const sku = `HOT-K${k}`;
    const set = await fetch(`${base}/shards?sku=${sku}&count=${k}`, { method: "POST" }).then((r) => r.json());
    if (!set.ok) throw new Error(`could not shard ${sku}: ${JSON.stringify(set)}`);
    // The sale's first shopper: the isolate learns the SKU is sharded (every isolate's first order of a hot SKU
    // asks its parent once); the burst below then goes straight to the shards.
    const first = await fetch(`${base}/reserve?sku=${sku}&order=hot-${k}-first`, { method: "POST" }).then((r) =>
      r.json(),
    );
    const start = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: shoppers }, async (_, i) => {
        const res = await fetch(`${base}/reserve?sku=${sku}&order=hot-${k}-${i}`, { method: "POST" });
        const body = res.status === 200 ? await res.json() : { ok: false, error: res.status };
        return { ...body, at: performance.now() - start };
      }),
    );
    const winners = outcomes.filter((o) => o.ok);
    if (first.ok) winners.push({ ...first, at: 0 });
    const errors = outcomes.filter((o) => o.error).length;
    const soldOutMs = Math.max(...winners.map((o) => o.at));
    // The published level, once the shards' reports are in (they are sent at most every 100 ms).
    await new Promise((r) => setTimeout(r, 1500));
    const level = await fetch(`${base}/level?sku=${sku}`).then((r) => r.json());
    const oversold = Math.max(0, winners.length - units, level.reserved - units, -level.available);
    const places = new Set(winners.map((o) => o.place)).size;
    rows.push({
      "K shards": k,
      "cost ms/request": costMs,
      reserved: winners.length,
      refused: shoppers + 1 - winners.length - errors,
      errors,
      OVERSOLD: oversold,
      "objects that sold": places,
      "published reserved / available": `${level.reserved} / ${level.available}`,
      "sold out after ms": fmt(soldOutMs, 0),
      "reservations/s": fmt((winners.length / soldOutMs) * 1000, 1),
      "p99 answer ms": fmt(
        percentile(
          outcomes.map((o) => o.at),
          99,
        ),
        0,
      ),
    });
    progress(`  sharding: K=${k}: ${winners.length} reserved in ${fmt(soldOutMs, 0)} ms, oversold ${oversold}`);
  }
  return { rows };
}

export function shardingSimulation({ shoppers, units }) {
  const rows = [1, 2, 4, 8, 16].map((k) => {
    const r = simulateShardedSale({ units, shoppers, k, chunk: Math.max(1, Math.ceil(units / (k * 4))) });
    return {
      "K shards": k,
      sold: r.sold,
      refused: r.refused,
      oversold: r.oversold,
      refills: r.refills,
      "answered in ms": fmt(r.makespanMs, 0),
      "reservations/s": fmt(r.throughput, 0),
    };
  });
  return { rows };
}
