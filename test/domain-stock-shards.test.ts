import { describe, expect, it } from "vitest";
import { drainSiblings, grantRefill, planShards, simulateShardedSale } from "../src/domain/stock-shards";

describe("hot-SKU shard allocation", () => {
  it("hands each shard at most a chunk and keeps the rest with the parent", () => {
    expect(planShards(100, 4, 10)).toEqual({ parent: 60, shards: [10, 10, 10, 10] });
    expect(planShards(15, 4, 10)).toEqual({ parent: 0, shards: [10, 5, 0, 0] });
  });

  it("never grants more than the parent holds", () => {
    expect(grantRefill(3, 10)).toEqual({ granted: 3, parent: 0 });
    expect(grantRefill(0, 10)).toEqual({ granted: 0, parent: 0 });
  });

  it("moves siblings' leftovers to a dry shard without creating units", () => {
    expect(drainSiblings([0, 2, 3], 0)).toEqual({ moved: 5, shards: [5, 0, 0] });
  });

  it("sells exactly the stock and never oversells, for any shard count and chunk", () => {
    for (const k of [1, 2, 3, 4, 8, 16]) {
      for (const chunk of [1, 5, 50]) {
        for (const [units, shoppers] of [
          [100, 1000],
          [1000, 300],
          [7, 7],
        ] as const) {
          const r = simulateShardedSale({ units, shoppers, k, chunk });
          expect(r.oversold, `k=${k} chunk=${chunk}`).toBe(0);
          expect(r.sold).toBe(Math.min(units, shoppers));
          expect(r.sold + r.refused).toBe(shoppers);
        }
      }
    }
  });

  it("answers a flash sale faster with more shards", () => {
    const one = simulateShardedSale({ units: 1000, shoppers: 10_000, k: 1, chunk: 1000 });
    const eight = simulateShardedSale({ units: 1000, shoppers: 10_000, k: 8, chunk: 32 });
    expect(eight.makespanMs).toBeLessThan(one.makespanMs / 4);
  });
});
