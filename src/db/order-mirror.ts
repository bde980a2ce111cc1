/**
 * The D1 mirror of one order, as the statements that bring D1 up to the OrderFlow object's state: the order row
 * (an upsert that never goes back to an older version), its items (only when they changed), and its payment
 * attempts. The object runs
 * them in one batch with its outbox events; lists, account pages and access checks read the mirror.
 */
import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Attempt, OrderDoc } from "../domain/order/types";
import { HOLDS_RESERVATION, type TimelineEntry } from "../domain/order-machine";
import type { Db } from "./client";
import { bound, fillRows, preparedOnce, rowPlaceholders } from "./prepared";
import { orderItems, orders, payments } from "./schema";

/** D1 binds at most 100 parameters per statement: 6 columns an item, 11 a payment. */
const ITEMS_PER_INSERT = 16;
const PAYMENTS_PER_INSERT = 8;

export function orderMirror(
  db: Db,
  doc: OrderDoc,
  attempts: readonly Attempt[],
  timeline: TimelineEntry[],
  /** False when D1 already holds these items (the object mirrored them and they have not changed since). */
  withItems = true,
): BatchItem<"sqlite">[] {
  const row = {
    id: doc.id,
    // An order stored before numbers existed keeps the number the migration gave its row.
    ...(doc.number !== undefined ? { number: doc.number } : {}),
    customerId: doc.customerId,
    email: doc.email,
    status: doc.status,
    version: doc.version,
    subtotalCents: doc.totals.subtotalCents,
    shippingCents: doc.totals.shippingCents,
    taxCents: doc.totals.taxCents,
    totalCents: doc.totals.totalCents,
    currency: doc.totals.currency,
    shippingAddress: { ...doc.shippingAddress, ...(doc.phone ? { phone: doc.phone } : {}) },
    accessTokenHash: doc.accessTokenHash,
    expiresAt: HOLDS_RESERVATION.includes(doc.status) ? doc.expiresAt : null,
    ip: doc.ip,
    riskScore: doc.risk?.score ?? null,
    // Encoded here: a placeholder's column encoder would store a missing list as the text 'null', not NULL.
    riskReasons: doc.risk ? JSON.stringify(doc.risk.reasons.map((r) => r.code)) : null,
    paymentId: doc.currentPaymentId,
    trackingNumber: doc.trackingNumber,
    timeline,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
  const statements: BatchItem<"sqlite">[] = [bound(upsertOrder(db, Object.keys(row)), row)];
  if (withItems) statements.push(bound(deleteItems(db), { orderId: doc.id }));
  for (let i = 0; withItems && i < doc.items.length; i += ITEMS_PER_INSERT) {
    const chunk = doc.items.slice(i, i + ITEMS_PER_INSERT);
    const filled = fillRows(
      chunk.map((item) => ({
        orderId: doc.id,
        sku: item.sku,
        name: item.name,
        qty: item.qty,
        unitPriceCents: item.unitPriceCents,
        lineTotalCents: item.lineTotalCents,
      })),
    );
    statements.push(bound(insertItems(db, chunk.length), filled));
  }
  for (let i = 0; i < attempts.length; i += PAYMENTS_PER_INSERT) {
    const chunk = attempts.slice(i, i + PAYMENTS_PER_INSERT);
    const values = chunk.map((a) => ({
      id: a.id,
      orderId: doc.id,
      provider: "test",
      amountCents: a.amountCents,
      refundedCents: a.refundedCents,
      currency: a.currency,
      status: a.status,
      methodLabel: a.methodLabel,
      declineCode: a.declineCode,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    }));
    statements.push(bound(upsertPayments(db, chunk.length), fillRows(values)));
  }
  return statements;
}

/** The order row's upsert for these columns (an order stored before numbers existed has none), rendered once. */
const upsertOrder = (db: Db, columns: readonly string[]) =>
  preparedOnce(db, `orders.upsert.${columns.join(",")}`, () => {
    const row = Object.fromEntries(
      columns.map((c) => [c, c === "riskReasons" ? sql`${sql.placeholder(c)}` : sql.placeholder(c)]),
    ) as unknown as typeof orders.$inferInsert;
    const { id: _id, createdAt: _createdAt, ...update } = row;
    return db
      .insert(orders)
      .values(row)
      .onConflictDoUpdate({
        target: orders.id,
        set: update,
        // Never back to an older version: a late flush of an earlier change leaves the row as it is.
        setWhere: sql`${orders.version} <= ${sql.placeholder("version")}`,
      });
  });

/** The order's items go before they are written again (placed or amended), rendered once per isolate. */
const deleteItems = (db: Db) =>
  preparedOnce(db, "order_items.delete", () =>
    db.delete(orderItems).where(eq(orderItems.orderId, sql.placeholder("orderId"))),
  );

const ITEM_COLUMNS = ["orderId", "sku", "name", "qty", "unitPriceCents", "lineTotalCents"] as const;

/** The insert of `n` items, rendered once per isolate. */
const insertItems = (db: Db, n: number) =>
  preparedOnce(db, `order_items.insert.${n}`, () =>
    db.insert(orderItems).values(rowPlaceholders(ITEM_COLUMNS, n) as unknown as (typeof orderItems.$inferInsert)[]),
  );

const PAYMENT_COLUMNS = [
  "id",
  "orderId",
  "provider",
  "amountCents",
  "refundedCents",
  "currency",
  "status",
  "methodLabel",
  "declineCode",
  "createdAt",
  "updatedAt",
] as const;

/** The upsert of `n` payment attempts, rendered once per isolate. */
const upsertPayments = (db: Db, n: number) =>
  preparedOnce(db, `payments.upsert.${n}`, () =>
    db
      .insert(payments)
      .values(rowPlaceholders(PAYMENT_COLUMNS, n) as unknown as (typeof payments.$inferInsert)[])
      .onConflictDoUpdate({
        target: payments.id,
        set: {
          status: sql`excluded.status`,
          refundedCents: sql`excluded.refunded_cents`,
          declineCode: sql`excluded.decline_code`,
          updatedAt: sql`excluded.updated_at`,
        },
      }),
  );
