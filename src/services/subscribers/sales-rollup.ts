/**
 * The Sales service's subscriber: folds every event that moves sales into the rollup the overview reads
 * (src/domain/sales.ts says what counts). Idempotent per event by its own key: the fact rows are keyed by the
 * event id and inserted OR IGNORE, and only a new fact fires the triggers that add it to its hour and day. One D1
 * batch per event, no dedup marks from the bus.
 */
import { config } from "../../config";
import { localSlot, SALES_EVENT_TYPES, salesFactOf } from "../../domain/sales";
import type { EventSubscriber } from "./subscriber";

export const salesRollupSubscriber: EventSubscriber = {
  name: "sales-rollup",
  types: SALES_EVENT_TYPES,
  async handle(event, env) {
    const cfg = config(env);
    const sale = salesFactOf(event, cfg.currency);
    if (!sale) return;
    const { fact, products } = sale;
    const { day, hour } = localSlot(fact.occurredAt, cfg.timeZone);
    await env.DB.batch([
      env.DB.prepare(
        "INSERT OR IGNORE INTO sales_facts (event_id, day, hour, currency, orders, gross_cents, refund_cents, cancellations, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ).bind(
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
        env.DB.prepare(
          "INSERT OR IGNORE INTO sales_product_facts (event_id, sku, day, currency, qty, revenue_cents) VALUES (?, ?, ?, ?, ?, ?)",
        ).bind(fact.eventId, p.sku, day, fact.currency, p.qty, p.revenueCents),
      ),
    ]);
  },
};
