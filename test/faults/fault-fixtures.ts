/**
 * The end state every fault must leave (issue #11): the stock ledger balances, at most one capture per order and
 * no authorization left standing on a dead order, the D1 mirror equal to the order object, every event once in
 * the log, and nothing for the reconciliation check to report.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { getDb } from "../../src/db/client";
import { payments } from "../../src/db/schema";
import type { StaffOrderView } from "../../src/domain/order/types";
import { stockStub } from "../../src/services/stock/stock";
import { reconcile } from "../../src/services/workflows/reconciliation";
import { waitFor } from "../helpers";
import { eventsOf, mirrorOf, type Placed } from "../order-fixtures";

export const staffView = async (id: string) => {
  const res = await env.ORDER_FLOW.getByName(id).view("staff");
  if (!res.ok) throw new Error(`no order ${id}`);
  return res.order as StaffOrderView;
};

/** Waits until the order object says `status` (read from the object itself, not the mirror). */
export const objectReaches = (o: Placed, status: string) =>
  waitFor(`order ${o.id} to be ${status} in its object`, async () => {
    const v = await staffView(o.id);
    return v.status === status ? v : undefined;
  });

/** sold + reserved + available = what the SKU started with, and the object's own numbers agree. */
export async function expectLedgerBalanced(sku: string, startedWith: number): Promise<void> {
  const ledger = await stockStub(env, sku).ledger(sku);
  if (!ledger) throw new Error(`unknown ${sku}`);
  const sold = ledger.sales.filter((s) => !s.returned).reduce((n, s) => n + s.qty, 0);
  const reserved = ledger.reservations.filter((r) => r.expiresAt > Date.now()).reduce((n, r) => n + r.qty, 0);
  expect({ sold, reserved, available: ledger.level.available, sum: sold + reserved + ledger.level.available }).toEqual({
    sold,
    reserved: ledger.level.reserved,
    available: ledger.level.onHand - ledger.level.reserved,
    sum: startedWith,
  });
  expect(ledger.level.onHand).toBe(startedWith - sold);
}

/** Waits until the order's object has delivered everything (outbox empty, nothing dirty, no payment task). */
export function settled(o: Placed) {
  return waitFor(
    `order ${o.id} to settle`,
    () =>
      runInDurableObject(env.ORDER_FLOW.getByName(o.id), (_instance, state) => {
        const kv = state.storage.kv;
        const busy =
          (kv.get<unknown[]>("outbox")?.length ?? 0) +
          (kv.get<number>("dirty") ?? 0) +
          (kv.get<unknown[]>("tasks")?.length ?? 0);
        return busy === 0 ? true : undefined;
      }),
    15_000,
  );
}

/** The order's full end state: money, mirror, events. */
export async function expectOrderConsistent(o: Placed): Promise<StaffOrderView> {
  await settled(o);
  const view = await staffView(o.id);
  // Money: one capture at most; nothing left authorized on an order that will never take it.
  const took = view.payments.filter((p) => p.status === "captured" || p.status === "refunded");
  expect(took.length).toBeLessThanOrEqual(1);
  if (["confirmed", "shipped", "delivered"].includes(view.status)) expect(took).toHaveLength(1);
  if (view.status === "cancelled") {
    expect(view.payments.filter((p) => p.status === "authorized" || p.status === "pending")).toEqual([]);
    for (const p of took) expect(p.refundedCents).toBe(p.amountCents);
  }
  // Mirror: D1 holds what the object holds.
  const mirror = await mirrorOf(o.id);
  expect({ status: mirror?.status, version: mirror?.version }).toEqual({ status: view.status, version: view.version });
  const rows = await getDb(env.DB).select().from(payments).where(eq(payments.orderId, o.id));
  expect(rows.map((r) => ({ id: r.id, status: r.status, refundedCents: r.refundedCents })).sort(byId)).toEqual(
    view.payments.map((p) => ({ id: p.id, status: p.status, refundedCents: p.refundedCents })).sort(byId),
  );
  // Events: each once (one per order sequence; one PaymentProcessed per payment and status), none missing.
  const events = await eventsOf(o.id);
  const orderEvents = events.filter((e) => typeof e.data.sequence === "number" && e.data.orderId === o.id);
  const sequences = orderEvents.map((e) => `${e.type}#${e.data.sequence}`);
  expect(new Set(sequences).size).toBe(sequences.length);
  const processed = events
    .filter((e) => e.type === "PaymentProcessed")
    .map((e) => `${e.data.paymentId}:${e.data.status}`);
  expect(new Set(processed).size).toBe(processed.length);
  expect(events.filter((e) => e.type === "OrderPlaced")).toHaveLength(1);
  expect(events.filter((e) => e.type === "OrderConfirmed").length).toBeLessThanOrEqual(1);
  expect(events.filter((e) => e.type === "OrderCancelled").length).toBeLessThanOrEqual(1);
  if (view.status === "confirmed") expect(events.filter((e) => e.type === "OrderConfirmed")).toHaveLength(1);
  if (view.status === "cancelled") expect(events.filter((e) => e.type === "OrderCancelled")).toHaveLength(1);
  return view;
}

/** Nothing for the reconciliation check to report about these orders and SKUs. */
export async function expectNoDrift(ids: { orders?: string[]; skus?: string[] } = {}): Promise<void> {
  const report = await reconcile(env, { graceMs: 0 });
  const mine = report.drift.filter(
    (d) =>
      (ids.orders === undefined && ids.skus === undefined) ||
      (d.orderId !== undefined && ids.orders?.includes(d.orderId)) ||
      (d.sku !== undefined && ids.skus?.includes(d.sku)),
  );
  expect(mine).toEqual([]);
}

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
