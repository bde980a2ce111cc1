/**
 * The Inventory service's side of the bus. Keeps the catalog's stock snapshot (D1 `products.stock_*`) current
 * from the ProductStock objects, and settles stock when orders are confirmed or cancelled. Every action is
 * idempotent, so a redelivered or reordered event does no harm.
 */
import { eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { orderItems, products } from "../db/schema";
import { stockChangeIsVisible } from "../domain/catalog";
import type { EventEnvelope } from "../domain/events";
import { productTag, purgeTags } from "./catalog-cache";
import { stockStub } from "./stock";
import type { Subscriber } from "./subscriber";

/**
 * Purges the product's cached catalog responses when a movement is one a shopper should see at once
 * (stockChangeIsVisible). The catalog's stock columns themselves are written by the ProductStock object, in
 * the same D1 batch as its events; the event carries the threshold, so deciding costs no I/O.
 */
export async function purgeVisibleStockChange(env: Env, event: EventEnvelope<"InventoryAdjusted">): Promise<void> {
  const { sku, reason, before, after, lowStockThreshold } = event.data;
  const threshold =
    lowStockThreshold ??
    (await getDb(env.DB).select({ t: products.lowStockThreshold }).from(products).where(eq(products.sku, sku)).get())
      ?.t ??
    0;
  if (stockChangeIsVisible(reason, before.available, after.available, threshold)) {
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
        await purgeVisibleStockChange(env, event);
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
