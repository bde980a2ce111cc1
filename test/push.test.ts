import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { channelsFor } from "../src/adapters/channels/select";
import { newEvent } from "../src/adapters/event-bus";
import { getDb } from "../src/db/client";
import { customerScope, orderScope, savePushSubscription, staffScope } from "../src/db/push-subscriptions";
import { events, notifications, pushSubscriptions } from "../src/db/schema";
import { notify } from "../src/services/notifications/notifications";
import { setPreference } from "../src/services/notifications/unsubscribe";
import { runScheduled, SWEEP_CRON } from "../src/services/workflows/scheduled";
import { call, sessionFor } from "./helpers";
import { freshEmail, placeOrder, product } from "./order-fixtures";
import {
  type Browser,
  browser,
  decrypt,
  fromB64url,
  PUSH_ORIGIN,
  pushEnv,
  received,
  verifyVapid,
} from "./push-fixtures";

const MINUTE = 60_000;

async function subscribeToOrder(b: Browser, orderId: string, email: string) {
  return savePushSubscription(
    getDb(env.DB),
    {
      endpoint: b.json.endpoint,
      p256dh: b.json.keys.p256dh,
      auth: b.json.keys.auth,
      audience: "customer",
      scope: orderScope(orderId),
      customerId: null,
      orderId,
      email,
    },
    Date.now(),
  );
}

function shipped(orderId: string, email: string) {
  return newEvent("OrderShipped", `order:${orderId}`, {
    orderId,
    sequence: 7,
    email,
    customerId: null,
    trackingNumber: "TRK-PUSH-1",
  });
}

const pushRowsFor = (eventId: string) =>
  getDb(env.DB)
    .select()
    .from(notifications)
    .where(and(eq(notifications.eventId, eventId), eq(notifications.channel, "push")));

async function sentEventsFor(notificationId: string) {
  const rows = await getDb(env.DB)
    .select()
    .from(events)
    .where(and(eq(events.type, "NotificationSent"), eq(events.subject, `notification:${notificationId}`)));
  return rows.map((r) => r.data as Record<string, unknown>);
}

describe("Web Push delivery", () => {
  it("sends an order update to a subscribed browser: aes128gcm, a VAPID signature and a body only its keys decrypt", async () => {
    const b = await browser("ok");
    const orderId = `ord_${crypto.randomUUID().replaceAll("-", "")}`;
    const email = freshEmail();
    await subscribeToOrder(b, orderId, email);
    const event = shipped(orderId, email);
    await notify(event, pushEnv);

    const [row] = await pushRowsFor(event.id);
    expect(row).toMatchObject({ status: "sent", attempts: 1, recipient: email, channel: "push" });
    expect(row?.providerId).toMatch(/^https:\/\/push\.example\.test\/messages\//);
    const [request] = await received(b.path);
    expect(request?.headers["content-encoding"]).toBe("aes128gcm");
    expect(request?.headers["content-type"]).toBe("application/octet-stream");
    expect(Number(request?.headers.ttl)).toBeGreaterThan(0);
    const claims = await verifyVapid(request!.headers.authorization!);
    expect(claims.aud).toBe(PUSH_ORIGIN);
    expect(claims.sub).toBe("mailto:shop@example.com");
    expect(claims.exp * 1000).toBeGreaterThan(Date.now());

    const payload = JSON.parse(await decrypt(b, fromB64url(request!.body.replaceAll("+", "-").replaceAll("/", "_"))));
    expect(payload).toEqual({
      title: expect.stringContaining("is on its way"),
      body: "Tracking number: TRK-PUSH-1.",
      url: `${env.SHOP_URL}/orders/${orderId}`,
      tag: row?.id,
    });
    expect(await sentEventsFor(row!.id)).toEqual([
      expect.objectContaining({ channel: "push", status: "sent", attempts: 1, providerId: row?.providerId }),
    ]);
    // The e-mail still goes too: push is an extra channel, not a replacement.
    const email_ = await getDb(env.DB)
      .select()
      .from(notifications)
      .where(and(eq(notifications.eventId, event.id), eq(notifications.channel, "email")))
      .get();
    expect(email_?.status).toBe("sent");
  });

  it("removes a subscription the push service says is gone (410) and ends the message `failed` without retrying", async () => {
    const b = await browser("gone");
    const orderId = `ord_${crypto.randomUUID().replaceAll("-", "")}`;
    const email = freshEmail();
    await subscribeToOrder(b, orderId, email);
    const event = shipped(orderId, email);
    const t0 = Date.now();
    await notify(event, pushEnv, undefined, t0);

    const [row] = await pushRowsFor(event.id);
    expect(row).toMatchObject({ status: "failed", attempts: 1, nextAttemptAt: null });
    expect(row?.lastError).toContain("410");
    expect(
      await getDb(env.DB).select().from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, b.json.endpoint)),
    ).toEqual([]);
    expect(await sentEventsFor(row!.id)).toEqual([
      expect.objectContaining({
        channel: "push",
        status: "failed",
        attempts: 1,
        error: expect.stringContaining("410"),
      }),
    ]);
    await runScheduled(SWEEP_CRON, pushEnv, t0 + 2 * 60 * MINUTE);
    expect(await received(b.path)).toHaveLength(1);
    // The next update has no device to go to.
    const next = newEvent("OrderDelivered", `order:${orderId}`, { orderId, sequence: 8, email, customerId: null });
    await notify(next, pushEnv);
    expect(await pushRowsFor(next.id)).toEqual([]);
  });

  it("retries a push the service answered 500 with the same backoff as e-mail, then records one `sent`", async () => {
    const b = await browser("flaky2");
    const orderId = `ord_${crypto.randomUUID().replaceAll("-", "")}`;
    const email = freshEmail();
    await subscribeToOrder(b, orderId, email);
    const event = shipped(orderId, email);
    const t0 = Date.now();
    await notify(event, pushEnv, undefined, t0);
    expect((await pushRowsFor(event.id))[0]).toMatchObject({ status: "pending", attempts: 1 });
    await runScheduled(SWEEP_CRON, pushEnv, t0 + MINUTE);
    await runScheduled(SWEEP_CRON, pushEnv, t0 + 7 * MINUTE);
    const [row] = await pushRowsFor(event.id);
    expect(row).toMatchObject({ status: "sent", attempts: 3, lastError: null });
    expect(await received(b.path)).toHaveLength(3);
    expect(await sentEventsFor(row!.id)).toEqual([expect.objectContaining({ status: "sent", attempts: 3 })]);
    // A redelivered event writes and sends nothing more.
    await notify(event, pushEnv, undefined, t0 + 60 * MINUTE);
    expect(await received(b.path)).toHaveLength(3);
  });

  it("tells an account's devices about every order, and an order page's device only about its own order", async () => {
    const customer = await sessionFor("customer");
    const accountDevice = await browser("account");
    const otherOrderDevice = await browser("other-order");
    const [orderA, orderB] = [1, 2].map(() => `ord_${crypto.randomUUID().replaceAll("-", "")}`) as [string, string];
    const db = getDb(env.DB);
    await savePushSubscription(
      db,
      {
        endpoint: accountDevice.json.endpoint,
        p256dh: accountDevice.json.keys.p256dh,
        auth: accountDevice.json.keys.auth,
        audience: "customer",
        scope: customerScope(customer.id),
        customerId: customer.id,
        orderId: null,
        email: customer.email,
      },
      Date.now(),
    );
    await subscribeToOrder(otherOrderDevice, orderA, customer.email);
    const event = newEvent("OrderShipped", `order:${orderB}`, {
      orderId: orderB,
      sequence: 5,
      email: customer.email,
      customerId: customer.id,
      trackingNumber: "TRK-B",
    });
    await notify(event, pushEnv);
    expect((await pushRowsFor(event.id)).map((r) => r.status)).toEqual(["sent"]);
    expect(await received(accountDevice.path)).toHaveLength(1);
    expect(await received(otherOrderDevice.path)).toEqual([]);

    // Push off for order updates in the account: the device's message is suppressed, the e-mail still goes.
    await setPreference(env, { recipient: customer.email, kind: "order", channel: "push", enabled: false });
    const delivered = newEvent("OrderDelivered", `order:${orderB}`, {
      orderId: orderB,
      sequence: 6,
      email: customer.email,
      customerId: customer.id,
    });
    await notify(delivered, pushEnv);
    expect((await pushRowsFor(delivered.id)).map((r) => r.status)).toEqual(["suppressed"]);
    expect(await received(accountDevice.path)).toHaveLength(1);
  });

  it("pushes staff alerts to staff devices: a new order, an order held for review and low stock", async () => {
    const b = await browser("staff");
    const staff = await sessionFor("staff");
    await savePushSubscription(
      getDb(env.DB),
      {
        endpoint: b.json.endpoint,
        p256dh: b.json.keys.p256dh,
        auth: b.json.keys.auth,
        audience: "staff",
        scope: staffScope(staff.id),
        customerId: staff.id,
        orderId: null,
        email: "staff",
      },
      Date.now(),
    );
    const orderId = `ord_${crypto.randomUUID().replaceAll("-", "")}`;
    await notify(
      newEvent("OrderConfirmed", `order:${orderId}`, {
        orderId,
        sequence: 3,
        email: freshEmail(),
        customerId: null,
        items: [{ sku: "BR-1", qty: 2, unitPriceCents: 1500 }],
        totalCents: 3000,
        currency: "EUR",
      }),
      pushEnv,
    );
    await notify(
      newEvent("OrderHeld", `order:${orderId}`, {
        orderId,
        sequence: 2,
        paymentId: "pay_1",
        score: 80,
        holdUntil: Date.now() + 3600_000,
      }),
      pushEnv,
    );
    await notify(newEvent("LowStock", "sku:BR-1", { sku: "BR-1", available: 2, threshold: 3 }), pushEnv);
    const titles = await Promise.all(
      (await received(b.path)).map(async (r) =>
        JSON.parse(await decrypt(b, fromB64url(r.body.replaceAll("+", "-").replaceAll("/", "_")))),
      ),
    );
    expect(titles.map((t) => t.title)).toEqual([
      expect.stringMatching(/^New order /),
      expect.stringMatching(/is held for review$/),
      "BR-1 is running low",
    ]);
    expect(titles[0].url).toBe(`${env.SHOP_URL}/admin/orders/${orderId}`);
  });

  it("does not offer push when the VAPID keys are not configured", async () => {
    expect(channelsFor({ ...env, VAPID_PRIVATE_KEY: "" } as Env).push).toBeNull();
    const key = await call("GET", "/api/push/key");
    expect(key.body).toEqual({ publicKey: env.VAPID_PUBLIC_KEY });
  });
});

describe("push subscription routes", () => {
  it("lets a guest holding the order's token subscribe on the order page, and nobody else", async () => {
    const sku = await product({ onHand: 5 });
    const order = await placeOrder([{ sku, qty: 1 }], { email: freshEmail() });
    const b = await browser("route");
    const ok = await call("POST", `/api/push/subscriptions/orders/${order.id}`, { body: b.json, headers: order.auth });
    expect(ok.status).toBe(201);
    const stored = await getDb(env.DB)
      .select()
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.id, ok.body.id))
      .get();
    expect(stored).toMatchObject({ scope: orderScope(order.id), orderId: order.id, audience: "customer" });

    const stranger = await call("POST", `/api/push/subscriptions/orders/${order.id}`, {
      body: b.json,
      headers: { authorization: "Bearer not-the-token" },
    });
    expect(stranger.status).toBe(404);
    const plainHttp = await call("POST", `/api/push/subscriptions/orders/${order.id}`, {
      body: { ...b.json, endpoint: "http://push.example.test/x" },
      headers: order.auth,
    });
    expect(plainHttp.status).toBe(400);
    expect(plainHttp.body.error.code).toBe("validation_failed");

    const gone = await call("DELETE", "/api/push/subscriptions", { body: { endpoint: b.json.endpoint } });
    expect(gone.body).toEqual({ removed: 1 });
    expect(
      await getDb(env.DB).select().from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, b.json.endpoint)),
    ).toEqual([]);
  });

  it("subscribes staff to alerts and refuses customers (403)", async () => {
    const b = await browser("route-staff");
    const staff = await sessionFor("staff");
    const customer = await sessionFor("customer");
    const origin = { origin: "http://localhost" };
    const ok = await call("POST", "/api/push/subscriptions/staff", {
      body: b.json,
      headers: { cookie: staff.cookie, ...origin },
    });
    expect(ok.status).toBe(201);
    const refused = await call("POST", "/api/push/subscriptions/staff", {
      body: b.json,
      headers: { cookie: customer.cookie, ...origin },
    });
    expect(refused.status).toBe(403);
    const mine = await call("POST", "/api/push/subscriptions/account", {
      body: b.json,
      headers: { cookie: customer.cookie, ...origin },
    });
    expect(mine.status).toBe(201);
  });
});
