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
