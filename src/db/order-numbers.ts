/**
 * Takes the next order number from D1 `counters` in one statement (an UPSERT with RETURNING is atomic in D1),
 * so two checkouts never share a number. The checkout takes one only once the stock is held and the key is
 * claimed, so a refusal uses none; an order whose creation then fails still leaves a gap: order numbers are
 * for reading out, not an accounting sequence (credit notes and invoices are gap-free, see their services).
 */
import { sql } from "drizzle-orm";
import { FIRST_ORDER_NUMBER } from "../domain/order-numbers";
import type { Db } from "./client";
import { counters } from "./schema";

export async function nextOrderNumber(db: Db): Promise<number> {
  const row = await db
    .insert(counters)
    .values({ name: "order_number", value: FIRST_ORDER_NUMBER })
    .onConflictDoUpdate({ target: counters.name, set: { value: sql`${counters.value} + 1` } })
    .returning({ value: counters.value })
    .get();
  if (!row) throw new Error("the order number counter returned nothing");
  return row.value;
}
