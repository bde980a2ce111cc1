/**
 * Invoices in D1 (`invoices`), for orders and subscription periods alike: one gap-free sequence of numbers,
 * taken inside the INSERT itself (MAX(number)+1), so two invoices can never take the same number; a unique
 * conflict (another writer won the race) is retried by `retryOnInvoiceNumber`. Each invoice's InvoiceGenerated
 * event is inserted in the same batch, built from the row just written, and only if that row is ours.
 */
import { eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { EVENT_SCHEMA_VERSION } from "../domain/events";
import type { Db } from "./client";
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
): [BatchItem<"sqlite">, BatchItem<"sqlite">] {
  const i = invoice;
  // INSERT … SELECT through drizzle (it checks the selected fields match the table's columns, in order); a raw
  // statement with parameters cannot go into drizzle's D1 batch. `WHERE true` keeps SQLite from reading the
  // upsert's ON as a join constraint.
  const numbered = db
    .select({
      id: sql`${i.id}`.as("id"),
      number: sql`COALESCE(MAX(${invoices.number}), 0) + 1`.as("number"),
      customerId: sql`${i.customerId}`.as("customerId"),
      orderId: sql`${i.orderId}`.as("orderId"),
      subscriptionId: sql`${i.subscriptionId}`.as("subscriptionId"),
      email: sql`${i.email}`.as("email"),
      lines: sql`${JSON.stringify(i.lines)}`.as("lines"),
      subtotalCents: sql`${i.subtotalCents}`.as("subtotalCents"),
      shippingCents: sql`${i.shippingCents}`.as("shippingCents"),
      taxCents: sql`${i.taxCents}`.as("taxCents"),
      totalCents: sql`${i.totalCents}`.as("totalCents"),
      currency: sql`${i.currency}`.as("currency"),
      status: sql`${i.status}`.as("status"),
      periodStart: sql`${i.periodStart}`.as("periodStart"),
      periodEnd: sql`${i.periodEnd}`.as("periodEnd"),
      issuedAt: sql`${i.issuedAt}`.as("issuedAt"),
    })
    .from(invoices)
    .where(sql`true`);
  const generated = db
    .select({
      id: sql`${eventId}`.as("id"),
      type: sql`'InvoiceGenerated'`.as("type"),
      version: sql`${EVENT_SCHEMA_VERSION}`.as("version"),
      occurredAt: sql`${now}`.as("occurredAt"),
      source: sql`'billing'`.as("source"),
      subject: sql`'invoice:' || ${invoices.id}`.as("subject"),
      data: sql`json_object('invoiceId', ${invoices.id}, 'number', ${invoices.number}, 'customerId', ${invoices.customerId},
        'email', ${invoices.email}, 'orderId', ${invoices.orderId}, 'subscriptionId', ${invoices.subscriptionId},
        'totalCents', ${invoices.totalCents}, 'currency', ${invoices.currency})`.as("data"),
      publishedAt: sql`NULL`.as("publishedAt"),
    })
    .from(invoices)
    .where(eq(invoices.id, i.id));
  return [
    db
      .insert(invoices)
      .select(numbered)
      .onConflictDoNothing({
        target: i.orderId !== null ? invoices.orderId : [invoices.subscriptionId, invoices.periodStart],
      }),
    db.insert(events).select(generated),
  ];
}

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

/** In one round trip: the order's invoice id if it has one, the order's mirror row and its items. */
export async function orderInvoiceSource(db: Db, orderId: string) {
  const [existing, order, items] = await db.batch([
    db.select({ id: invoices.id }).from(invoices).where(eq(invoices.orderId, orderId)),
    db.select().from(orders).where(eq(orders.id, orderId)),
    db.select().from(orderItems).where(eq(orderItems.orderId, orderId)),
  ]);
  return { invoiceId: existing[0]?.id, order: order[0], items };
}

/**
 * Writes an order's invoice and its InvoiceGenerated (`numberedInvoiceStatements`) and, in the same round trip,
 * reads back the id of the invoice the order now has (ours, or another writer's) and the event row as logged
 * (absent when the invoice was not ours). Retried while another invoice took the number.
 */
export async function writeOrderInvoice(db: Db, invoice: NewInvoice & { orderId: string }, eventId: string) {
  const [write, log] = numberedInvoiceStatements(db, invoice, eventId);
  const [, , stored, logged] = await retryOnInvoiceNumber(() =>
    db.batch([
      write,
      log,
      db.select({ id: invoices.id }).from(invoices).where(eq(invoices.orderId, invoice.orderId)),
      db.select().from(events).where(eq(events.id, eventId)),
    ]),
  );
  return { invoiceId: stored[0]?.id, logged: logged[0] };
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
