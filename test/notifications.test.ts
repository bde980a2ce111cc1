import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newEvent } from "../src/adapters/event-bus";
import { getDb } from "../src/db/client";
import { events, notifications, orders } from "../src/db/schema";
import { draftNotifications } from "../src/domain/notifications";
import { notify } from "../src/services/notifications/notifications";
import { call, sessionFor } from "./helpers";

const before = { onHand: 0, reserved: 0, available: 0 };

describe("notification templates", () => {
  it("tells the customer when an order is confirmed, shipped, delivered or cancelled", () => {
    const who = { orderId: "ord_1", email: "a@example.com", customerId: null };
    const items = [{ sku: "BR-1", qty: 2, unitPriceCents: 100 }];
    const drafts = [
      ...draftNotifications(newEvent("OrderConfirmed", "order:1", { ...who, items, totalCents: 200, currency: "EUR" })),
      ...draftNotifications(newEvent("OrderShipped", "order:1", { ...who, trackingNumber: "TRK1" })),
      ...draftNotifications(newEvent("OrderDelivered", "order:1", who)),
      ...draftNotifications(
        newEvent("OrderCancelled", "order:1", { ...who, reason: "expired", by: "system", refundedCents: 0 }),
      ),
    ];
    expect(drafts.map((d) => d.template)).toEqual([
      "order_confirmed",
      "order_shipped",
      "order_delivered",
      "order_cancelled",
    ]);
    expect(drafts.every((d) => d.audience === "customer" && d.recipient === "a@example.com")).toBe(true);
    expect(drafts[1]?.body).toContain("TRK1");
  });

  it("names the order by its number in every order subject, and by its short id only when it has none", () => {
    const who = { orderId: "ord_abcdefgh12345678", email: "a@example.com", customerId: null };
    const paid = { paymentId: "p1", orderId: who.orderId, subscriptionId: null, amountCents: 500, currency: "EUR" };
    const contact = { email: "a@example.com", customerId: null };
    const events = [
      newEvent("OrderConfirmed", "order:1", { ...who, items: [], totalCents: 200, currency: "EUR" }),
      newEvent("OrderShipped", "order:1", { ...who, trackingNumber: "TRK1" }),
      newEvent("OrderDelivered", "order:1", who),
      newEvent("OrderCancelled", "order:1", { ...who, reason: "expired", by: "system", refundedCents: 0 }),
      newEvent("PaymentProcessed", "payment:p1", { ...paid, status: "declined" as const }),
      newEvent("PaymentProcessed", "payment:p1", { ...paid, status: "refunded" as const }),
    ];
    const subjects = (orderNumber: number | null) =>
      events.flatMap((e) => draftNotifications(e, { orderContact: contact, orderNumber })).map((d) => d.subject);
    expect(subjects(1042)).toEqual([
      "Your order #1042 is confirmed",
      "Your order #1042 is on its way",
      "Your order #1042 was delivered",
      "Your order #1042 was cancelled",
      "Payment for order #1042 was declined",
      "Refund for order #1042",
    ]);
    expect(subjects(null)[0]).toBe("Your order 12345678 is confirmed");
  });

  it("alerts staff on low stock, sold out and back in stock, but not on an ordinary reservation", () => {
    const adjusted = (b: number, a: number) =>
      newEvent("InventoryAdjusted", "sku:BR-1", {
        sku: "BR-1",
        reason: "restock",
        delta: a - b,
        actor: "staff",
        orderId: null,
        before: { ...before, onHand: b, available: b },
        after: { ...before, onHand: a, available: a },
      });
    expect(draftNotifications(adjusted(0, 5)).map((d) => d.template)).toEqual(["back_in_stock"]);
    expect(draftNotifications(adjusted(5, 4))).toEqual([]);
    // One shard of a hot SKU refilled from 0 is not the SKU back in stock: its levels are the shard's own.
    const onShard = adjusted(0, 5);
    expect(draftNotifications({ ...onShard, data: { ...onShard.data, shard: 1 } })).toEqual([]);
    expect(
      draftNotifications(newEvent("LowStock", "sku:BR-1", { sku: "BR-1", available: 2, threshold: 3 }))[0],
    ).toMatchObject({
      audience: "staff",
      template: "low_stock",
    });
    expect(draftNotifications(newEvent("OutOfStock", "sku:BR-1", { sku: "BR-1" }))[0]?.template).toBe("out_of_stock");
  });

  it("drafts a back-in-stock message per waiting request in sign-up order, a device request marked for its device only", () => {
    const restock = newEvent("InventoryAdjusted", "sku:BR-1", {
      sku: "BR-1",
      reason: "restock",
      delta: 2,
      actor: "staff",
      orderId: null,
      before,
      after: { ...before, onHand: 2, available: 2 },
    });
    const waiting = [
      { email: "", customerId: null, pushScope: "bis:bis_1" },
      { email: "b@example.com", customerId: null, pushScope: null },
    ];
    const drafts = draftNotifications(restock, { backInStock: { name: "Opal", waiting } });
    expect(drafts.map((d) => [d.template, d.recipient, d.pushScope])).toEqual([
      ["back_in_stock", "staff", undefined],
      ["back_in_stock_available", "", "bis:bis_1"],
      ["back_in_stock_available", "b@example.com", undefined],
    ]);
  });

  it("tells the customer about a declined payment only when it knows who placed the order", () => {
    const declined = newEvent("PaymentProcessed", "payment:p1", {
      paymentId: "p1",
      orderId: "ord_1",
      subscriptionId: null,
      status: "declined",
      amountCents: 100,
      currency: "EUR",
    });
    expect(draftNotifications(declined)).toEqual([]);
    expect(
      draftNotifications(declined, { orderContact: { email: "b@example.com", customerId: null } })[0]?.template,
    ).toBe("payment_declined");
  });
});

describe("notifications service", () => {
  it("records a message and a NotificationSent event once, however often the event is delivered", async () => {
    const event = newEvent("UserSignedUp", "customer:c9", { customerId: "c9", email: "c9@example.com", name: "Cy" });
    expect(await notify(event, env)).toBe(1);
    expect(await notify(event, env)).toBe(0);
    const db = getDb(env.DB);
    const rows = await db.select().from(notifications).where(eq(notifications.eventId, event.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ template: "welcome", recipient: "c9@example.com", audience: "customer" });
    const sent = await db
      .select()
      .from(events)
      .where(eq(events.subject, `notification:${rows[0]?.id}`));
    expect(sent.map((e) => e.type)).toEqual(["NotificationSent"]);
  });

  it("looks up the order's contact for a declined payment", async () => {
    const now = Date.now();
    const orderId = `ord_${crypto.randomUUID()}`;
    await getDb(env.DB)
      .insert(orders)
      .values({
        id: orderId,
        number: 7301,
        email: "payer@example.com",
        status: "payment_failed",
        version: 3,
        subtotalCents: 100,
        shippingCents: 0,
        taxCents: 0,
        totalCents: 100,
        currency: "EUR",
        shippingAddress: { name: "P", line1: "1 St", city: "X", postalCode: "1", country: "FR" },
        accessTokenHash: "h",
        createdAt: now,
        updatedAt: now,
      });
    const event = newEvent("PaymentProcessed", "payment:p2", {
      paymentId: "p2",
      orderId,
      subscriptionId: null,
      status: "declined",
      amountCents: 100,
      currency: "EUR",
    });
    expect(await notify(event, env)).toBe(1);
    const row = await getDb(env.DB).select().from(notifications).where(eq(notifications.eventId, event.id)).get();
    expect(row?.recipient).toBe("payer@example.com");
    expect(row?.subject).toBe("Payment for order #7301 was declined");
  });

  it("puts the order's number in the subject of an order e-mail", async () => {
    const now = Date.now();
    const orderId = `ord_${crypto.randomUUID()}`;
    await getDb(env.DB)
      .insert(orders)
      .values({
        id: orderId,
        number: 7302,
        email: "shipped@example.com",
        status: "shipped",
        version: 5,
        subtotalCents: 100,
        shippingCents: 0,
        taxCents: 0,
        totalCents: 100,
        currency: "EUR",
        shippingAddress: { name: "P", line1: "1 St", city: "X", postalCode: "1", country: "FR" },
        accessTokenHash: "h2",
        createdAt: now,
        updatedAt: now,
      });
    const event = newEvent("OrderShipped", `order:${orderId}`, {
      orderId,
      email: "shipped@example.com",
      customerId: null,
      trackingNumber: "TRK9",
    });
    expect(await notify(event, env)).toBe(1);
    const row = await getDb(env.DB).select().from(notifications).where(eq(notifications.eventId, event.id)).get();
    expect(row?.subject).toBe("Your order #7302 is on its way");
  });
});

describe("event log and sent messages in the console", () => {
  it("shows staff the event log filtered by type, newest first, with a working cursor", async () => {
    const staff = await sessionFor("staff");
    for (let i = 0; i < 3; i++) {
      await getDb(env.DB)
        .insert(events)
        .values({ ...newEvent("OutOfStock", `sku:LOG-${i}`, { sku: `LOG-${i}` }, 1_000 + i), publishedAt: 1 });
    }
    const first = await call("GET", "/api/admin/events?type=OutOfStock&limit=2", { headers: { cookie: staff.cookie } });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: { subject: string }) => e.subject)).toEqual(["sku:LOG-2", "sku:LOG-1"]);
    const second = await call("GET", `/api/admin/events?type=OutOfStock&limit=2&cursor=${first.body.nextCursor}`, {
      headers: { cookie: staff.cookie },
    });
    expect(second.body.items.map((e: { subject: string }) => e.subject)).toEqual(["sku:LOG-0"]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("refuses the event log to customers (403) and anonymous callers (401)", async () => {
    const customer = await sessionFor("customer");
    expect((await call("GET", "/api/admin/events", { headers: { cookie: customer.cookie } })).status).toBe(403);
    expect((await call("GET", "/api/admin/notifications")).status).toBe(401);
  });

  it("rejects an unknown event type filter with validation_failed", async () => {
    const staff = await sessionFor("staff");
    const res = await call("GET", "/api/admin/events?type=Nope", { headers: { cookie: staff.cookie } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
  });
});
