/**
 * Invoices in D1 (`invoices`), for orders and subscription periods alike: one gap-free sequence of numbers,
 * taken inside the INSERT itself (MAX(number)+1), so two invoices can never take the same number; a unique
 * conflict (another writer won the race) is retried by `retryOnInvoiceNumber`. Each invoice's InvoiceGenerated
 * event is inserted in the same batch, built from the row just written, and only if that row is ours.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { EVENT_SCHEMA_VERSION } from "../domain/events";
import type { Db } from "./client";
import { bound, preparedOnce } from "./prepared";
import { events, invoices, orderItems, orders } from "./schema";

export type InvoiceView = {
  id: string;
  number: number;
  orderId: string | null;
  customerId: string | null;
  email: string;
  lines: { description: string; qty: number; unitPriceCents: number; lineTotalCents: number }[];
  subtotalCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
  currency: string;
  status: "open" | "paid" | "void";
  issuedAt: number;
};

const MAX_ATTEMPTS = 5;

/** An invoice to write; its `number` is assigned by the INSERT. */
export type NewInvoice = Omit<InvoiceView, "number" | "orderId"> & {
  orderId: string | null;
  subscriptionId: string | null;
  periodStart: number | null;
  periodEnd: number | null;
};

/**
 * The statements, for one D1 batch, that write `invoice` with the next gap-free number and log its
 * InvoiceGenerated event (id `eventId`) built from the row just written. MAX(number)+1 is computed inside the
 * INSERT itself; an invoice already there for the same order, or for the same subscription period, makes both
 * statements do nothing (the event is only logged for a row carrying our id). Run the batch through
 * `retryOnInvoiceNumber`: another writer taking the number between MAX() and the insert fails the batch.
 */
export function numberedInvoiceStatements(
  db: Db,
  invoice: NewInvoice,
  eventId: string,
  now = invoice.issuedAt,
  /** When the event is logged as published already (its publisher re-sends it should the queue refuse it). */
  publishedAt: number | null = null,
): [BatchItem<"sqlite">, BatchItem<"sqlite">] {
  const i = invoice;
  const target = i.orderId !== null ? "order" : "period";
  const values = {
    id: i.id,
    customerId: i.customerId,
    orderId: i.orderId,
    subscriptionId: i.subscriptionId,
    email: i.email,
    lines: JSON.stringify(i.lines),
    subtotalCents: i.subtotalCents,
    shippingCents: i.shippingCents,
    taxCents: i.taxCents,
    totalCents: i.totalCents,
    currency: i.currency,
    status: i.status,
    periodStart: i.periodStart,
    periodEnd: i.periodEnd,
    issuedAt: i.issuedAt,
    eventId,
    now,
    publishedAt,
  };
  return [bound(insertNumbered(db, target), values), bound(logGenerated(db), values)];
}

/**
 * The numbered INSERT … SELECT of an invoice, its conflict target an order's invoice or a subscription period's;
 * every paid order writes one: rendered once per isolate (./prepared.ts). Through drizzle (it checks the selected
 * fields match the table's columns, in order); `WHERE true` keeps SQLite from reading the upsert's ON as a join
 * constraint.
 */
const insertNumbered = (db: Db, target: "order" | "period") =>
  preparedOnce(db, `invoices.insert_numbered.${target}`, () => {
    const p = (name: string) => sql`${sql.placeholder(name)}`;
    const numbered = db
      .select({
        id: p("id").as("id"),
        number: sql`COALESCE(MAX(${invoices.number}), 0) + 1`.as("number"),
        customerId: p("customerId").as("customerId"),
        orderId: p("orderId").as("orderId"),
        subscriptionId: p("subscriptionId").as("subscriptionId"),
        email: p("email").as("email"),
        lines: p("lines").as("lines"),
        subtotalCents: p("subtotalCents").as("subtotalCents"),
        shippingCents: p("shippingCents").as("shippingCents"),
        taxCents: p("taxCents").as("taxCents"),
        totalCents: p("totalCents").as("totalCents"),
        currency: p("currency").as("currency"),
        status: p("status").as("status"),
        periodStart: p("periodStart").as("periodStart"),
        periodEnd: p("periodEnd").as("periodEnd"),
        issuedAt: p("issuedAt").as("issuedAt"),
      })
      .from(invoices)
      .where(sql`true`);
    return db
      .insert(invoices)
      .select(numbered)
      .onConflictDoNothing({
        target: target === "order" ? invoices.orderId : [invoices.subscriptionId, invoices.periodStart],
      });
  });

/** The invoice's InvoiceGenerated, built from the row just written (only a row carrying our id), rendered once. */
const logGenerated = (db: Db) =>
  preparedOnce(db, "invoices.log_generated", () => {
    const p = (name: string) => sql`${sql.placeholder(name)}`;
    const generated = db
      .select({
        id: p("eventId").as("id"),
        type: sql`'InvoiceGenerated'`.as("type"),
        version: sql`${EVENT_SCHEMA_VERSION}`.as("version"),
        occurredAt: p("now").as("occurredAt"),
        source: sql`'billing'`.as("source"),
        subject: sql`'invoice:' || ${invoices.id}`.as("subject"),
        data: sql`json_object('invoiceId', ${invoices.id}, 'number', ${invoices.number}, 'customerId', ${invoices.customerId},
        'email', ${invoices.email}, 'orderId', ${invoices.orderId}, 'subscriptionId', ${invoices.subscriptionId},
        'totalCents', ${invoices.totalCents}, 'currency', ${invoices.currency})`.as("data"),
        publishedAt: p("publishedAt").as("publishedAt"),
      })
      .from(invoices)
      .where(eq(invoices.id, sql.placeholder("id")));
    return db.insert(events).select(generated);
  });

/** Runs `write` (a batch holding `numberedInvoiceStatements`) again while another invoice took its number. */
export async function retryOnInvoiceNumber<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      // Another invoice took the number between MAX() and the insert: try again with the next one.
      if (attempt >= MAX_ATTEMPTS || !/UNIQUE constraint failed: invoices\.number/.test(String(err))) throw err;
    }
  }
}

/** The rows of events already in the log, by id (those whose data the SQL built, as InvoiceGenerated). */
export async function loggedEvents(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(events)
    .where(inArray(events.id, [...ids]));
}

/** The id of the invoice of order `orderId` (placeholder), rendered once per isolate. */
const invoiceIdOfOrder = (db: Db) =>
  preparedOnce(db, "invoices.id_of_order", () =>
    db
      .select({ id: invoices.id })
      .from(invoices)
      .where(eq(invoices.orderId, sql.placeholder("orderId"))),
  );

/**
 * What the invoices of confirmed orders are made from, for each of `orderIds` in one D1 round trip: the invoice
 * it has already (if any), the order's mirror row and its items.
 */
export async function orderInvoiceSources(db: Db, orderIds: readonly string[]) {
  const order = preparedOnce(db, "invoices.source_order", () =>
    db
      .select()
      .from(orders)
      .where(eq(orders.id, sql.placeholder("orderId"))),
  );
  const items = preparedOnce(db, "invoices.source_items", () =>
    db
      .select()
      .from(orderItems)
      .where(eq(orderItems.orderId, sql.placeholder("orderId"))),
  );
  const [first, ...rest] = orderIds.flatMap((orderId) => [
    bound(invoiceIdOfOrder(db), { orderId }),
    bound(order, { orderId }),
    bound(items, { orderId }),
  ]);
  if (!first) return [];
  const results = await db.batch([first, ...rest]);
  return orderIds.map((orderId, i) => {
    const [existing, orderRows, itemRows] = results.slice(3 * i, 3 * i + 3) as [
      { id: string }[],
      (typeof orders.$inferSelect)[],
      (typeof orderItems.$inferSelect)[],
    ];
    return { orderId, invoiceId: existing[0]?.id, order: orderRows[0], items: itemRows };
  });
}

/**
 * Writes orders' invoices and their InvoiceGenerated (`numberedInvoiceStatements`, numbered one after the other
 * in the batch's transaction) and, in the same round trip, reads back the id of the invoice each order now has
 * (ours, or another writer's) and each event row as logged (absent when the invoice was not ours). The whole
 * batch is retried while another invoice took a number.
 */
export async function writeOrderInvoices(
  db: Db,
  written: readonly { invoice: NewInvoice & { orderId: string }; eventId: string }[],
  publishedAt: number | null = null,
) {
  const [first, ...rest] = written.flatMap(({ invoice, eventId }) => [
    ...numberedInvoiceStatements(db, invoice, eventId, invoice.issuedAt, publishedAt),
    bound(invoiceIdOfOrder(db), { orderId: invoice.orderId }),
    bound(loggedEvent(db), { eventId }),
  ]);
  if (!first) return [];
  const results = await retryOnInvoiceNumber(() => db.batch([first, ...rest]));
  return written.map((_, i) => {
    const stored = results[4 * i + 2] as { id: string }[];
    const logged = results[4 * i + 3] as (typeof events.$inferSelect)[];
    return { invoiceId: stored[0]?.id, logged: logged[0] };
  });
}

/** The event row `eventId` (placeholder) as logged, rendered once per isolate. */
const loggedEvent = (db: Db) =>
  preparedOnce(db, "events.by_id", () =>
    db
      .select()
      .from(events)
      .where(eq(events.id, sql.placeholder("eventId"))),
  );

/** The InvoiceGenerated logged for an invoice (to send again when the event that made it is redelivered). */
export async function loggedInvoiceGenerated(db: Db, invoiceId: string) {
  return db
    .select()
    .from(events)
    .where(and(eq(events.type, "InvoiceGenerated"), eq(events.subject, `invoice:${invoiceId}`)));
}

/** The id of the order's invoice, or undefined when it has none (yet). */
export async function orderInvoiceId(db: Db, orderId: string): Promise<string | undefined> {
  return (await db.select({ id: invoices.id }).from(invoices).where(eq(invoices.orderId, orderId)).get())?.id;
}

/** The invoice of an order as JSON, or null when it has none (yet). */
export async function findOrderInvoice(db: Db, orderId: string): Promise<InvoiceView | null> {
  const row = await db.select().from(invoices).where(eq(invoices.orderId, orderId)).get();
  if (!row) return null;
  return {
    id: row.id,
    number: row.number,
    orderId: row.orderId,
    customerId: row.customerId,
    email: row.email,
    lines: row.lines,
    subtotalCents: row.subtotalCents,
    shippingCents: row.shippingCents,
    taxCents: row.taxCents,
    totalCents: row.totalCents,
    currency: row.currency,
    status: row.status,
    issuedAt: row.issuedAt,
  };
}
