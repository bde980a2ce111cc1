/**
 * Order invoices (the Billing service's part of the order flow). On OrderConfirmed the order's invoice is
 * written to D1 `invoices` once (unique `order_id`) with a sequential, gap-free `number`: MAX(number)+1 is
 * computed inside the INSERT itself, so two invoices can never take the same number, and a unique conflict
 * (another writer won the race) is simply retried. InvoiceGenerated is inserted in the same batch, built from
 * the row just written, and only if that row is ours. One queue delivery's confirmations are invoiced together, in
 * two D1 round trips. Subscription invoices (src/services/billing/) are
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
  orderInvoiceSources,
  writeOrderInvoices,
} from "../../db/invoices";
import { type EventEnvelope, parseEnvelope } from "../../domain/events";
import { newId } from "../../lib/ids";
import type { BatchSubscriber } from "./subscriber";

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
 */
export async function createOrderInvoice(
  env: Env,
  orderId: string,
  now = Date.now(),
  relay: Relay = "mark",
): Promise<string | null> {
  const [id] = await createOrderInvoices(env, [orderId], now, relay);
  return id ?? null;
}

/**
 * `createOrderInvoice` for several orders (a queue delivery's confirmations) in two D1 round trips whatever their
 * number: one reads each order's invoice, mirror row and items; one writes the new invoices and their
 * InvoiceGenerated and reads back the invoice each order now has and the events as logged. From the queue
 * consumer (`relay: "redelivered"`) the events are logged as published and sent; elsewhere a third round trip
 * marks them published once the queue took them. Returns each order's invoice id (null: D1 holds no such order).
 */
export async function createOrderInvoices(
  env: Env,
  orderIds: readonly string[],
  now = Date.now(),
  relay: Relay = "mark",
): Promise<(string | null)[]> {
  const db = getDb(env.DB);
  const unique = [...new Set(orderIds)];
  const sources = await orderInvoiceSources(db, unique);
  const ids = new Map<string, string | null>();
  const toWrite: { invoice: NewInvoice & { orderId: string }; eventId: string }[] = [];
  for (const { orderId, invoiceId: existing, order: row, items } of sources) {
    if (existing) {
      ids.set(orderId, existing);
      // A redelivered OrderConfirmed: the first delivery may have logged InvoiceGenerated and died before the
      // queue took it. Send it again (consumers take an event id once).
      if (relay === "redelivered") {
        const logged = (await loggedInvoiceGenerated(db, existing)).map((r) => parseEnvelope(r));
        await sendToQueue(
          env,
          logged.filter((e): e is EventEnvelope => e !== null),
        );
      }
      continue;
    }
    ids.set(orderId, null);
    if (!row) continue;
    const lines = items.map((i) => ({
      description: `${i.name} (${i.sku})`,
      qty: i.qty,
      unitPriceCents: i.unitPriceCents,
      lineTotalCents: i.lineTotalCents,
    }));
    const invoice = {
      id: newId("inv"),
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
    toWrite.push({ invoice, eventId: newId("evt") });
  }
  const written = await writeOrderInvoices(db, toWrite, loggedAs(relay, now));
  const logged: EventEnvelope[] = [];
  for (const [i, { invoice }] of toWrite.entries()) {
    const w = written[i];
    ids.set(invoice.orderId, w?.invoiceId ?? invoice.id);
    const event = w?.logged ? parseEnvelope(w.logged) : null;
    if (event) logged.push(event);
  }
  if (logged.length > 0) await relayLogged(env, logged, relay, now);
  return orderIds.map((id) => ids.get(id) ?? null);
}

/** The invoice of an order as JSON, or null when it has none (yet). */
export async function orderInvoice(env: Env, orderId: string): Promise<InvoiceView | null> {
  return findOrderInvoice(getDb(env.DB), orderId);
}

/** Per queue delivery, not per event: a sale's delivery carries dozens of confirmations (`createOrderInvoices`). */
export const invoicesSubscriber: BatchSubscriber = {
  name: "invoices",
  types: ["OrderConfirmed"],
  async handleBatch(events, env) {
    const orderIds = events.flatMap((e) => (e.type === "OrderConfirmed" ? [e.data.orderId] : []));
    // The queue redelivers these events if the send fails, so InvoiceGenerated is logged as published (no mark).
    await createOrderInvoices(env, orderIds, Date.now(), "redelivered");
  },
};
