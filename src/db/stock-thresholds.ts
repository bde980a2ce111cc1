/** The low-stock threshold a product's catalog row holds (the inventory subscriber, for events without one). */
import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { products } from "./schema";

/** SKU `sku`'s low-stock threshold, or undefined when there is no such product. */
export async function lowStockThresholdOf(db: Db, sku: string) {
  return (await db.select({ t: products.lowStockThreshold }).from(products).where(eq(products.sku, sku)).get())?.t;
}
