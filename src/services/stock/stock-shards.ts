/**
 * Where a checkout reserves a line (docs/sharding.md). An ordinary SKU: its own ProductStock, one call, as
 * before. A hot SKU (staff split it across K shards): the SKU's object answers `sharded` with K, this isolate
 * remembers K for a moment, and the line is reserved on the shard the order id hashes to; a shard with nothing
 * left (even after asking the parent for a batch) sends the shopper on to the next shard, so a shopper is
 * refused only when every shard is out. The answer names the object that holds the reservation (`place`): the
 * order keeps it, so commit and release reach that shard.
 */
import { pickShard, shardName, shardOrder } from "../../domain/stock-shards";
import type { ReserveKey, ReserveResult } from "../../durable/product-stock";
import { stockStub } from "./stock";

/**
 * How long an isolate trusts a SKU's shard count before one order asks the SKU's object again; the others go
 * on with the count they know meanwhile (a retired shard sends them on), so the parent never sees a stampede.
 */
const SHARD_COUNT_TTL_MS = 2_000;
const known = new Map<string, { k: number; until: number }>();

export type PlacedReservation = {
  /** Never `sharded`: a routed line answers from a shard. */
  result: Exclude<ReserveResult, { reason: "sharded" }>;
  /** The ProductStock name that holds it: the SKU itself, or one of its shards. */
  place: string;
};

/** Reserves `qty` of `sku` for `orderId`. `key` reaches only an unsharded SKU's object (shards keep no refusals). */
export async function reserveLine(
  env: Env,
  sku: string,
  orderId: string,
  qty: number,
  ttlMs: number,
  key?: ReserveKey,
): Promise<PlacedReservation> {
  const cached = known.get(sku);
  if (cached && cached.until > Date.now()) return reserveOnShards(env, sku, orderId, qty, ttlMs, cached.k, 0);
  // Stale: this order asks the SKU's object; orders arriving meanwhile keep the count they know.
  if (cached) cached.until = Date.now() + SHARD_COUNT_TTL_MS;
  const r = await stockStub(env, sku).reserveOrRedirect(sku, orderId, qty, ttlMs, key);
  if (r.ok || r.reason !== "sharded") {
    known.delete(sku);
    return { result: r, place: sku };
  }
  remember(sku, r.shards);
  return reserveOnShards(env, sku, orderId, qty, ttlMs, r.shards, 0);
}

function remember(sku: string, k: number): void {
  if (k > 1) known.set(sku, { k, until: Date.now() + SHARD_COUNT_TTL_MS });
  else known.delete(sku);
}

async function reserveOnShards(
  env: Env,
  sku: string,
  orderId: string,
  qty: number,
  ttlMs: number,
  k: number,
  hops: number,
): Promise<PlacedReservation> {
  let last: PlacedReservation | null = null;
  // Twice round the ring: a shard passed over while it waited for a batch may hold units by the second pass.
  const ring = shardOrder(pickShard(orderId, k), k);
  for (const i of [...ring, ...ring]) {
    const name = shardName(sku, i);
    const r = await stockStub(env, name).reserve(name, orderId, qty, ttlMs);
    if (r.ok) return { result: r, place: name };
    if (r.reason === "sharded") {
      // The shard count changed since this isolate learnt it: start again with the new one (at most twice).
      remember(sku, r.shards);
      if (hops >= 2) break;
      if (r.shards <= 1) return reserveLine(env, sku, orderId, qty, ttlMs);
      return reserveOnShards(env, sku, orderId, qty, ttlMs, r.shards, hops + 1);
    }
    last = { result: r, place: name };
    // The parent saw less than this order needs anywhere: the other shards would refuse too.
    if (r.reason !== "insufficient" || r.level.available < qty) break;
  }
  if (last) return last;
  return {
    result: { ok: false, reason: "insufficient", level: { sku, onHand: 0, reserved: 0, available: 0 } },
    place: sku,
  };
}

/** Forgets every remembered shard count (tests that change K under one isolate). */
export function forgetShardCounts(): void {
  known.clear();
}
