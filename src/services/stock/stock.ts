/** Typed access to the ProductStock Durable Object of one SKU (the one authority on its stock). */
import type { ProductStock } from "../../durable/product-stock";

export function stockStub(env: Env, sku: string): DurableObjectStub<ProductStock> {
  return env.PRODUCT_STOCK.getByName(sku);
}
