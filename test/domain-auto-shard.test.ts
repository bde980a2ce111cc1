import { describe, expect, it } from "vitest";
import { LoadMeter, parseAutoShard } from "../src/domain/auto-shard";

const T0 = 1_800_000_000_000;

/** Counts `n` reservations spread over the second that starts `s` seconds after T0; the last answer. */
function burst(meter: LoadMeter, s: number, n: number): boolean {
  let sustained = false;
  for (let i = 0; i < n; i++) sustained = meter.count(T0 + s * 1000 + Math.floor((i * 1000) / n));
  return sustained;
}

describe("automatic sharding's policy", () => {
  it("reads STOCK_AUTO_SHARD as per-second/seconds/K and is off when unset or malformed", () => {
    expect(parseAutoShard("800/10/4", 16)).toEqual({ perSecond: 800, seconds: 10, shards: 4 });
    expect(parseAutoShard(" 5/1/2 ", 16)).toEqual({ perSecond: 5, seconds: 1, shards: 2 });
    for (const off of [undefined, "", "800/10", "0/10/4", "800/0/4", "800/10/1", "800/10/17", "800/301/4", "a/b/c"]) {
      expect(parseAutoShard(off, 16), String(off)).toBeNull();
    }
  });
});

describe("the load meter", () => {
  it("answers sustained once every second of the window reached the rate, the current one included", () => {
    const meter = new LoadMeter({ perSecond: 10, seconds: 3, shards: 4 });
    expect(burst(meter, 0, 10)).toBe(false);
    expect(burst(meter, 1, 10)).toBe(false);
    expect(burst(meter, 2, 9)).toBe(false);
    // The tenth reservation of the third busy second.
    expect(meter.count(T0 + 2999)).toBe(true);
  });

  it("starts again after a quiet second or a pause", () => {
    const meter = new LoadMeter({ perSecond: 10, seconds: 2, shards: 4 });
    burst(meter, 0, 10);
    expect(burst(meter, 1, 9)).toBe(false);
    expect(burst(meter, 2, 10)).toBe(false);
    expect(burst(meter, 3, 10)).toBe(true);
    // A minute without reservations: the window is empty again.
    expect(burst(meter, 63, 10)).toBe(false);
    expect(burst(meter, 64, 10)).toBe(true);
  });
});
