/**
 * The stock side of placing an order, asked before anything else is done for it: every line is reserved on its
 * SKU's ProductStock under the new order's id, all or nothing. A shopper the stock refuses is answered after
 * this one round of calls: no order object, no D1 write, no event (the refusal changes no ledger).
 */
import type { Line } from "../../domain/pricing";
import type { ReserveKey, ReserveResult } from "../../durable/product-stock";
import { stockStub } from "./stock";
import { reserveLine } from "./stock-shards";

export type StockRefusal = { line: Line; result: Exclude<ReserveResult, { ok: true } | { reason: "sharded" }> };
/**
 * `places`: the shard holding each line of a sharded SKU (absent for ordinary SKUs); the order keeps them.
 * `remembered`: the refusal was kept under the key by the stock (false when a shard answered).
 */
export type StockAnswer =
  | { ok: true; expiresAt: number; places: StockPlaces }
  | { ok: false; refused: StockRefusal[]; remembered: boolean };
/** SKU → the ProductStock name holding the order's line, for lines not held by the SKU's own object. */
export type StockPlaces = Record<string, string>;

/**
 * Reserves every line for `orderId` for `ttlMs`. When any line is refused (or a call fails), whatever was taken
 * is released before answering (or rethrowing). `key` goes only to a single-line order's stock, which then
 * remembers its refusal for the key; a multi-line refusal is recorded by the caller's idempotency store.
 */
export async function reserveLines(
  env: Env,
  orderId: string,
  lines: readonly Line[],
  ttlMs: number,
  key: ReserveKey | null,
): Promise<StockAnswer> {
  const results = await Promise.allSettled(
    lines.map((l) => reserveLine(env, l.sku, orderId, l.qty, ttlMs, key ?? undefined)),
  );
  const refused: StockRefusal[] = [];
  const places: StockPlaces = {};
  let remembered = true;
  let thrown: unknown = null;
  let expiresAt = Number.POSITIVE_INFINITY;
  results.forEach((r, i) => {
    const line = lines[i] as Line;
    if (r.status === "rejected") thrown ??= r.reason ?? new Error("stock call failed");
    else {
      if (r.value.place !== line.sku) places[line.sku] = r.value.place;
      if (!r.value.result.ok) {
        refused.push({ line, result: r.value.result });
        if (r.value.place !== line.sku) remembered = false;
      } else expiresAt = Math.min(expiresAt, r.value.result.expiresAt);
    }
  });
  if (thrown === null && refused.length === 0) return { ok: true, expiresAt, places };
  // Only lines that hold something (or whose call failed, and might) need giving back.
  const held = lines.filter((_, i) => {
    const r = results[i];
    return r?.status === "rejected" || r?.value.result.ok;
  });
  if (held.length > 0) await releaseLines(env, orderId, held, places);
  if (thrown !== null) throw thrown;
  return { ok: false, refused, remembered };
}

/**
 * Gives back whatever `orderId` holds of `lines` (nothing held answers `released: 0`), where `places` says, for
 * an order that was never created; the stock also forgets the idempotency key it was reserved with, so a retry
 * runs afresh.
 */
export async function releaseLines(
  env: Env,
  orderId: string,
  lines: readonly { sku: string }[],
  places: StockPlaces = {},
): Promise<void> {
  await Promise.all(
    lines.map((l) => {
      const name = places[l.sku] ?? l.sku;
      return stockStub(env, name).abandon(name, orderId);
    }),
  );
}

/** Frees an idempotency key that took stock for an order request which died before D1 recorded it. */
export async function forgetKey(env: Env, sku: string, keyId: string, orderId: string): Promise<void> {
  await stockStub(env, sku).forgetKey(keyId, orderId);
}
