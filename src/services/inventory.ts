/**
 * The Inventory service's side of the bus. Keeps the catalog's stock snapshot (D1 `products.stock_*`) current
 * from the ProductStock objects, and settles stock when orders are confirmed or cancelled. Every action is
 * idempotent, so a redelivered or reordered event does no harm.
 */
import { and, eq, ne, or } from "drizzle-orm";
import { getDb } from "../db/client";
import { orderItems, products } from "../db/schema";
import { stockChangeIsVisible } from "../domain/catalog";
import { productTag, purgeTags } from "./catalog-cache";
import { stockStub } from "./stock";
import type { Subscriber } from "./subscriber";

/**
 * Copies the object's current level into the catalog (asking the object rather than trusting the event:
 * events may arrive out of order, the object is always the latest) and purges the product's cached responses
 * when the movement is one a shopper should see at once (stockChangeIsVisible).
 */
export async function refreshCatalogStock(
  env: Env,
  sku: string,
  movement: { reason: string; before: number; after: number },
): Promise<void> {
  const result = await stockStub(env, sku).lookup(sku);
  if (!result.ok) return;
  const { onHand, reserved, available } = result.level;
  const written = await getDb(env.DB)
    .update(products)
    .set({ stockOnHand: onHand, stockReserved: reserved, stockAvailable: available })
    .where(
      and(
        eq(products.sku, sku),
        or(
          ne(products.stockOnHand, onHand),
          ne(products.stockReserved, reserved),
          ne(products.stockAvailable, available),
        ),
      ),
    )
    .returning({ threshold: products.lowStockThreshold });
  // An unchanged snapshot (an earlier handler of a burst already wrote the latest level) purges nothing.
  const row = written[0];
  if (row && stockChangeIsVisible(movement.reason, movement.before, movement.after, row.threshold)) {
    await purgeTags(env, [productTag(sku)]);
  }
}

const distinctSkus = (items: readonly { sku: string }[]) => [...new Set(items.map((i) => i.sku))];

export const inventorySubscriber: Subscriber = {
  name: "inventory",
  types: ["InventoryAdjusted", "OrderConfirmed", "OrderCancelled"],
  async handle(event, env) {
    switch (event.type) {
      case "InventoryAdjusted":
        await refreshCatalogStock(env, event.data.sku, {
          reason: event.data.reason,
          before: event.data.before.available,
          after: event.data.after.available,
        });
        return;
      case "OrderConfirmed": {
        // OrderFlow commits directly too; committing a committed order changes nothing.
        const { orderId } = event.data;
        await Promise.all(distinctSkus(event.data.items).map((sku) => stockStub(env, sku).commit(sku, orderId)));
        return;
      }
      case "OrderCancelled": {
        // The event carries no items: the order's lines are in D1. "return" drops a reservation or puts a
        // committed sale back on hand, once.
        const { orderId } = event.data;
        const lines = await getDb(env.DB)
          .select({ sku: orderItems.sku })
          .from(orderItems)
          .where(eq(orderItems.orderId, orderId));
        await Promise.all(distinctSkus(lines).map((sku) => stockStub(env, sku).release(sku, orderId, "return")));
        return;
      }
    }
  },
};
