/**
 * Order invoices (the Billing service's part of the order flow). On OrderConfirmed the order's invoice is
 * written to D1 `invoices` once (unique `order_id`) with a sequential, gap-free `number`: MAX(number)+1 is
 * computed inside the INSERT itself, so two invoices can never take the same number, and a unique conflict
 * (another writer won the race) is simply retried. InvoiceGenerated is inserted in the same batch, built from
 * the row just written, and only if that row is ours. Subscription invoices (src/services/billing/) are
 * numbered by the same statements, in the same sequence.
 */
import { loggedAs, publish, type Relay, relayLogged, sendToQueue } from "../../adapters/event-bus";
import { getDb } from "../../db/client";
import {
  findOrderInvoice,
  type InvoiceView,
  loggedEvents,
  loggedInvoiceGenerated,
  type NewInvoice,
  orderInvoiceSource,
  writeOrderInvoice,
} from "../../db/invoices";
import { type EventEnvelope, parseEnvelope } from "../../domain/events";
import { newId } from "../../lib/ids";
import type { EventSubscriber } from "./subscriber";

/** Publishes events already in the log, read back by id: those whose data the SQL built (InvoiceGenerated). */
export async function publishLogged(env: Env, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const rows = await loggedEvents(getDb(env.DB), ids);
  const byId = new Map(rows.map((row) => [row.id, parseEnvelope(row)]));
  const envelopes = ids.map((id) => byId.get(id)).filter((e): e is EventEnvelope => Boolean(e));
  await publish(env, envelopes);
}

/**
 * Creates the invoice of a confirmed order unless it exists; returns its id, or null for an order D1 does not
 * hold (the mirror is written in the same batch as OrderConfirmed, so such an event came from elsewhere).
 * Two D1 round trips: one reads the invoice, the order and its items; one writes the invoice and its
 * InvoiceGenerated and reads back the invoice the order now has and the event as logged. From the queue consumer
 * (`relay: "redelivered"`) the event is logged as published and sent; elsewhere a third marks it published once
 * the queue took it.
 */
export async function createOrderInvoice(
  env: Env,
  orderId: string,
  now = Date.now(),
  relay: Relay = "mark",
): Promise<string | null> {
  const db = getDb(env.DB);
  const { invoiceId: existing, order: row, items } = await orderInvoiceSource(db, orderId);
  if (existing) {
    // A redelivered OrderConfirmed: the first delivery may have logged InvoiceGenerated and died before the queue
    // took it. Send it again (consumers take an event id once).
    if (relay === "redelivered") {
      const logged = (await loggedInvoiceGenerated(db, existing)).map((r) => parseEnvelope(r));
      await sendToQueue(
        env,
        logged.filter((e): e is EventEnvelope => e !== null),
      );
    }
    return existing;
  }
  if (!row) return null;
  const lines = items.map((i) => ({
    description: `${i.name} (${i.sku})`,
    qty: i.qty,
    unitPriceCents: i.unitPriceCents,
    lineTotalCents: i.lineTotalCents,
  }));
  const invoiceId = newId("inv");
  const eventId = newId("evt");
  const invoice = {
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
    status: "paid" as const,
    periodStart: null,
    periodEnd: null,
    issuedAt: now,
  } satisfies NewInvoice;
  const written = await writeOrderInvoice(db, invoice, eventId, loggedAs(relay, now));
  const event = written.logged ? parseEnvelope(written.logged) : null;
  if (event) await relayLogged(env, [event], relay, now);
  return written.invoiceId ?? invoiceId;
}

/** The invoice of an order as JSON, or null when it has none (yet). */
export async function orderInvoice(env: Env, orderId: string): Promise<InvoiceView | null> {
  return findOrderInvoice(getDb(env.DB), orderId);
}

export const invoicesSubscriber: EventSubscriber = {
  name: "invoices",
  types: ["OrderConfirmed"],
  async handle(event, env) {
    if (event.type !== "OrderConfirmed") return;
    // The queue redelivers this event if the send fails, so InvoiceGenerated is logged as published (no mark).
    await createOrderInvoice(env, event.data.orderId, Date.now(), "redelivered");
  },
};
