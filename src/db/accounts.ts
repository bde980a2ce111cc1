/**
 * Queries behind the auth, account and back-office routes: plain `(db, args)` functions returning the JSON
 * shapes the API answers with. Lists are keyset-paged newest first (`src/lib/cursor.ts`).
 */
import { and, count, desc, eq, getTableColumns, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { TimelineEntry } from "../domain/order-machine";
import { shopperTimeline } from "../domain/order-wording";
import { type Cursor, encodeCursor } from "../lib/cursor";
import type { Db } from "./client";
import { customers, invoices, notifications, orderItems, orders } from "./schema";

type CustomerRow = typeof customers.$inferSelect;
type OrderRow = typeof orders.$inferSelect;

export type Page<T> = { items: T[]; nextCursor: string | null };
export type PageArgs = { cursor?: Cursor; limit: number };

/** `{id, email, name, role}`: what /api/me and the auth routes answer with. */
export function publicUser(row: Pick<CustomerRow, "id" | "email" | "name" | "role">) {
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}
export type PublicUser = ReturnType<typeof publicUser>;

/** The signed-in customer's own profile (GET/PATCH /api/account/profile). */
export function profileView(row: CustomerRow) {
  return { ...publicUser(row), shippingAddress: row.shippingAddress ?? null, createdAt: row.createdAt };
}

/** An account as the back office sees it (staff list, customer search). Never the password hash. */
export function accountView(row: CustomerRow) {
  return {
    ...publicUser(row),
    active: row.active,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function findAccountByEmail(db: Db, email: string): Promise<CustomerRow | undefined> {
  return db.select().from(customers).where(eq(customers.email, email)).get();
}

export async function findAccountById(db: Db, id: string): Promise<CustomerRow | undefined> {
  return db.select().from(customers).where(eq(customers.id, id)).get();
}

export type NewAccount = typeof customers.$inferInsert;

/** Creates an account; the returned statement answers the new row (awaited alone, or inside a `db.batch`). */
export function insertAccount(db: Db, values: NewAccount) {
  return db.insert(customers).values(values).returning();
}

/** Changes an account's own fields (profile, role, active) and answers the changed row, none if no such account. */
export function updateAccount(
  db: Db,
  args: { id: string; change: Partial<Pick<NewAccount, "name" | "shippingAddress" | "role" | "active">>; now: number },
) {
  return db
    .update(customers)
    .set({ ...args.change, updatedAt: args.now })
    .where(eq(customers.id, args.id))
    .returning();
}

/** Stores a new password hash for the account (a batch item: its sessions are revoked or rotated with it). */
export function setPasswordHash(db: Db, args: { id: string; passwordHash: string; now: number }) {
  return db
    .update(customers)
    .set({ passwordHash: args.passwordHash, updatedAt: args.now })
    .where(eq(customers.id, args.id));
}

/** The accounts' names by id (one query); ids with no account are absent. */
export async function accountNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: customers.id, name: customers.name })
    .from(customers)
    .where(inArray(customers.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** True for the error D1 raises when an insert hits `customers_email_unique` (a signup race). */
export function isEmailTakenError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (/UNIQUE constraint failed: customers\.email/i.test(e.message)) return true;
  }
  return false;
}

/** Rows strictly after `cursor` in newest-first `(at, id)` order. */
function after(at: SQLiteColumn, id: SQLiteColumn, cursor: Cursor | undefined): SQL | undefined {
  if (!cursor) return undefined;
  return or(lt(at, cursor.at), and(eq(at, cursor.at), lt(id, cursor.id)));
}

function page<R, T>(rows: R[], limit: number, key: (row: R) => Cursor, view: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(view), nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null };
}

function orderView(row: OrderRow, items: (typeof orderItems.$inferSelect)[]) {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    version: row.version,
    items: items.map((i) => ({
      sku: i.sku,
      name: i.name,
      qty: i.qty,
      unitPriceCents: i.unitPriceCents,
      lineTotalCents: i.lineTotalCents,
    })),
    totals: {
      subtotalCents: row.subtotalCents,
      shippingCents: row.shippingCents,
      taxCents: row.taxCents,
      totalCents: row.totalCents,
      currency: row.currency,
    },
    email: row.email,
    shippingAddress: row.shippingAddress,
    trackingNumber: row.trackingNumber,
    // The mirror keeps the staff's timeline; the account is the owner's view (src/domain/order-wording.ts).
    timeline: shopperTimeline(row.timeline as TimelineEntry[]),
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type AccountOrder = ReturnType<typeof orderView>;

/** A customer's own orders with their lines, newest first. Fraud scores and the client IP stay internal. */
export async function listCustomerOrders(db: Db, customerId: string, args: PageArgs): Promise<Page<AccountOrder>> {
  const rows = await db
    .select()
    .from(orders)
    .where(and(eq(orders.customerId, customerId), after(orders.createdAt, orders.id, args.cursor)))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(args.limit + 1);
  const shown = rows.slice(0, args.limit);
  const lines =
    shown.length === 0
      ? []
      : await db
          .select()
          .from(orderItems)
          .where(
            inArray(
              orderItems.orderId,
              shown.map((o) => o.id),
            ),
          )
          .orderBy(orderItems.orderId, orderItems.sku);
  const byOrder = Map.groupBy(lines, (l) => l.orderId);
  return page(
    rows,
    args.limit,
    (o) => ({ at: o.createdAt, id: o.id }),
    (o) => orderView(o, byOrder.get(o.id) ?? []),
  );
}

function invoiceView(row: typeof invoices.$inferSelect & { orderNumber?: number | null }) {
  return {
    id: row.id,
    number: row.number,
    orderId: row.orderId,
    orderNumber: row.orderNumber ?? null,
    subscriptionId: row.subscriptionId,
    email: row.email,
    lines: row.lines,
    subtotalCents: row.subtotalCents,
    shippingCents: row.shippingCents,
    taxCents: row.taxCents,
    totalCents: row.totalCents,
    currency: row.currency,
    status: row.status,
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    issuedAt: row.issuedAt,
  };
}

export async function listCustomerInvoices(db: Db, customerId: string, args: PageArgs) {
  const rows = await db
    .select({ ...getTableColumns(invoices), orderNumber: orders.number })
    .from(invoices)
    .leftJoin(orders, eq(orders.id, invoices.orderId))
    .where(and(eq(invoices.customerId, customerId), after(invoices.issuedAt, invoices.id, args.cursor)))
    .orderBy(desc(invoices.issuedAt), desc(invoices.id))
    .limit(args.limit + 1);
  return page(rows, args.limit, (r) => ({ at: r.issuedAt, id: r.id }), invoiceView);
}

function notificationView(row: typeof notifications.$inferSelect) {
  return {
    id: row.id,
    channel: row.channel,
    template: row.template,
    recipient: row.recipient,
    subject: row.subject,
    body: row.body,
    html: row.html,
    status: row.status,
    createdAt: row.createdAt,
  };
}

/**
 * Messages sent to this customer (audience `customer`); staff alerts never appear here. The e-mail is the
 * record: the same message's push and SMS copies are not listed again.
 */
export async function listCustomerNotifications(db: Db, customerId: string, args: PageArgs) {
  const rows = await db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.audience, "customer"),
        eq(notifications.channel, "email"),
        eq(notifications.customerId, customerId),
        after(notifications.createdAt, notifications.id, args.cursor),
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(args.limit + 1);
  return page(rows, args.limit, (r) => ({ at: r.createdAt, id: r.id }), notificationView);
}

/** `%text%` for LIKE with the wildcards in `text` taken literally (paired with ESCAPE '\'). */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** Customer accounts whose email or name contains `q` (case-insensitive), newest first. */
export async function searchCustomers(db: Db, args: PageArgs & { q?: string }) {
  const q = args.q?.trim();
  const pattern = q ? containsPattern(q) : undefined;
  const rows = await db
    .select()
    .from(customers)
    .where(
      and(
        eq(customers.role, "customer"),
        pattern
          ? sql`(${customers.email} LIKE ${pattern} ESCAPE '\\' OR ${customers.name} LIKE ${pattern} ESCAPE '\\')`
          : undefined,
        after(customers.createdAt, customers.id, args.cursor),
      ),
    )
    .orderBy(desc(customers.createdAt), desc(customers.id))
    .limit(args.limit + 1);
  return page(rows, args.limit, (r) => ({ at: r.createdAt, id: r.id }), accountView);
}

export const RECENT_ORDERS = 10;

/** One customer for the back office: profile, how many orders, the latest few. */
export async function customerDetail(db: Db, id: string) {
  const [rows, counted, recent] = await db.batch([
    db
      .select()
      .from(customers)
      .where(and(eq(customers.id, id), eq(customers.role, "customer"))),
    db.select({ n: count() }).from(orders).where(eq(orders.customerId, id)),
    db
      .select({
        id: orders.id,
        status: orders.status,
        totalCents: orders.totalCents,
        currency: orders.currency,
        createdAt: orders.createdAt,
      })
      .from(orders)
      .where(eq(orders.customerId, id))
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(RECENT_ORDERS),
  ]);
  const row = rows[0];
  if (!row) return null;
  return {
    customer: { ...accountView(row), shippingAddress: row.shippingAddress ?? null },
    orderCount: counted[0]?.n ?? 0,
    recentOrders: recent,
  };
}

/** Staff and admin accounts, active ones first, then by name. */
export async function listStaff(db: Db) {
  const rows = await db
    .select()
    .from(customers)
    .where(inArray(customers.role, ["staff", "admin"]))
    .orderBy(desc(customers.active), customers.name, customers.id);
  return rows.map(accountView);
}
