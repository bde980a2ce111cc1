/**
 * The stock ledger of one SKU, as pure functions: the ProductStock Durable Object loads a ledger, asks one of
 * these functions what to do, persists the returned ledger and turns the effects into events. No I/O, no clock:
 * `now` is always an argument.
 *
 * Invariants every function keeps:
 * - `reserved` is the sum of the live reservations' quantities; `available = onHand − reserved`.
 * - `available` never goes below zero and `onHand` never below `reserved`: an operation that would break either
 *   is refused (`ok: false`) and leaves the ledger as it was.
 * - Every operation is idempotent per order id: repeating it changes nothing and emits nothing.
 *
 * `sales` may be a partial view: operations only consult the entries of the order ids they are given, so the
 * object only needs to load those (committed sales accumulate forever; live reservations are bounded by stock).
 */
import type { StockReason } from "./events";

export type Reservation = { qty: number; expiresAt: number };
export type Sale = { qty: number; returned: boolean };

export type Ledger = {
  onHand: number;
  /** At or below this many available units the product counts as low on stock. */
  lowStockThreshold: number;
  reservations: ReadonlyMap<string, Reservation>;
  sales: ReadonlyMap<string, Sale>;
};

export type Levels = { onHand: number; reserved: number; available: number };

/**
 * What a live-stock viewer receives: once on connect and after every change. `at`: when the level changed (ms),
 * so a viewer can tell how fresh it is (and the benchmark, how fast).
 */
export type StockMessage = { type: "stock"; sku: string; available: number; at: number };

/** What a change means for the outside world; the object turns each into a domain event. */
export type StockEffect =
  | {
      type: "moved";
      reason: StockReason;
      /**
       * Signed quantity the operation moved: the change of `onHand` when it changed (commit, return, adjust,
       * resizing a sale), otherwise the change of `available` (reserve, release, expire, resizing a reservation).
       */
      delta: number;
      orderId: string | null;
      before: Levels;
      after: Levels;
    }
  | { type: "out_of_stock" }
  | { type: "low_stock"; available: number; threshold: number };

export type Decision<Reason extends string> =
  | { ok: true; ledger: Ledger; effects: StockEffect[] }
  | { ok: false; reason: Reason };

/** Expiry reported for an order whose stock is held as a sale: a sale never expires. */
export const HELD_FOREVER = Number.MAX_SAFE_INTEGER;

export const MAX_ADJUSTMENT = 100_000;

export function emptyLedger(onHand: number, lowStockThreshold: number): Ledger {
  return { onHand, lowStockThreshold, reservations: new Map(), sales: new Map() };
}

export function reservedQty(ledger: Ledger): number {
  let sum = 0;
  for (const r of ledger.reservations.values()) sum += r.qty;
  return sum;
}

export function levels(ledger: Ledger): Levels {
  const reserved = reservedQty(ledger);
  return { onHand: ledger.onHand, reserved, available: Math.max(0, ledger.onHand - reserved) };
}

function assertQty(qty: number): void {
  // A caller passing a non-positive or fractional quantity is a bug upstream (routes validate first).
  if (!Number.isSafeInteger(qty) || qty < 1) throw new RangeError(`Quantity must be a positive integer, got ${qty}`);
}

function withReservation(ledger: Ledger, orderId: string, r: Reservation | null): Ledger {
  const reservations = new Map(ledger.reservations);
  if (r) reservations.set(orderId, r);
  else reservations.delete(orderId);
  return { ...ledger, reservations };
}

function withSale(ledger: Ledger, orderId: string, s: Sale): Ledger {
  const sales = new Map(ledger.sales);
  sales.set(orderId, s);
  return { ...ledger, sales };
}

/** OutOfStock when available reaches zero; LowStock when it crosses the threshold downward but stays above zero. */
export function alerts(before: Levels, after: Levels, threshold: number): StockEffect[] {
  const out: StockEffect[] = [];
  if (before.available > 0 && after.available === 0) out.push({ type: "out_of_stock" });
  else if (before.available > threshold && after.available <= threshold && after.available > 0) {
    out.push({ type: "low_stock", available: after.available, threshold });
  }
  return out;
}

function moved(
  prev: Ledger,
  next: Ledger,
  reason: StockReason,
  orderId: string | null,
  delta: number,
): { ok: true; ledger: Ledger; effects: StockEffect[] } {
  const before = levels(prev);
  const after = levels(next);
  return {
    ok: true,
    ledger: next,
    effects: [
      { type: "moved", reason, delta, orderId, before, after },
      ...alerts(before, after, next.lowStockThreshold),
    ],
  };
}

const unchanged = (ledger: Ledger) => ({ ok: true as const, ledger, effects: [] as StockEffect[] });

/** A reservation counts only while `now` is before its expiry. */
export function isLive(r: Reservation | undefined, now: number): r is Reservation {
  return r !== undefined && r.expiresAt > now;
}

/**
 * Releases every reservation whose expiry has passed (reason "expire"), one `moved` effect per order. Run
 * before every other operation and by the alarm; running it twice releases nothing more.
 */
export function expire(ledger: Ledger, now: number): { ok: true; ledger: Ledger; effects: StockEffect[] } {
  let current = ledger;
  const effects: StockEffect[] = [];
  for (const [orderId, r] of ledger.reservations) {
    if (r.expiresAt > now) continue;
    const step = moved(current, withReservation(current, orderId, null), "expire", orderId, r.qty);
    current = step.ledger;
    effects.push(...step.effects);
  }
  return { ok: true, ledger: current, effects };
}

/** The earliest expiry among the reservations (when the alarm must run), or null when none is held. */
export function nextExpiry(ledger: Ledger): number | null {
  let min: number | null = null;
  for (const r of ledger.reservations.values()) if (min === null || r.expiresAt < min) min = r.expiresAt;
  return min;
}

export type ReserveDecision =
  | { ok: true; ledger: Ledger; effects: StockEffect[]; expiresAt: number }
  | { ok: false; reason: "insufficient" };

/**
 * Holds `qty` units for `orderId` until `now + ttlMs`. Idempotent per order: an order that already holds a
 * live reservation gets it back unchanged (whatever `qty` says now), and an order already sold changes nothing.
 */
export function reserve(
  ledger: Ledger,
  args: { orderId: string; qty: number; ttlMs: number },
  now: number,
): ReserveDecision {
  assertQty(args.qty);
  const existing = ledger.reservations.get(args.orderId);
  if (isLive(existing, now)) return { ...unchanged(ledger), expiresAt: existing.expiresAt };
  const sale = ledger.sales.get(args.orderId);
  if (sale && !sale.returned) return { ...unchanged(ledger), expiresAt: HELD_FOREVER };
  // An expired reservation the alarm has not reached yet is replaced, not added to.
  const base = existing ? withReservation(ledger, args.orderId, null) : ledger;
  if (levels(base).available < args.qty) return { ok: false, reason: "insufficient" };
  const expiresAt = now + Math.max(0, args.ttlMs);
  const next = withReservation(base, args.orderId, { qty: args.qty, expiresAt });
  return { ...moved(ledger, next, "reserve", args.orderId, -args.qty), expiresAt };
}

/** Moves a live reservation's expiry later (never earlier). Refused when the order holds no live reservation. */
export function extend(
  ledger: Ledger,
  args: { orderId: string; expiresAt: number },
  now: number,
): Decision<"not_found"> {
  const existing = ledger.reservations.get(args.orderId);
  if (!isLive(existing, now)) return { ok: false, reason: "not_found" };
  if (args.expiresAt <= existing.expiresAt) return unchanged(ledger);
  return {
    ok: true,
    ledger: withReservation(ledger, args.orderId, { ...existing, expiresAt: args.expiresAt }),
    effects: [],
  };
}

/**
 * Turns a live reservation into a sale: `onHand −= qty`, available unchanged. An order already committed
 * (returned or not) is answered ok and nothing changes; an order holding nothing is `not_found`.
 */
export function commit(ledger: Ledger, args: { orderId: string }, now: number): Decision<"not_found"> {
  const existing = ledger.reservations.get(args.orderId);
  if (isLive(existing, now)) {
    const next = withSale(withReservation(ledger, args.orderId, null), args.orderId, {
      qty: existing.qty,
      returned: false,
    });
    return moved(ledger, { ...next, onHand: ledger.onHand - existing.qty }, "commit", args.orderId, -existing.qty);
  }
  if (ledger.sales.has(args.orderId)) return unchanged(ledger);
  return { ok: false, reason: "not_found" };
}

export type ReleaseReason = "release" | "expire" | "return";

/**
 * Gives an order's stock back. A live reservation is dropped (recorded as "release", or "expire" when that is
 * the reason given); a committed sale goes back on hand once (recorded as "return"), unless the reason is
 * "expire", which never undoes a sale. Anything else releases 0.
 */
export function release(
  ledger: Ledger,
  args: { orderId: string; reason: ReleaseReason },
  now: number,
): { ok: true; ledger: Ledger; effects: StockEffect[]; released: number } {
  const existing = ledger.reservations.get(args.orderId);
  if (isLive(existing, now)) {
    const reason = args.reason === "expire" ? "expire" : "release";
    const next = withReservation(ledger, args.orderId, null);
    return { ...moved(ledger, next, reason, args.orderId, existing.qty), released: existing.qty };
  }
  const sale = ledger.sales.get(args.orderId);
  if (sale && !sale.returned && args.reason !== "expire") {
    const next = withSale(ledger, args.orderId, { ...sale, returned: true });
    return {
      ...moved(ledger, { ...next, onHand: ledger.onHand + sale.qty }, "return", args.orderId, sale.qty),
      released: sale.qty,
    };
  }
  return { ...unchanged(ledger), released: 0 };
}

/**
 * Amends an order's quantity. A live reservation changes size (same expiry); a committed sale changes size
 * and `onHand` with it; an order holding neither is treated as holding 0 and gets a new reservation expiring
 * at `now + ttlMs`. Growth needs that much available; a shrink always succeeds; the same quantity changes nothing.
 */
export function resize(
  ledger: Ledger,
  args: { orderId: string; qty: number; ttlMs: number },
  now: number,
): ReserveDecision {
  assertQty(args.qty);
  const available = levels(ledger).available;
  const existing = ledger.reservations.get(args.orderId);
  if (isLive(existing, now)) {
    const growth = args.qty - existing.qty;
    if (growth === 0) return { ...unchanged(ledger), expiresAt: existing.expiresAt };
    if (growth > available) return { ok: false, reason: "insufficient" };
    const next = withReservation(ledger, args.orderId, { ...existing, qty: args.qty });
    return { ...moved(ledger, next, "resize", args.orderId, -growth), expiresAt: existing.expiresAt };
  }
  const sale = ledger.sales.get(args.orderId);
  if (sale && !sale.returned) {
    const growth = args.qty - sale.qty;
    if (growth === 0) return { ...unchanged(ledger), expiresAt: HELD_FOREVER };
    if (growth > available) return { ok: false, reason: "insufficient" };
    const next = withSale(ledger, args.orderId, { ...sale, qty: args.qty });
    return {
      ...moved(ledger, { ...next, onHand: ledger.onHand - growth }, "resize", args.orderId, -growth),
      expiresAt: HELD_FOREVER,
    };
  }
  return reserve(ledger, args, now);
}

export type AdjustReason = "restock" | "damage" | "correction" | "return";
export const ADJUST_REASONS = ["restock", "damage", "correction", "return"] as const satisfies readonly AdjustReason[];

/**
 * A staff adjustment of the units on hand (restock, shrinkage, count correction, a return without an order).
 * Refused with `below_reserved` when `onHand` would drop below what is reserved (or below zero).
 */
export function adjust(ledger: Ledger, args: { delta: number; reason: AdjustReason }): Decision<"below_reserved"> {
  if (!Number.isSafeInteger(args.delta) || args.delta === 0 || Math.abs(args.delta) > MAX_ADJUSTMENT) {
    throw new RangeError(`Adjustment must be a non-zero integer of at most ${MAX_ADJUSTMENT}, got ${args.delta}`);
  }
  const onHand = ledger.onHand + args.delta;
  if (onHand < 0 || onHand < reservedQty(ledger)) return { ok: false, reason: "below_reserved" };
  return moved(ledger, { ...ledger, onHand }, args.reason, null, args.delta);
}
