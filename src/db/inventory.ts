/**
 * Stock as the console reads it from D1: the catalog's snapshot of each SKU's levels (written by ProductStock
 * with its events; the object is the truth) and a SKU's adjustment history from the event log. Also the
 * object's side of that snapshot: the write, and the opening balance a new ProductStock starts from.
 */
import { and, asc, desc, eq, gt, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { type Cursor, encodeCursor } from "../lib/cursor";
import type { Page } from "./accounts";
import type { Db } from "./client";
import { bound, preparedOnce } from "./prepared";
import { events, products } from "./schema";

/**
 * One page of every SKU's levels by SKU; `low` keeps those at or under their threshold, `q` matches part of the
 * SKU or the name (any case). The cursor is the last SKU of the previous page.
 */
export async function listInventory(db: Db, query: { low: boolean; q?: string; cursor?: string; limit: number }) {
  const where: SQL[] = [];
  if (query.low) where.push(lte(products.stockAvailable, products.lowStockThreshold));
  if (query.q) {
    const needle = query.q.toLowerCase();
    where.push(
      or(sql`instr(lower(${products.sku}), ${needle}) > 0`, sql`instr(lower(${products.name}), ${needle}) > 0`)!,
    );
  }
  if (query.cursor) where.push(gt(products.sku, query.cursor));
  const rows = await db
    .select({
      sku: products.sku,
      name: products.name,
      active: products.active,
      onHand: products.stockOnHand,
      reserved: products.stockReserved,
      available: products.stockAvailable,
      lowStockThreshold: products.lowStockThreshold,
    })
    .from(products)
    .where(and(...where))
    .orderBy(asc(products.sku))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const page: Page<(typeof rows)[number]> = {
    items,
    nextCursor: rows.length > query.limit ? (items.at(-1)?.sku ?? null) : null,
  };
  return page;
}

/** One page of the SKU's InventoryAdjusted events, newest first. */
export async function listStockHistory(db: Db, args: { sku: string; cursor?: Cursor; limit: number }) {
  const { sku, cursor, limit } = args;
  const where: SQL[] = [eq(events.subject, `sku:${sku}`), eq(events.type, "InventoryAdjusted")];
  if (cursor) {
    where.push(or(lt(events.occurredAt, cursor.at), and(eq(events.occurredAt, cursor.at), lt(events.id, cursor.id)))!);
  }
  const rows = await db
    .select({
      id: events.id,
      type: events.type,
      occurredAt: events.occurredAt,
      subject: events.subject,
      data: events.data,
    })
    .from(events)
    .where(and(...where))
    .orderBy(desc(events.occurredAt), desc(events.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const page: Page<(typeof rows)[number]> = {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.occurredAt, id: last.id }) : null,
  };
  return page;
}

/**
 * The statement that writes a SKU's levels into its catalog row (ProductStock's mirror), to await or to put in
 * the D1 batch that delivers the object's events.
 */
export function catalogStockLevel(db: Db, level: { sku: string; onHand: number; reserved: number; available: number }) {
  // Every stock flush writes it: rendered once per isolate (./prepared.ts).
  const update = preparedOnce(db, "products.stock_level", () =>
    db
      .update(products)
      .set({
        stockOnHand: sql`${sql.placeholder("onHand")}`,
        stockReserved: sql`${sql.placeholder("reserved")}`,
        stockAvailable: sql`${sql.placeholder("available")}`,
      })
      .where(eq(products.sku, sql.placeholder("sku"))),
  );
  return bound(update, level);
}

/** What the catalog row holds for a new ProductStock to open with (on hand, threshold); undefined: no such SKU. */
export async function openingStockOf(db: Db, sku: string) {
  return db
    .select({ onHand: products.stockOnHand, threshold: products.lowStockThreshold })
    .from(products)
    .where(eq(products.sku, sku))
    .get();
}
