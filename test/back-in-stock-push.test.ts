import { env } from "cloudflare:workers";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { channelsFor } from "../src/adapters/channels/select";
import { newEvent } from "../src/adapters/event-bus";
import { getDb } from "../src/db/client";
import { backInStockScope, orderScope, savePushSubscription } from "../src/db/push-subscriptions";
import { backInStockRequests, notifications, pushSubscriptions } from "../src/db/schema";
import { signUpForBackInStock } from "../src/services/catalog/back-in-stock";
import { notify } from "../src/services/notifications/notifications";
import { setPreference } from "../src/services/notifications/unsubscribe";
import { freshSku, insertProducts } from "./catalog-fixtures";
import { call, sessionFor } from "./helpers";
import { type Browser, browser, payloadOf, pushEnv, received } from "./push-fixtures";

const sameOrigin = { origin: "http://localhost" };
const db = () => getDb(env.DB);

async function soldOut(): Promise<{ sku: string; name: string }> {
  const sku = freshSku("BISP");
  const name = `Opal ${sku}`;
  await insertProducts([{ sku, name, material: "silver", colour: "white", priceCents: 3100, available: 0 }]);
  return { sku, name };
}

const signUpByPush = (sku: string, b: Browser, headers: Record<string, string> = {}) =>
  call("POST", `/api/products/${sku}/back-in-stock`, { body: { push: b.json }, headers });

async function waitingFor(sku: string) {
  const staff = await sessionFor("staff");
  const res = await call("GET", "/api/admin/back-in-stock", { headers: { cookie: staff.cookie } });
  return (res.body.items as { sku: string; waiting: number }[]).find((i) => i.sku === sku)?.waiting ?? 0;
}

/** The InventoryAdjusted of a restock that takes `sku` from sold out to `available`. */
function backInStock(sku: string, available = 4, at = Date.now()) {
  return newEvent(
    "InventoryAdjusted",
    `sku:${sku}`,
    {
      sku,
      reason: "restock",
      delta: available,
      actor: "staff",
      orderId: null,
      before: { onHand: 0, reserved: 0, available: 0 },
      after: { onHand: available, reserved: 0, available },
    },
    at,
  );
}

const deviceOf = (requestId: string) =>
  db()
    .select()
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.scope, backInStockScope(requestId)))
    .all();

describe("POST /api/products/:sku/back-in-stock by push", () => {
  it("keeps a guest's and a customer's device for a sold-out SKU, once per device, and staff count them with the e-mails", async () => {
    const { sku } = await soldOut();
    expect(
      (await call("POST", `/api/products/${sku}/back-in-stock`, { body: { email: "e@example.com" } })).status,
    ).toBe(201);
    const guestDevice = await browser("bisp-guest");
    const guest = await signUpByPush(sku, guestDevice);
    expect(guest.status).toBe(201);
    expect(guest.body).toMatchObject({ sku, channel: "push", status: "waiting" });
    const again = await signUpByPush(sku, guestDevice);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(guest.body.id);
    expect(await deviceOf(guest.body.id)).toEqual([
      expect.objectContaining({
        endpoint: guestDevice.json.endpoint,
        p256dh: guestDevice.json.keys.p256dh,
        customerId: null,
        email: "",
      }),
    ]);

    const customer = await sessionFor("customer");
    const mine = await signUpByPush(sku, await browser("bisp-customer"), { cookie: customer.cookie, ...sameOrigin });
    expect(mine.status).toBe(201);
    const row = await db().select().from(backInStockRequests).where(eq(backInStockRequests.id, mine.body.id)).get();
    expect(row).toMatchObject({ customerId: customer.id, email: customer.email, channel: "push" });
    expect(await deviceOf(mine.body.id)).toEqual([
      expect.objectContaining({ customerId: customer.id, email: customer.email }),
    ]);
    // One e-mail and two devices wait.
    expect(await waitingFor(sku)).toBe(3);
  });

  it("refuses a subscription that is not a browser's (400) and a product in stock (409)", async () => {
    const { sku } = await soldOut();
    const b = await browser("bisp-bad");
    const plainHttp = await call("POST", `/api/products/${sku}/back-in-stock`, {
      body: { push: { ...b.json, endpoint: "http://push.example.test/x" } },
    });
    expect(plainHttp.status).toBe(400);
    expect(plainHttp.body.error.code).toBe("validation_failed");
    const both = await call("POST", `/api/products/${sku}/back-in-stock`, {
      body: { email: "a@example.com", push: b.json },
    });
    expect(both.status).toBe(400);

    const inStock = freshSku("BISP");
    await insertProducts([
      { sku: inStock, name: "Here", material: "gold", colour: "red", priceCents: 100, available: 2 },
    ]);
    const refused = await signUpByPush(inStock, b);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("invalid_state");
  });
});

describe("telling waiting devices", () => {
  it("a restock tells each request once by its channel in sign-up order, closes it and forgets its device", async () => {
    const { sku, name } = await soldOut();
    const first = await browser("bisp-first");
    const third = await browser("bisp-third");
    const email = `bisp-${crypto.randomUUID()}@example.com`;
    const t0 = Date.now() - 1000;
    const sub = (b: Browser) => ({ endpoint: b.json.endpoint, p256dh: b.json.keys.p256dh, auth: b.json.keys.auth });
    // Signed up in this order: a device, an e-mail, another device (made in reverse to show the order is the time's).
    const c = await signUpForBackInStock(env, { sku, customerId: null, email: "", push: sub(third) }, t0 + 2);
    const b = await signUpForBackInStock(env, { sku, customerId: null, email }, t0 + 1);
    const a = await signUpForBackInStock(env, { sku, customerId: null, email: "", push: sub(first) }, t0);
    if (!a.ok || !b.ok || !c.ok) throw new Error("sign-up failed");
    // The first device also follows an order: that subscription is not the request's and stays.
    const orderId = `ord_${crypto.randomUUID().replaceAll("-", "")}`;
    await savePushSubscription(
      db(),
      { ...sub(first), audience: "customer", scope: orderScope(orderId), customerId: null, orderId, email },
      t0,
    );

    const back = backInStock(sku);
    await notify(back, pushEnv);

    for (const device of [first, third]) {
      const requests = await received(device.path);
      expect(requests).toHaveLength(1);
      expect(requests[0]?.headers["content-encoding"]).toBe("aes128gcm");
      expect(await payloadOf(device, requests[0]!)).toMatchObject({
        title: `${name} is back in stock`,
        url: `${env.SHOP_URL}/products/${sku}`,
      });
    }
    const rows = await db()
      .select()
      .from(notifications)
      .where(eq(notifications.eventId, back.id))
      .all()
      .then((all) => all.filter((r) => r.template === "back_in_stock_available"));
    // Each request by its own channel only: no e-mail for a device, no push for the e-mail.
    expect(rows.map((r) => [r.channel, r.recipient, r.status]).sort()).toEqual(
      [
        ["email", email, "sent"],
        ["push", "", "sent"],
        ["push", "", "sent"],
      ].sort(),
    );
    // Attempted in sign-up order: NotificationSent is written after each attempt, in the outbox's order.
    const sent = await env.DB.prepare(
      "SELECT json_extract(data, '$.notificationId') AS id FROM events WHERE type = 'NotificationSent' ORDER BY rowid",
    ).all<{ id: string }>();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const attempted = sent.results.map((s) => byId.get(s.id)).filter((r) => r !== undefined);
    expect(attempted.map((r) => r.channel)).toEqual(["push", "email", "push"]);
    expect(attempted[0]?.address).not.toBe(attempted[2]?.address);

    const requests = await db()
      .select()
      .from(backInStockRequests)
      .where(inArray(backInStockRequests.id, [a.request.id, b.request.id, c.request.id]));
    expect(requests.map((r) => r.status)).toEqual(["notified", "notified", "notified"]);
    expect(await deviceOf(a.request.id)).toEqual([]);
    expect(await deviceOf(c.request.id)).toEqual([]);
    expect(
      await db()
        .select()
        .from(pushSubscriptions)
        .where(eq(pushSubscriptions.scope, orderScope(orderId)))
        .all(),
    ).toHaveLength(1);
    expect(await waitingFor(sku)).toBe(0);

    // The event delivered again tells nobody twice.
    await notify(back, pushEnv);
    expect(await received(first.path)).toHaveLength(1);
    expect(await received(third.path)).toHaveLength(1);
  });

  it("a customer's device follows the account's choices: with back-in-stock push turned off nothing is pushed", async () => {
    const { sku } = await soldOut();
    const customer = await sessionFor("customer");
    const device = await browser("bisp-optout");
    const signed = await signUpByPush(sku, device, { cookie: customer.cookie, ...sameOrigin });
    expect(signed.status).toBe(201);
    await setPreference(env, { recipient: customer.email, kind: "marketing", channel: "push", enabled: false });

    const back = backInStock(sku);
    await notify(back, pushEnv);
    const [row] = await db()
      .select()
      .from(notifications)
      .where(eq(notifications.eventId, back.id))
      .all()
      .then((all) => all.filter((r) => r.template === "back_in_stock_available"));
    expect(row).toMatchObject({ channel: "push", recipient: customer.email, status: "suppressed" });
    expect(await received(device.path)).toEqual([]);
    expect(await deviceOf(signed.body.id)).toEqual([]);
  });

  it("a customer who waits by e-mail and on a device that also has the account's messages hears once on it", async () => {
    const { sku } = await soldOut();
    const customer = await sessionFor("customer");
    const asCustomer = { cookie: customer.cookie, ...sameOrigin };
    const device = await browser("bisp-twice");
    const byEmail = await call("POST", `/api/products/${sku}/back-in-stock`, {
      body: { email: customer.email },
      headers: asCustomer,
    });
    expect(byEmail.status).toBe(201);
    expect((await signUpByPush(sku, device, asCustomer)).status).toBe(201);
    expect(
      (await call("POST", "/api/push/subscriptions/account", { body: device.json, headers: asCustomer })).status,
    ).toBe(201);

    const back = backInStock(sku);
    await notify(back, pushEnv);
    expect(await received(device.path)).toHaveLength(1);
    const rows = (await db().select().from(notifications).where(eq(notifications.eventId, back.id)).all()).filter(
      (r) => r.template === "back_in_stock_available",
    );
    expect(rows.map((r) => r.channel).sort()).toEqual(["email", "push"]);
    // Both requests are answered; the device's own subscription for the request is gone, the account's stays.
    const open = await db().select().from(backInStockRequests).where(eq(backInStockRequests.sku, sku)).all();
    expect(open.map((r) => r.status)).toEqual(["notified", "notified"]);
    const left = await db()
      .select()
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.endpoint, device.json.endpoint))
      .all();
    expect(left.map((r) => r.scope)).toEqual([`customer:${customer.id}`]);
  });

  it("on a shop whose push is turned off since, the request is closed and its device forgotten, with nothing sent", async () => {
    const { sku } = await soldOut();
    const device = await browser("bisp-nopush");
    const signed = await signUpByPush(sku, device);
    expect(signed.status).toBe(201);

    const back = backInStock(sku);
    await notify(back, pushEnv, { ...channelsFor(pushEnv), push: null });
    const rows = await db().select().from(notifications).where(eq(notifications.eventId, back.id)).all();
    expect(rows.filter((r) => r.template === "back_in_stock_available")).toEqual([]);
    const request = await db()
      .select()
      .from(backInStockRequests)
      .where(eq(backInStockRequests.id, signed.body.id))
      .get();
    expect(request?.status).toBe("notified");
    expect(await deviceOf(signed.body.id)).toEqual([]);
    expect(
      await db().select().from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, device.json.endpoint)).all(),
    ).toEqual([]);
  });
});
