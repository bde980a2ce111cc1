/**
 * The Inventory service's side of the bus: keeps cached catalog responses fresh when stock moves visibly.
 * Idempotent, so a redelivered or reordered event does no harm.
 */
import { getDb } from "../../db/client";
import { lowStockThresholdOf } from "../../db/stock-thresholds";
import { stockChangeIsVisible } from "../../domain/catalog";
import type { EventEnvelope } from "../../domain/events";
import { productTag, purgeTags } from "../catalog/catalog-cache";
import type { EventSubscriber } from "./subscriber";

/**
 * Purges the product's cached catalog responses when a movement is one a shopper should see at once
 * (stockChangeIsVisible). The catalog's stock columns themselves are written by the ProductStock object, in
 * the same D1 batch as its events; the event carries the threshold, so deciding costs no I/O.
 */
export async function purgeVisibleStockChange(env: Env, event: EventEnvelope<"InventoryAdjusted">): Promise<void> {
  const { sku, reason, before, after, lowStockThreshold, shard } = event.data;
  // A shard's levels are not the SKU's: its parent writes the catalog's stock columns for the whole SKU.
  if (shard !== undefined) return;
  const threshold = lowStockThreshold ?? (await lowStockThresholdOf(getDb(env.DB), sku)) ?? 0;
  if (stockChangeIsVisible(reason, before.available, after.available, threshold)) {
    await purgeTags(env, [productTag(sku)]);
  }
}

/**
 * Purges the catalog on visible stock movements. It settles no stock: an order's reservations, sales and
 * returns are carried out by its OrderFlow alone (docs/owners.md), so OrderConfirmed and OrderCancelled are
 * none of its business.
 */
export const inventorySubscriber: EventSubscriber = {
  name: "inventory",
  types: ["InventoryAdjusted"],
  async handle(event, env) {
    if (event.type === "InventoryAdjusted") await purgeVisibleStockChange(env, event);
  },
};
