import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newEvent } from "../src/adapters/event-bus";
import { getDb } from "../src/db/client";
import { events, invoices } from "../src/db/schema";
import { consumeEvents } from "../src/services/subscribers/event-consumer";
import { invoicesSubscriber } from "../src/services/subscribers/invoices";
import { placeOrder, product } from "./order-fixtures";

/** The Worker's env with a queue producer that refuses (as when the queue is down) until `up()` is called. */
function flakyQueue() {
  const queued: { type: string; subject: string }[] = [];
  let isUp = false;
  const flaky = {
    ...env,
    EVENTS: {
      send: async () => {},
      sendBatch: async (batch: { body: { type: string; subject: string } }[]) => {
        if (!isUp) throw new Error("queue unavailable");
        queued.push(...batch.map((m) => m.body));
      },
    },
  } as unknown as Env;
  return {
    env: flaky,
    queued,
    up: () => {
      isUp = true;
    },
  };
}

describe("the order invoice's InvoiceGenerated", () => {
  it("is sent again when OrderConfirmed is redelivered after the queue refused it, and the invoice written once", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const confirmed = newEvent("OrderConfirmed", `order:${o.id}`, {
      orderId: o.id,
      sequence: 1,
      customerId: null,
      email: o.body.email,
      items: [{ sku, qty: 1, unitPriceCents: o.body.items[0].unitPriceCents }],
      totalCents: o.body.totals.totalCents,
      currency: "EUR",
    });
    const queue = flakyQueue();
    await expect(invoicesSubscriber.handleBatch([confirmed], queue.env)).rejects.toThrow("queue unavailable");
    const db = getDb(env.DB);
    const invoice = await db.select().from(invoices).where(eq(invoices.orderId, o.id)).get();
    expect(invoice).toBeDefined();
    const logged = await db
      .select()
      .from(events)
      .where(eq(events.subject, `invoice:${invoice?.id}`));
    expect(logged.map((e) => e.type)).toEqual(["InvoiceGenerated"]);

    queue.up();
    await invoicesSubscriber.handleBatch([confirmed], queue.env);
    expect(queue.queued).toEqual([
      expect.objectContaining({ type: "InvoiceGenerated", subject: `invoice:${invoice?.id}` }),
    ]);
    expect(await db.select().from(invoices).where(eq(invoices.orderId, o.id))).toHaveLength(1);
  });

  it("invoices a whole delivery of confirmed orders with consecutive numbers, each once, a repeated event included", async () => {
    const sku = await product();
    const orders = [await placeOrder([{ sku, qty: 1 }]), await placeOrder([{ sku, qty: 2 }])];
    const confirmations = orders.map((o) =>
      newEvent("OrderConfirmed", `order:${o.id}`, {
        orderId: o.id,
        sequence: 1,
        customerId: null,
        email: o.body.email,
        items: [{ sku, qty: o.body.items[0].qty, unitPriceCents: o.body.items[0].unitPriceCents }],
        totalCents: o.body.totals.totalCents,
        currency: "EUR",
      }),
    );
    const delivery = [...confirmations, confirmations[0]];
    const batch = createMessageBatch(
      "shop-events",
      delivery.map((body, i) => ({ id: `inv${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    await consumeEvents(batch, env, [invoicesSubscriber]);
    expect((await getQueueResult(batch, createExecutionContext())).explicitAcks.sort()).toEqual([
      "inv0",
      "inv1",
      "inv2",
    ]);

    const db = getDb(env.DB);
    const written = await Promise.all(
      orders.map((o) => db.select().from(invoices).where(eq(invoices.orderId, o.id)).all()),
    );
    expect(written.map((rows) => rows.length)).toEqual([1, 1]);
    const [first, second] = written.map((rows) => rows[0]!);
    expect(second!.number).toBe(first!.number + 1);
    expect(second!.totalCents).toBe(orders[1]!.body.totals.totalCents);
    for (const invoice of [first, second]) {
      const logged = await db
        .select()
        .from(events)
        .where(eq(events.subject, `invoice:${invoice!.id}`));
      expect(logged.map((e) => e.type)).toEqual(["InvoiceGenerated"]);
    }
  });
});
