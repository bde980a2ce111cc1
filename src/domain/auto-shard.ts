/**
 * Automatic sharding of a hot SKU under sustained load (docs/sharding.md, "Automatic sharding"). The SKU's own
 * object counts the reservations it serves per second; when every second of the last `seconds` saw at least
 * `perSecond`, it splits itself across `shards` objects, as staff would. It never un-shards: a sale that slows
 * down keeps its shards until staff put the SKU back. Pure: the clock is an argument.
 */

export type AutoShardPolicy = { perSecond: number; seconds: number; shards: number };

/** The longest window a policy may ask for: the meter keeps one counter per second of it. */
export const MAX_AUTO_SHARD_SECONDS = 300;

/**
 * `STOCK_AUTO_SHARD` as `<reservations per second>/<seconds>/<shard count>`, e.g. `800/10/4`. Unset, empty or
 * malformed is off (null): automatic sharding is something a deployment turns on.
 */
export function parseAutoShard(value: string | undefined, maxShards: number): AutoShardPolicy | null {
  const m = /^\s*([1-9][0-9]{0,6})\/([1-9][0-9]{0,2})\/([1-9][0-9]?)\s*$/.exec(value ?? "");
  if (!m) return null;
  const [perSecond, seconds, shards] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (seconds > MAX_AUTO_SHARD_SECONDS || shards < 2 || shards > maxShards) return null;
  return { perSecond, seconds, shards };
}

/**
 * Reservations per whole second over the policy's window. `count` is called once per reservation and answers
 * true when the load has been sustained: each of the last `seconds` seconds, the current one included, reached
 * `perSecond` (the current second counts as soon as it does). A quiet second starts the wait again.
 */
export class LoadMeter {
  /** The second (ms / 1000, floored) of `counts[0]`; counts[i] is second `second - i`. */
  #second = Number.NEGATIVE_INFINITY;
  readonly #counts: number[];

  constructor(readonly policy: AutoShardPolicy) {
    this.#counts = new Array<number>(policy.seconds).fill(0);
  }

  count(nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.#second) {
      // Shift the window by the seconds that passed (all of it after a long pause).
      const gap = Math.min(this.#counts.length, Math.max(0, second - this.#second));
      for (let i = 0; i < gap; i++) {
        this.#counts.pop();
        this.#counts.unshift(0);
      }
      this.#second = Math.max(second, this.#second);
    }
    this.#counts[0] = (this.#counts[0] ?? 0) + 1;
    return this.#counts.every((n) => n >= this.policy.perSecond);
  }
}
