/**
 * The Sales service's subscriber: folds every event that moves sales into the rollup the overview reads
 * (src/domain/sales.ts says what counts). Idempotent per event by its own key: the fact rows are keyed by the
 * event id and inserted OR IGNORE, and only a new fact fires the triggers that add it to its hour and day. One D1
 * batch per queue delivery, whatever it holds (a sale's delivery carries dozens of confirmations), and no dedup
 * marks from the bus.
 */
import { config } from "../../config";
import { recordSalesFacts } from "../../db/sales-facts";
import { localSlot, SALES_EVENT_TYPES, salesFactOf } from "../../domain/sales";
import type { BatchSubscriber } from "./subscriber";

export const salesRollupSubscriber: BatchSubscriber = {
  name: "sales-rollup",
  types: SALES_EVENT_TYPES,
  async handleBatch(events, env) {
    const cfg = config(env);
    const sales = events.flatMap((event) => {
      const sale = salesFactOf(event, cfg.currency);
      return sale ? [{ ...sale, slot: localSlot(sale.fact.occurredAt, cfg.timeZone) }] : [];
    });
    await recordSalesFacts(env.DB, sales);
  },
};
