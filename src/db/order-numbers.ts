/**
 * Takes the next order number from D1 `counters` in one statement (an UPSERT with RETURNING is atomic in D1),
 * so two checkouts never share a number. The checkout takes one only once the stock is held, in the same D1
 * round trip as the price read, so a refusal uses none; a price that changed since the quote, a replay found
 * when claiming the key, or a creation that fails leaves a gap: order numbers are for reading out, not an
 * accounting sequence (credit notes and invoices are gap-free, see their services).
 */
import { sql } from "drizzle-orm";
import { FIRST_ORDER_NUMBER } from "../domain/order-numbers";
import type { Db } from "./client";
import { bound, preparedOnce } from "./prepared";
import { counters } from "./schema";

/** Every checkout takes one: rendered once per isolate (./prepared.ts). */
const takeNumber = (db: Db) =>
  preparedOnce(db, "counters.order_number", () =>
    db
      .insert(counters)
      .values({ name: "order_number", value: FIRST_ORDER_NUMBER })
      .onConflictDoUpdate({ target: counters.name, set: { value: sql`${counters.value} + 1` } })
      .returning({ value: counters.value }),
  );

/** The statement that takes the next number, to put in a D1 batch; read its answer with `orderNumberOf`. */
export function takeOrderNumber(db: Db) {
  return bound(takeNumber(db), {});
}

export function orderNumberOf(rows: readonly { value: number }[]): number {
  const row = rows[0];
  if (!row) throw new Error("the order number counter returned nothing");
  return row.value;
}

export async function nextOrderNumber(db: Db): Promise<number> {
  return orderNumberOf(await takeNumber(db).all({}));
}
