/**
 * Reconciliation: where the shop's records disagree, as a list a clerk can act on. Pure: the caller reads the
 * order objects (the truth for an order and its payments), the D1 mirror and each SKU's stock ledger, and this
 * compares them. Orders that changed within `graceMs` are left alone: their mirror, voids and stock moves may
 * still be on the way, and the next run sees them settled.
 */
import { HOLDS_RESERVATION, type OrderStatus } from "./order-machine";

export type PaymentRow = { id: string; status: string; amountCents: number; refundedCents: number };

/** An order as its object holds it (staff view). */
export type OrderTruth = {
  id: string;
  status: OrderStatus;
  version: number;
  updatedAt: number;
  expiresAt: number | null;
  items: { sku: string; qty: number }[];
  refundedCents: number;
  currentPaymentId: string | null;
  payments: PaymentRow[];
};

/** The same order as D1 mirrors it. */
export type OrderMirror = { id: string; status: string; version: number; payments: PaymentRow[] };

export type SkuLedger = {
  sku: string;
  level: { onHand: number; reserved: number; available: number };
  reservations: { orderId: string; qty: number; expiresAt: number }[];
  sales: { orderId: string; qty: number; returned: boolean }[];
};

/**
 * One SKU's ledger from its parts: a hot SKU's orders are held by its own object and by its shards
 * (docs/sharding.md), each with its own level and rows. Levels add up; an order held in two parts (a line
 * amended onto the parent) counts once with the quantities added.
 */
export function mergeLedgers(sku: string, parts: readonly Omit<SkuLedger, "sku">[]): SkuLedger {
  const level = { onHand: 0, reserved: 0, available: 0 };
  const reservations = new Map<string, SkuLedger["reservations"][number]>();
  const sales = new Map<string, SkuLedger["sales"][number]>();
  for (const part of parts) {
    level.onHand += part.level.onHand;
    level.reserved += part.level.reserved;
    level.available += part.level.available;
    for (const r of part.reservations) {
      const seen = reservations.get(r.orderId);
      reservations.set(
        r.orderId,
        seen ? { ...r, qty: seen.qty + r.qty, expiresAt: Math.max(seen.expiresAt, r.expiresAt) } : r,
      );
    }
    for (const x of part.sales) {
      const seen = sales.get(x.orderId);
      sales.set(x.orderId, seen ? { ...x, qty: seen.qty + x.qty, returned: seen.returned && x.returned } : x);
    }
  }
  return { sku, level, reservations: [...reservations.values()], sales: [...sales.values()] };
}

export const DRIFT_KINDS = [
  "order_object_missing",
  "mirror_stale",
  "mirror_payment_stale",
  "double_capture",
  "confirmed_without_capture",
  "capture_on_cancelled_order",
  "authorization_not_voided",
  "ledger_arithmetic",
  "reservation_orphaned",
  "reservation_missing",
  "sale_missing",
  "sale_not_returned",
  "sale_quantity",
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export type Drift = {
  kind: DriftKind;
  orderId?: string;
  sku?: string;
  paymentId?: string;
  /** What disagrees, in words. */
  detail: string;
  /** What a clerk does about it. */
  action: string;
};

export const SELLING: readonly OrderStatus[] = ["confirmed", "shipped", "delivered"];
/** A payment attempt that took money: captured, or captured and then (partly) refunded. */
const TOOK_MONEY = new Set(["captured", "refunded"]);

export type ReconcileInput = {
  now: number;
  graceMs: number;
  /** Recent orders: D1 rows paired with what their objects hold (null: the object has no order). */
  orders: { mirror: OrderMirror; truth: OrderTruth | null }[];
  /** Every order a ledger names, recent or not, as its object holds it. */
  truthOf: ReadonlyMap<string, OrderTruth | null>;
  ledgers: SkuLedger[];
  /** Oldest order the check looked at: older selling orders are not expected in `ledgers[].sales`. */
  since: number;
};

export function findDrift(input: ReconcileInput): Drift[] {
  const drift: Drift[] = [];
  const settled = (t: OrderTruth) => t.updatedAt <= input.now - input.graceMs;
  for (const { mirror, truth } of input.orders) {
    if (!truth) {
      drift.push({
        kind: "order_object_missing",
        orderId: mirror.id,
        detail: `D1 lists the order as ${mirror.status} but its order object holds nothing`,
        action: "Investigate before touching stock or money: the order was never placed in its object",
      });
      continue;
    }
    if (!settled(truth)) continue;
    drift.push(...mirrorDrift(mirror, truth), ...paymentDrift(truth));
  }
  for (const ledger of input.ledgers) drift.push(...ledgerDrift(ledger, input, settled));
  return drift;
}

function mirrorDrift(mirror: OrderMirror, truth: OrderTruth): Drift[] {
  const out: Drift[] = [];
  if (mirror.status !== truth.status || mirror.version !== truth.version) {
    out.push({
      kind: "mirror_stale",
      orderId: truth.id,
      detail: `D1 says ${mirror.status} v${mirror.version}, the order object says ${truth.status} v${truth.version}`,
      action: "The order object is right: lists and account pages show the old state until it is re-mirrored",
    });
  }
  const rows = new Map(mirror.payments.map((p) => [p.id, p]));
  for (const p of truth.payments) {
    const row = rows.get(p.id);
    if (!row || row.status !== p.status || row.refundedCents !== p.refundedCents) {
      out.push({
        kind: "mirror_payment_stale",
        orderId: truth.id,
        paymentId: p.id,
        detail: `payment ${p.id} is ${p.status} (refunded ${p.refundedCents}) in the order object, ${row ? `${row.status} (refunded ${row.refundedCents})` : "missing"} in D1`,
        action: "The order object is right: payment reports read D1 until it is re-mirrored",
      });
    }
  }
  return out;
}

function paymentDrift(truth: OrderTruth): Drift[] {
  const out: Drift[] = [];
  const took = truth.payments.filter((p) => TOOK_MONEY.has(p.status));
  if (took.length > 1) {
    out.push({
      kind: "double_capture",
      orderId: truth.id,
      paymentId: took.map((p) => p.id).join(","),
      detail: `${took.length} payments captured for one order`,
      action: "Refund every capture but one in the gateway",
    });
  }
  if (SELLING.includes(truth.status) && took.length === 0) {
    out.push({
      kind: "confirmed_without_capture",
      orderId: truth.id,
      detail: `the order is ${truth.status} but no payment was captured`,
      action: "Hold the shipment and collect the payment, or cancel the order",
    });
  }
  for (const p of truth.payments) {
    if (truth.status === "cancelled" && p.status === "captured" && p.refundedCents < p.amountCents) {
      out.push({
        kind: "capture_on_cancelled_order",
        orderId: truth.id,
        paymentId: p.id,
        detail: `payment ${p.id} kept ${p.amountCents - p.refundedCents} of a cancelled order`,
        action: "Refund the rest of the payment",
      });
    }
    const awaitingDecision = p.id === truth.currentPaymentId && ["payment_pending", "on_hold"].includes(truth.status);
    if (p.status === "authorized" && !awaitingDecision) {
      out.push({
        kind: "authorization_not_voided",
        orderId: truth.id,
        paymentId: p.id,
        detail: `payment ${p.id} is still authorized while the order is ${truth.status}`,
        action: "Void the authorization in the gateway",
      });
    }
  }
  return out;
}

function ledgerDrift(ledger: SkuLedger, input: ReconcileInput, settled: (t: OrderTruth) => boolean): Drift[] {
  const out: Drift[] = [];
  const { sku, level } = ledger;
  const live = ledger.reservations.filter((r) => r.expiresAt > input.now);
  const reserved = live.reduce((n, r) => n + r.qty, 0);
  if (level.reserved !== reserved || level.available !== level.onHand - level.reserved || level.available < 0) {
    out.push({
      kind: "ledger_arithmetic",
      sku,
      detail: `on hand ${level.onHand}, reserved ${level.reserved} (rows say ${reserved}), available ${level.available}`,
      action: "Count the shelf and correct the stock with an adjustment",
    });
  }
  const qtyIn = (t: OrderTruth) => t.items.filter((i) => i.sku === sku).reduce((n, i) => n + i.qty, 0);
  for (const r of live) {
    const t = input.truthOf.get(r.orderId) ?? null;
    if (t && !settled(t)) continue;
    if (!t || !HOLDS_RESERVATION.includes(t.status)) {
      out.push({
        kind: "reservation_orphaned",
        sku,
        orderId: r.orderId,
        detail: `${r.qty} reserved for an order that is ${t ? t.status : "unknown"}`,
        action: "Release the reservation: the units are free to sell",
      });
    }
  }
  const sales = new Map(ledger.sales.map((s) => [s.orderId, s]));
  for (const s of ledger.sales) {
    const t = input.truthOf.get(s.orderId) ?? null;
    if (t && !settled(t)) continue;
    if (!s.returned && (!t || !SELLING.includes(t.status))) {
      out.push({
        kind: "sale_not_returned",
        sku,
        orderId: s.orderId,
        detail: `${s.qty} counted as sold to an order that is ${t ? t.status : "unknown"}`,
        action: "Put the units back with a return adjustment",
      });
    } else if (t && !s.returned && t.refundedCents === 0 && s.qty !== qtyIn(t)) {
      out.push({
        kind: "sale_quantity",
        sku,
        orderId: s.orderId,
        detail: `${s.qty} counted as sold, the order has ${qtyIn(t)}`,
        action: "Correct the stock by the difference",
      });
    }
  }
  for (const { truth: t } of input.orders) {
    if (!t || !settled(t) || qtyIn(t) === 0) continue;
    if (SELLING.includes(t.status) && !(sales.get(t.id) && !sales.get(t.id)?.returned)) {
      out.push({
        kind: "sale_missing",
        sku,
        orderId: t.id,
        detail: `the order is ${t.status} with ${qtyIn(t)} but the ledger has no sale`,
        action: "Take the units off the stock with a correction",
      });
    }
    const held = live.find((r) => r.orderId === t.id);
    if (HOLDS_RESERVATION.includes(t.status) && (t.expiresAt ?? 0) > input.now && held?.qty !== qtyIn(t)) {
      out.push({
        kind: "reservation_missing",
        sku,
        orderId: t.id,
        detail: `the order is ${t.status} with ${qtyIn(t)} but ${held?.qty ?? 0} are reserved`,
        action: "Cancel the order or re-check stock before taking its payment",
      });
    }
  }
  return out;
}
