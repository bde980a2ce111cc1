/**
 * Order invoices (the Billing service's part of the order flow). On OrderConfirmed the order's invoice is
 * written to D1 `invoices` once (unique `order_id`) with a sequential, gap-free `number`: MAX(number)+1 is
 * computed inside the INSERT itself, so two invoices can never take the same number, and a unique conflict
 * (another writer won the race) is simply retried. InvoiceGenerated is inserted in the same batch, built from
 * the row just written, and only if that row is ours.
 */
import { eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { events, invoices, orderItems, orders } from "../db/schema";
import { EVENT_SCHEMA_VERSION, type EventEnvelope, parseEnvelope } from "../domain/events";
import { newId } from "../lib/ids";
import { publish } from "./event-bus";
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
  for (let attempt = 1; ; attempt++) {
    try {
      await env.DB.batch([
        env.DB.prepare(
          `INSERT INTO invoices (id, number, customer_id, order_id, subscription_id, email, lines, subtotal_cents,
             shipping_cents, tax_cents, total_cents, currency, status, period_start, period_end, issued_at)
           SELECT ?1, COALESCE(MAX(number), 0) + 1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'paid', NULL, NULL, ?11
           FROM invoices WHERE true
           ON CONFLICT (order_id) DO NOTHING`,
        ).bind(
          invoiceId,
          row.customerId,
          orderId,
          row.email,
          JSON.stringify(lines),
          row.subtotalCents,
          row.shippingCents,
          row.taxCents,
          row.totalCents,
          row.currency,
          now,
        ),
        env.DB.prepare(
          `INSERT INTO events (id, type, version, occurred_at, source, subject, data, published_at)
           SELECT ?1, 'InvoiceGenerated', ?2, ?3, 'billing', 'invoice:' || id,
             json_object('invoiceId', id, 'number', number, 'customerId', customer_id, 'email', email,
               'orderId', order_id, 'subscriptionId', NULL, 'totalCents', total_cents, 'currency', currency),
             NULL
           FROM invoices WHERE id = ?4`,
        ).bind(eventId, EVENT_SCHEMA_VERSION, now, invoiceId),
      ]);
      break;
    } catch (err) {
      // Another invoice took the number between MAX() and the insert: try again with the next one.
      if (attempt >= MAX_ATTEMPTS || !/UNIQUE constraint failed: invoices\.number/.test(String(err))) throw err;
    }
  }
  const event = await db.select().from(events).where(eq(events.id, eventId)).get();
  const envelope = event ? parseEnvelope({ ...event, data: event.data }) : null;
  if (envelope) await publish(env, [envelope as EventEnvelope]);
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
