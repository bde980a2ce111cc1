import { env } from "cloudflare:workers";
import { getDb } from "../src/db/client";
import { products } from "../src/db/schema";

/** A fresh catalog product (and so a fresh ProductStock object) with `onHand` units; `prefix` starts its SKU. */
export async function stockProduct(onHand: number, lowStockThreshold: number, prefix = "T"): Promise<string> {
  const sku = `${prefix}-${crypto.randomUUID()}`;
  const now = Date.now();
  await getDb(env.DB)
    .insert(products)
    .values({
      sku,
      name: `Test ${sku}`,
      material: "silver",
      colour: "blue",
      priceCents: 1000,
      lowStockThreshold,
      stockOnHand: onHand,
      stockReserved: 0,
      stockAvailable: onHand,
      createdAt: now,
      updatedAt: now,
    });
  return sku;
}
