// Scenario 1b: the hot-SKU sharding model (src/domain/stock-shards.ts) for K = 1..16 at production's
// one-request-per-ms object speed. Pure simulation: it answers "what would K shards buy us", with 0 oversold.
import { simulateShardedSale } from "../../src/domain/stock-shards.ts";
import { fmt } from "../lib.mjs";

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
