/**
 * Splitting a hot SKU across K ProductStock shards (docs/sharding.md). One Durable Object runs one request at
 * a time (~1,000/s in production), so a flash sale on one SKU is capped by one object. With shards, the parent
 * object keeps the unallocated units and hands shards chunks; a shopper's reservation goes to one shard; a
 * shard that runs dry asks the parent for a refill; when the parent is dry a shard may not sell what it does
 * not hold. Units only move parent → shard, each move is one transaction on the parent, so the sum of what
 * shards can sell never exceeds the stock: 0 oversold by construction.
 *
 * This file is the model: the allocation rules as pure functions, and a discrete-event simulation the
 * flash-sale bench runs to show throughput against K with 0 oversold. Self-contained (no imports) so the
 * Node bench can load it directly.
 */

export type ShardPlan = { parent: number; shards: number[] };

/** Opening allocation: each shard gets up to `chunk`, the rest stays with the parent. */
export function planShards(units: number, k: number, chunk: number): ShardPlan {
  const shards: number[] = [];
  let parent = units;
  for (let i = 0; i < k; i++) {
    const give = Math.min(chunk, parent);
    shards.push(give);
    parent -= give;
  }
  return { parent, shards };
}

/** A refill: the parent grants at most `chunk` of what it still holds. */
export function grantRefill(parent: number, chunk: number): { granted: number; parent: number } {
  const granted = Math.max(0, Math.min(chunk, parent));
  return { granted, parent: parent - granted };
}

/**
 * When the parent is dry, a shard that is also dry gathers what its siblings still hold instead of refusing
 * while units remain elsewhere ("stranded" units). Returns the units moved and the shards after the move.
 */
export function drainSiblings(shards: readonly number[], dry: number): { moved: number; shards: number[] } {
  const next = [...shards];
  let moved = 0;
  for (let i = 0; i < next.length; i++) {
    if (i === dry) continue;
    moved += next[i] ?? 0;
    next[i] = 0;
  }
  next[dry] = (next[dry] ?? 0) + moved;
  return { moved, shards: next };
}

export type SaleSimulation = {
  shards: number;
  sold: number;
  refused: number;
  oversold: number;
  refills: number;
  /** Time until every shopper has an answer (ms). */
  makespanMs: number;
  /** Reservations answered per second over the makespan. */
  throughput: number;
};

/**
 * Discrete-event simulation of `shoppers` arriving at once for `units` units spread over `k` shards. Every
 * object (parent and each shard) serves one request per `serviceMs`; a refill costs the shard a round trip
 * of `rpcMs` plus a parent service slot. k = 1 is the unsharded object.
 */
export function simulateShardedSale(opts: {
  units: number;
  shoppers: number;
  k: number;
  chunk: number;
  serviceMs?: number;
  rpcMs?: number;
}): SaleSimulation {
  const serviceMs = opts.serviceMs ?? 1;
  const rpcMs = opts.rpcMs ?? 1;
  const plan = opts.k === 1 ? { parent: 0, shards: [opts.units] } : planShards(opts.units, opts.k, opts.chunk);
  let parent = plan.parent;
  let shards = plan.shards;
  const busyUntil = shards.map(() => 0);
  let parentBusyUntil = 0;
  let sold = 0;
  let refused = 0;
  let refills = 0;
  let makespan = 0;
  for (let i = 0; i < opts.shoppers; i++) {
    const s = i % opts.k;
    let t = (busyUntil[s] ?? 0) + serviceMs;
    if ((shards[s] ?? 0) === 0 && parent > 0) {
      const start = Math.max(t + rpcMs / 2, parentBusyUntil);
      parentBusyUntil = start + serviceMs;
      const grant = grantRefill(parent, opts.chunk);
      parent = grant.parent;
      shards[s] = (shards[s] ?? 0) + grant.granted;
      refills++;
      t = parentBusyUntil + rpcMs / 2;
    }
    if ((shards[s] ?? 0) === 0 && parent === 0 && opts.k > 1) {
      const drained = drainSiblings(shards, s);
      shards = drained.shards;
      if (drained.moved > 0) t += rpcMs * (opts.k - 1);
    }
    if ((shards[s] ?? 0) > 0) {
      shards[s] = (shards[s] ?? 0) - 1;
      sold++;
    } else {
      refused++;
    }
    busyUntil[s] = t;
    makespan = Math.max(makespan, t);
  }
  const held = parent + shards.reduce((a, b) => a + b, 0);
  return {
    shards: opts.k,
    sold,
    refused,
    oversold: Math.max(0, sold - opts.units, sold + held - opts.units),
    refills,
    makespanMs: makespan,
    throughput: makespan > 0 ? (opts.shoppers / makespan) * 1000 : 0,
  };
}

// ---- The built sharding (src/durable/product-stock.ts, src/services/stock/stock-shards.ts) ------------------------

/** At most this many shards per SKU: enough for ~16,000 reservations a second, few enough to drain quickly. */
export const MAX_SHARDS = 16;

const SHARD_MARK = "#shard-";

/** The ProductStock name of shard `index` of `sku` (the parent is named by the SKU itself). */
export function shardName(sku: string, index: number): string {
  return `${sku}${SHARD_MARK}${index}`;
}

/** The parent SKU and index a shard's name stands for; null for an ordinary (parent) name. */
export function parseShardName(name: string): { parent: string; index: number } | null {
  const at = name.lastIndexOf(SHARD_MARK);
  if (at <= 0) return null;
  const digits = name.slice(at + SHARD_MARK.length);
  if (!/^(0|[1-9][0-9]?)$/.test(digits)) return null;
  const index = Number(digits);
  return index < MAX_SHARDS ? { parent: name.slice(0, at), index } : null;
}

/** A valid shard count: an integer from 1 (not sharded) to MAX_SHARDS. */
export function isShardCount(k: unknown): k is number {
  return typeof k === "number" && Number.isInteger(k) && k >= 1 && k <= MAX_SHARDS;
}

/**
 * The shard a shopper tries first: FNV-1a of `seed` (the order id) modulo `k`, so shoppers spread evenly and
 * the same seed always starts at the same shard.
 */
export function pickShard(seed: string, k: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % k;
}

/** Every shard once, starting at `first`: where a shopper goes when the shard before it had nothing left. */
export function shardOrder(first: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => (first + i) % k);
}

/**
 * How much the parent hands a shard that asked for `want` units: an even share of what the parent still has
 * (so few grants keep the parent free, and the last units go out in ever smaller batches), never less than
 * `want` when the parent has it, never more than it has.
 */
export function refillSize(parentAvailable: number, k: number, want: number): number {
  if (parentAvailable <= 0) return 0;
  const batch = Math.max(want, Math.ceil(parentAvailable / Math.max(1, k)));
  return Math.min(parentAvailable, batch);
}

/** What a shard last told its parent: its levels and the running totals of units received and given back. */
export type ShardReport = { onHand: number; reserved: number; available: number; received: number; returned: number };

/** The parent's running totals for one shard: units granted to it and units it gave back. */
export type ShardAccount = { granted: number; returned: number; report: ShardReport | null };

/**
 * One shard's part of the SKU's published levels: what it reported, plus units granted to it since that
 * report (not in its report yet) and units it gave back that the parent has not received yet (in neither),
 * minus units the parent received back that the report still counted as the shard's (a give-back that
 * overtook the shard's next report), so no unit is counted twice.
 */
export function shardContribution(account: ShardAccount): { onHand: number; reserved: number; available: number } {
  const r = account.report ?? { onHand: 0, reserved: 0, available: 0, received: 0, returned: 0 };
  const inFlight = Math.max(0, account.granted - r.received) + (r.returned - account.returned);
  return {
    onHand: Math.max(0, r.onHand + inFlight),
    reserved: r.reserved,
    available: Math.max(0, r.available + inFlight),
  };
}

/** The SKU's levels as shoppers see them: the parent's own plus every shard's contribution. */
export function aggregateLevels(
  parent: { onHand: number; reserved: number; available: number },
  accounts: readonly ShardAccount[],
): { onHand: number; reserved: number; available: number } {
  const sum = { ...parent };
  for (const a of accounts) {
    const c = shardContribution(a);
    sum.onHand += c.onHand;
    sum.reserved += c.reserved;
    sum.available += c.available;
  }
  return sum;
}
