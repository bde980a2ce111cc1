/**
 * The stock side of placing an order, asked before anything else is done for it: every line is reserved on its
 * SKU's ProductStock under the new order's id, all or nothing. A shopper the stock refuses is answered after
 * this one round of calls: no order object, no D1 write, no event (the refusal changes no ledger).
 */
import type { Line } from "../domain/pricing";
import type { ReserveKey, ReserveResult } from "../durable/product-stock";
import { stockStub } from "./stock";

export type StockRefusal = { line: Line; result: Exclude<ReserveResult, { ok: true }> };
export type StockAnswer = { ok: true; expiresAt: number } | { ok: false; refused: StockRefusal[] };

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
    lines.map((l) => stockStub(env, l.sku).reserve(l.sku, orderId, l.qty, ttlMs, key ?? undefined)),
  );
  const refused: StockRefusal[] = [];
  let thrown: unknown = null;
  let expiresAt = Number.POSITIVE_INFINITY;
  results.forEach((r, i) => {
    const line = lines[i] as Line;
    if (r.status === "rejected") thrown ??= r.reason ?? new Error("stock call failed");
    else if (!r.value.ok) refused.push({ line, result: r.value });
    else expiresAt = Math.min(expiresAt, r.value.expiresAt);
  });
  if (thrown === null && refused.length === 0) return { ok: true, expiresAt };
  // Only lines that hold something (or whose call failed, and might) need giving back.
  const held = lines.filter((_, i) => {
    const r = results[i];
    return r?.status === "rejected" || r?.value.ok;
  });
  if (held.length > 0) await releaseLines(env, orderId, held);
  if (thrown !== null) throw thrown;
  return { ok: false, refused };
}

/**
 * Gives back whatever `orderId` holds of `lines` (nothing held answers `released: 0`), for an order that was
 * never created; the stock also forgets the idempotency key it was reserved with, so a retry runs afresh.
 */
export async function releaseLines(env: Env, orderId: string, lines: readonly { sku: string }[]): Promise<void> {
  await Promise.all(lines.map((l) => stockStub(env, l.sku).abandon(l.sku, orderId)));
}

/** Frees an idempotency key that took stock for an order request which died before D1 recorded it. */
export async function forgetKey(env: Env, sku: string, keyId: string, orderId: string): Promise<void> {
  await stockStub(env, sku).forgetKey(keyId, orderId);
}
