/**
 * The Sales service's subscriber: folds every event that moves sales into the rollup the overview reads
 * (src/domain/sales.ts says what counts). Idempotent per event by its own key: the fact rows are keyed by the
 * event id and inserted OR IGNORE, and only a new fact fires the triggers that add it to its hour and day. One D1
 * batch per event, no dedup marks from the bus.
 */
import { config } from "../../config";
import { recordSalesFact } from "../../db/sales-facts";
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
    await recordSalesFact(env.DB, fact, products, localSlot(fact.occurredAt, cfg.timeZone));
  },
};
