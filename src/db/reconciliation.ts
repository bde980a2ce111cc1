/**
 * What the reconciliation check reads from D1 (src/services/workflows/reconciliation.ts): the recent orders'
 * mirror rows, their payments and the SKUs they touch. Reads by order id go in chunks: D1 binds at most 100
 * parameters per statement.
 */
import { gte, inArray } from "drizzle-orm";
import type { Db } from "./client";
import { orderItems, orders, payments } from "./schema";

/** The oldest `limit` orders created since `since`: id, status and version, by creation time. */
export async function ordersCreatedSince(db: Db, since: number, limit: number) {
  return db
    .select({ id: orders.id, status: orders.status, version: orders.version })
    .from(orders)
    .where(gte(orders.createdAt, since))
    .orderBy(orders.createdAt)
    .limit(limit);
}

/** The payment rows of orders `ids` (one read per chunk of ids). */
export async function paymentsOfOrders(db: Db, ids: string[]) {
  return inChunks(ids, (chunk) => db.select().from(payments).where(inArray(payments.orderId, chunk)));
}

/** The SKU of every item of orders `ids`, one entry per item (one read per chunk of ids). */
export async function itemSkusOfOrders(db: Db, ids: string[]) {
  return inChunks(ids, (chunk) =>
    db.select({ sku: orderItems.sku }).from(orderItems).where(inArray(orderItems.orderId, chunk)),
  );
}

/** D1 binds at most 100 parameters per statement. */
async function inChunks<T>(ids: string[], query: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 90) out.push(...(await query(ids.slice(i, i + 90))));
  return out;
}
