/**
 * Back-in-stock requests (`back_in_stock_requests`): who waits for a sold-out SKU, and by which channel
 * (src/services/catalog/back-in-stock.ts takes the sign-ups; src/services/notifications/notifications.ts
 * answers them when the SKU comes back).
 */
import { and, asc, count, eq, inArray, lte } from "drizzle-orm";
import type { Db } from "./client";
import { backInStockRequests, products } from "./schema";

export type BackInStockRequestRow = typeof backInStockRequests.$inferSelect;

/** Whether a shopper may wait for the SKU: `{ active }` of its product, or undefined for an unknown SKU. */
export async function productActivity(db: Db, sku: string): Promise<{ active: boolean } | undefined> {
  return db.select({ active: products.active }).from(products).where(eq(products.sku, sku)).get();
}

/** The product's name for the back-in-stock message, or undefined for an unknown SKU. */
export async function productNameOf(db: Db, sku: string): Promise<{ name: string } | undefined> {
  return db.select({ name: products.name }).from(products).where(eq(products.sku, sku)).get();
}

/** Stores a request; undefined when the same (SKU, e-mail, device) already waits (its place is kept). */
export async function insertBackInStockRequest(
  db: Db,
  request: typeof backInStockRequests.$inferInsert,
): Promise<BackInStockRequestRow | undefined> {
  return db.insert(backInStockRequests).values(request).onConflictDoNothing().returning().get();
}

/** The waiting request of one (SKU, e-mail, device), if any. */
export async function waitingBackInStockRequest(
  db: Db,
  q: { sku: string; email: string; endpoint: string },
): Promise<BackInStockRequestRow | undefined> {
  return db
    .select()
    .from(backInStockRequests)
    .where(
      and(
        eq(backInStockRequests.sku, q.sku),
        eq(backInStockRequests.email, q.email),
        eq(backInStockRequests.endpoint, q.endpoint),
        eq(backInStockRequests.status, "waiting"),
      ),
    )
    .get();
}

/** The request's status, or undefined when there is no such request. */
export async function backInStockRequestStatus(
  db: Db,
  id: string,
): Promise<{ status: BackInStockRequestRow["status"] } | undefined> {
  return db
    .select({ status: backInStockRequests.status })
    .from(backInStockRequests)
    .where(eq(backInStockRequests.id, id))
    .get();
}

/** Shoppers waiting per SKU, by SKU (SKUs with none are left out). */
export async function waitingCountsBySku(db: Db): Promise<{ sku: string; waiting: number }[]> {
  return db
    .select({ sku: backInStockRequests.sku, waiting: count() })
    .from(backInStockRequests)
    .where(eq(backInStockRequests.status, "waiting"))
    .groupBy(backInStockRequests.sku)
    .orderBy(backInStockRequests.sku);
}

/** The first `limit` requests for the SKU that were waiting at `at`, in sign-up order. */
export async function waitingSince(db: Db, sku: string, at: number, limit: number): Promise<BackInStockRequestRow[]> {
  return db
    .select()
    .from(backInStockRequests)
    .where(
      and(
        eq(backInStockRequests.sku, sku),
        eq(backInStockRequests.status, "waiting"),
        lte(backInStockRequests.createdAt, at),
      ),
    )
    .orderBy(asc(backInStockRequests.createdAt), asc(backInStockRequests.id))
    .limit(limit);
}

/** The statement that marks the still-waiting requests of `ids` notified at `now`, to put in a D1 batch. */
export function closeBackInStockRequests(db: Db, ids: string[], now: number) {
  return db
    .update(backInStockRequests)
    .set({ status: "notified", notifiedAt: now })
    .where(and(inArray(backInStockRequests.id, ids), eq(backInStockRequests.status, "waiting")));
}
