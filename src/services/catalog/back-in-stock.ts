/**
 * Back-in-stock requests: a shopper (guest or customer) leaves an e-mail for a sold-out SKU; the
 * notifications service answers every waiting request once, in sign-up order, when InventoryAdjusted brings
 * the SKU back (src/services/notifications.ts closes the request in the batch that writes the message).
 */
import { and, count, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { backInStockRequests, products } from "../../db/schema";
import { newId } from "../../lib/ids";
import { stockStub } from "../stock/stock";

export type SignUpResult =
  | { ok: true; created: boolean; request: { id: string; sku: string; status: "waiting"; createdAt: number } }
  | { ok: false; reason: "unknown_sku" | "in_stock" };

export async function signUpForBackInStock(
  env: Env,
  input: { sku: string; email: string; customerId: string | null },
  now = Date.now(),
): Promise<SignUpResult> {
  const db = getDb(env.DB);
  const product = await db.select({ active: products.active }).from(products).where(eq(products.sku, input.sku)).get();
  if (!product?.active) return { ok: false, reason: "unknown_sku" };
  const stock = await stockStub(env, input.sku).lookup(input.sku);
  if (!stock.ok) return { ok: false, reason: "unknown_sku" };
  if (stock.level.available > 0) return { ok: false, reason: "in_stock" };
  const id = newId("bis");
  // One waiting request per (SKU, e-mail): signing up twice keeps the first place in the queue.
  const inserted = await db
    .insert(backInStockRequests)
    .values({ id, sku: input.sku, email: input.email, customerId: input.customerId, createdAt: now })
    .onConflictDoNothing()
    .returning()
    .get();
  const row =
    inserted ??
    (await db
      .select()
      .from(backInStockRequests)
      .where(
        and(
          eq(backInStockRequests.sku, input.sku),
          eq(backInStockRequests.email, input.email),
          eq(backInStockRequests.status, "waiting"),
        ),
      )
      .get());
  if (!row) return { ok: false, reason: "in_stock" };
  return {
    ok: true,
    created: inserted !== undefined,
    request: { id: row.id, sku: row.sku, status: "waiting", createdAt: row.createdAt },
  };
}

/** Shoppers waiting per SKU (SKUs with none are left out). */
export async function waitingCounts(env: Env): Promise<{ sku: string; waiting: number }[]> {
  return getDb(env.DB)
    .select({ sku: backInStockRequests.sku, waiting: count() })
    .from(backInStockRequests)
    .where(eq(backInStockRequests.status, "waiting"))
    .groupBy(backInStockRequests.sku)
    .orderBy(backInStockRequests.sku);
}
