/**
 * Reads of the orders' D1 mirror for staff and access checks (the mirror itself is written by OrderFlow,
 * src/db/order-mirror.ts). Lists are keyset-paged newest first (`src/lib/cursor.ts`).
 */
import { and, desc, eq, gte, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { parseOrderNumber } from "../domain/order-numbers";
import type { Cursor } from "../lib/cursor";
import { encodeCursor } from "../lib/cursor";
import type { Page } from "./accounts";
import type { Db } from "./client";
import { orderItems, orders } from "./schema";

/** True when the mirror has the order (an unknown id must not create an order object). */
export async function orderExists(db: Db, orderId: string): Promise<boolean> {
  return (await db.select({ id: orders.id }).from(orders).where(eq(orders.id, orderId)).get()) !== undefined;
}

/** Who may act on the order (its customer, and the hash of its access token), or undefined for no such order. */
export async function orderAccess(db: Db, orderId: string) {
  return db
    .select({ customerId: orders.customerId, accessTokenHash: orders.accessTokenHash })
    .from(orders)
    .where(eq(orders.id, orderId))
    .get();
}

/** The order's e-mail address, or undefined when the mirror has no such order. */
export async function orderEmail(db: Db, orderId: string): Promise<string | undefined> {
  return (await db.select({ email: orders.email }).from(orders).where(eq(orders.id, orderId)).get())?.email;
}

/** The order's mirror row and its lines, or undefined when D1 does not hold the order. */
export async function orderWithItems(db: Db, orderId: string) {
  const [order, items] = await db.batch([
    db.select().from(orders).where(eq(orders.id, orderId)),
    db.select().from(orderItems).where(eq(orderItems.orderId, orderId)),
  ]);
  const row = order[0];
  return row ? { order: row, items } : undefined;
}

/** The console's order filters; every one optional. `customer`: a customer id or an e-mail address. */
export type StaffOrderSearch = {
  status?: string;
  from?: number;
  to?: number;
  customer?: string;
  /** An order number (`#1001` or `1001`), or part of the email or the shipping name, any case. */
  q?: string;
  cursor?: Cursor;
  limit: number;
};

/** `%`, `_` and `\` in a search are literal characters, not LIKE wildcards. */
const likeTerm = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

function staffOrderFilters(q: StaffOrderSearch): (SQL | undefined)[] {
  const filters: (SQL | undefined)[] = [];
  if (q.status) filters.push(eq(orders.status, q.status));
  if (q.from !== undefined) filters.push(gte(orders.createdAt, q.from));
  if (q.to !== undefined) filters.push(lte(orders.createdAt, q.to));
  if (q.customer) {
    filters.push(
      q.customer.includes("@")
        ? eq(orders.email, q.customer.toLowerCase())
        : or(eq(orders.customerId, q.customer), eq(orders.email, q.customer.toLowerCase())),
    );
  }
  if (q.q) {
    const number = parseOrderNumber(q.q);
    const term = likeTerm(q.q);
    filters.push(
      or(
        number !== null ? eq(orders.number, number) : undefined,
        sql`lower(${orders.email}) LIKE ${term} ESCAPE '\\'`,
        sql`lower(json_extract(${orders.shippingAddress}, '$.name')) LIKE ${term} ESCAPE '\\'`,
      ),
    );
  }
  if (q.cursor) {
    filters.push(
      or(lt(orders.createdAt, q.cursor.at), and(eq(orders.createdAt, q.cursor.at), lt(orders.id, q.cursor.id))),
    );
  }
  return filters;
}

/** One page of the console's order list, newest first, with each order's item count. */
export async function searchOrdersForStaff(db: Db, q: StaffOrderSearch) {
  const rows = await db
    .select({
      id: orders.id,
      number: orders.number,
      name: sql<string | null>`json_extract(${orders.shippingAddress}, '$.name')`,
      status: orders.status,
      version: orders.version,
      email: orders.email,
      customerId: orders.customerId,
      subtotalCents: orders.subtotalCents,
      shippingCents: orders.shippingCents,
      taxCents: orders.taxCents,
      totalCents: orders.totalCents,
      currency: orders.currency,
      riskScore: orders.riskScore,
      riskReasons: orders.riskReasons,
      trackingNumber: orders.trackingNumber,
      createdAt: orders.createdAt,
      updatedAt: orders.updatedAt,
      itemCount: sql<number>`(SELECT COALESCE(SUM(${orderItems.qty}), 0) FROM ${orderItems} WHERE ${orderItems.orderId} = ${orders.id})`,
    })
    .from(orders)
    .where(and(...staffOrderFilters(q)))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(q.limit + 1);
  const items = rows.slice(0, q.limit);
  const last = items.at(-1);
  const page: Page<(typeof rows)[number]> = {
    items,
    nextCursor: rows.length > q.limit && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null,
  };
  return page;
}
