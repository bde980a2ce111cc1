/**
 * Writes of the sales rollup's facts (src/services/subscribers/sales-rollup.ts): one row per event and one per
 * product line, inserted OR IGNORE by event id, so only a new fact fires the triggers that add it to its hour
 * and day.
 */
import type { LocalSlot, ProductSale, SalesFact } from "../domain/sales";

/** Records events' sales facts and their products' lines in one D1 batch, each in its fact's local slot. */
export async function recordSalesFacts(
  db: D1Database,
  sales: readonly { fact: SalesFact; products: readonly ProductSale[]; slot: LocalSlot }[],
): Promise<void> {
  const statements = sales.flatMap(({ fact, products, slot: { day, hour } }) => [
    db
      .prepare(
        "INSERT OR IGNORE INTO sales_facts (event_id, day, hour, currency, orders, gross_cents, refund_cents, cancellations, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .bind(
        fact.eventId,
        day,
        hour,
        fact.currency,
        fact.orders,
        fact.grossCents,
        fact.refundCents,
        fact.cancellations,
        fact.occurredAt,
      ),
    ...products.map((p) =>
      db
        .prepare(
          "INSERT OR IGNORE INTO sales_product_facts (event_id, sku, day, currency, qty, revenue_cents) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(fact.eventId, p.sku, day, fact.currency, p.qty, p.revenueCents),
    ),
  ]);
  if (statements.length > 0) await db.batch(statements);
}
