import { describe, expect, it } from "vitest";
import {
  aggregateLevels,
  drainSiblings,
  grantRefill,
  isShardCount,
  parseShardName,
  pickShard,
  planShards,
  refillSize,
  shardContribution,
  shardName,
  shardOrder,
  simulateShardedSale,
} from "../src/domain/stock-shards";

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

describe("hot-SKU shard rules", () => {
  it("names shards after their SKU and reads the name back, refusing anything else", () => {
    expect(shardName("BR-001", 3)).toBe("BR-001#shard-3");
    expect(parseShardName("BR-001#shard-3")).toEqual({ parent: "BR-001", index: 3 });
    expect(parseShardName("BR-001")).toBeNull();
    expect(parseShardName("BR-001#shard-16")).toBeNull();
    expect(parseShardName("BR-001#shard-03")).toBeNull();
    expect(parseShardName("#shard-1")).toBeNull();
  });

  it("accepts shard counts from 1 to 16 only", () => {
    expect([1, 2, 16].every(isShardCount)).toBe(true);
    expect([0, 17, 2.5, "4", null].some(isShardCount)).toBe(false);
  });

  it("spreads order ids evenly over the shards and always picks the same shard for one id", () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[pickShard(`ord_${i}`, 4)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    expect(pickShard("ord_x", 8)).toBe(pickShard("ord_x", 8));
    expect(shardOrder(2, 4)).toEqual([2, 3, 0, 1]);
  });

  it("grants batches that shrink with the parent's stock, at least what was asked, never more than it has", () => {
    expect(refillSize(1000, 4, 1)).toBe(250);
    expect(refillSize(10, 4, 1)).toBe(3);
    expect(refillSize(10, 4, 5)).toBe(5);
    expect(refillSize(3, 4, 5)).toBe(3);
    expect(refillSize(0, 4, 1)).toBe(0);
  });

  it("publishes the parent's levels plus each shard's report and the units in flight to or from it", () => {
    const report = { onHand: 8, reserved: 3, available: 5, received: 10, returned: 0 };
    // Granted 4 more since the report; the shard gave 2 back that the parent has not received.
    const account = { granted: 14, returned: 0, report: { ...report, returned: 2, onHand: 6, available: 3 } };
    expect(shardContribution(account)).toEqual({ onHand: 12, reserved: 3, available: 9 });
    // A give-back the parent received before the shard's next report: the report's units are counted once.
    expect(shardContribution({ granted: 10, returned: 2, report })).toEqual({ onHand: 6, reserved: 3, available: 3 });
    expect(
      aggregateLevels({ onHand: 5, reserved: 1, available: 4 }, [account, { granted: 0, returned: 0, report: null }]),
    ).toEqual({
      onHand: 17,
      reserved: 4,
      available: 13,
    });
  });
});
