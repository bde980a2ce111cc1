/**
 * Order invoices (the Billing service's part of the order flow). On OrderConfirmed the order's invoice is
 * written to D1 `invoices` once (unique `order_id`) with a sequential, gap-free `number`: MAX(number)+1 is
 * computed inside the INSERT itself, so two invoices can never take the same number, and a unique conflict
 * (another writer won the race) is simply retried. InvoiceGenerated is inserted in the same batch, built from
 * the row just written, and only if that row is ours. Subscription invoices (src/services/billing/) are
 * numbered by the same statements, in the same sequence.
 */
import { eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { publish } from "../../adapters/event-bus";
import { type Db, getDb } from "../../db/client";
import { events, invoices, orderItems, orders } from "../../db/schema";
import { EVENT_SCHEMA_VERSION, type EventEnvelope, parseEnvelope } from "../../domain/events";
import { newId } from "../../lib/ids";
import type { Subscriber } from "./subscriber";

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

/** Publishes events already in the log, read back by id: those whose data the SQL built (InvoiceGenerated). */
export async function publishLogged(env: Env, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const rows = await getDb(env.DB)
    .select()
    .from(events)
    .where(inArray(events.id, [...ids]));
  const byId = new Map(rows.map((row) => [row.id, parseEnvelope(row)]));
  const envelopes = ids.map((id) => byId.get(id)).filter((e): e is EventEnvelope => Boolean(e));
  await publish(env, envelopes);
}

/**
 * Creates the invoice of a confirmed order unless it exists; returns its id, or null for an order D1 does not
 * hold (the mirror is written in the same batch as OrderConfirmed, so such an event came from elsewhere).
 */
export async function createOrderInvoice(env: Env, orderId: string, now = Date.now()): Promise<string | null> {
  const db = getDb(env.DB);
  const existing = await db.select({ id: invoices.id }).from(invoices).where(eq(invoices.orderId, orderId)).get();
  if (existing) return existing.id;
  const [order, items] = await db.batch([
    db.select().from(orders).where(eq(orders.id, orderId)),
    db.select().from(orderItems).where(eq(orderItems.orderId, orderId)),
  ]);
  const row = order[0];
  if (!row) return null;
  const lines = items.map((i) => ({
    description: `${i.name} (${i.sku})`,
    qty: i.qty,
    unitPriceCents: i.unitPriceCents,
    lineTotalCents: i.lineTotalCents,
  }));
  const invoiceId = newId("inv");
  const eventId = newId("evt");
  const invoice: NewInvoice = {
    id: invoiceId,
    customerId: row.customerId,
    orderId,
    subscriptionId: null,
    email: row.email,
    lines,
    subtotalCents: row.subtotalCents,
    shippingCents: row.shippingCents,
    taxCents: row.taxCents,
    totalCents: row.totalCents,
    currency: row.currency,
    status: "paid",
    periodStart: null,
    periodEnd: null,
    issuedAt: now,
  };
  await retryOnInvoiceNumber(() => db.batch(numberedInvoiceStatements(db, invoice, eventId)));
  await publishLogged(env, [eventId]);
  const created = await db.select({ id: invoices.id }).from(invoices).where(eq(invoices.orderId, orderId)).get();
  return created?.id ?? invoiceId;
}

/** The invoice of an order as JSON, or null when it has none (yet). */
export async function orderInvoice(env: Env, orderId: string): Promise<InvoiceView | null> {
  const row = await getDb(env.DB).select().from(invoices).where(eq(invoices.orderId, orderId)).get();
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

export const invoicesSubscriber: Subscriber = {
  name: "invoices",
  types: ["OrderConfirmed"],
  async handle(event, env) {
    if (event.type !== "OrderConfirmed") return;
    await createOrderInvoice(env, event.data.orderId);
  },
};
