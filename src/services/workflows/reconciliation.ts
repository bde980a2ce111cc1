/**
 * The reconciliation check (docs/reconciliation.md): reads the recent orders from D1, what their order objects
 * hold, and the stock ledger of every SKU they touch, and lists the drift (src/domain/reconciliation.ts). Staff
 * run it from the console (`GET /api/admin/reconciliation`); the hourly cron runs it and logs what it found.
 */
import { getDb } from "../../db/client";
import { itemSkusOfOrders, ordersCreatedSince, paymentsOfOrders } from "../../db/reconciliation";
import type { StaffOrderView } from "../../domain/order/types";
import type { OrderStatus } from "../../domain/order-machine";
import {
  type Drift,
  findDrift,
  mergeLedgers,
  type OrderMirror,
  type OrderTruth,
  type SkuLedger,
} from "../../domain/reconciliation";
import { shardName } from "../../domain/stock-shards";
import { stockStub } from "../stock/stock";

export const RECONCILE_CRON = "30 * * * *";
const DAY = 24 * 60 * 60_000;
/** Changes younger than this are still settling (mirror, voids, stock moves) and are not judged yet. */
export const DEFAULT_GRACE_MS = 5 * 60_000;
/** At most this many of the newest orders per run: the check costs one object call per order. */
const MAX_ORDERS = 500;

export type ReconciliationReport = {
  checkedAt: number;
  since: number;
  orders: number;
  skus: number;
  drift: Drift[];
};

export async function reconcile(
  env: Env,
  opts: { now?: number; days?: number; graceMs?: number } = {},
): Promise<ReconciliationReport> {
  const now = opts.now ?? Date.now();
  const since = now - (opts.days ?? 7) * DAY;
  const db = getDb(env.DB);
  const rows = await ordersCreatedSince(db, since, MAX_ORDERS);
  const ids = rows.map((r) => r.id);
  const paid = ids.length > 0 ? await paymentsOfOrders(db, ids) : [];
  const skus = ids.length > 0 ? [...new Set((await itemSkusOfOrders(db, ids)).map((r) => r.sku))] : [];

  const truthOf = new Map<string, OrderTruth | null>();
  await Promise.all(ids.map(async (id) => truthOf.set(id, await truth(env, id))));
  const ledgers = (
    await Promise.all(
      skus.map(async (sku): Promise<SkuLedger | null> => {
        const l = await stockStub(env, sku).ledger(sku, since);
        if (!l) return null;
        // A sharded SKU (or one that was): the orders held on its shards are in their ledgers.
        const shards = await Promise.all(
          l.shards.map((i) => stockStub(env, shardName(sku, i)).ledger(shardName(sku, i), since)),
        );
        return mergeLedgers(sku, [l, ...shards.filter((x) => x !== null)]);
      }),
    )
  ).filter((l) => l !== null);
  // Orders a ledger names that are older than the window: their objects are read too.
  const named = ledgers.flatMap((l) => [...l.reservations, ...l.sales].map((r) => r.orderId));
  await Promise.all(
    [...new Set(named)].filter((id) => !truthOf.has(id)).map(async (id) => truthOf.set(id, await truth(env, id))),
  );

  const mirrors: OrderMirror[] = rows.map((r) => ({
    ...r,
    payments: paid
      .filter((p) => p.orderId === r.id)
      .map((p) => ({ id: p.id, status: p.status, amountCents: p.amountCents, refundedCents: p.refundedCents })),
  }));
  const drift = findDrift({
    now,
    since,
    graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
    orders: mirrors.map((mirror) => ({ mirror, truth: truthOf.get(mirror.id) ?? null })),
    truthOf,
    ledgers,
  });
  return { checkedAt: now, since, orders: rows.length, skus: ledgers.length, drift };
}

/** Cron: runs the check and logs the drift (one line per item, so log alerts can count them). */
export async function runReconciliation(env: Env, now: number): Promise<void> {
  const report = await reconcile(env, { now, days: 2 });
  for (const d of report.drift)
    console.error(JSON.stringify({ level: "error", message: "reconciliation drift", ...d }));
  console.log(
    JSON.stringify({
      level: "info",
      message: "reconciliation done",
      orders: report.orders,
      skus: report.skus,
      drift: report.drift.length,
    }),
  );
}

async function truth(env: Env, id: string): Promise<OrderTruth | null> {
  const res = await env.ORDER_FLOW.getByName(id).view("staff");
  if (!res.ok) return null;
  const o = res.order as StaffOrderView;
  return {
    id: o.id,
    status: o.status as OrderStatus,
    version: o.version,
    updatedAt: o.updatedAt,
    expiresAt: o.expiresAt,
    items: o.items.map((i) => ({ sku: i.sku, qty: i.qty })),
    refundedCents: o.refundedCents,
    currentPaymentId: o.payment?.id ?? null,
    payments: o.payments.map((p) => ({
      id: p.id,
      status: p.status,
      amountCents: p.amountCents,
      refundedCents: p.refundedCents,
    })),
  };
}
