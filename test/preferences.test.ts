import { env, exports } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { newEvent } from "../src/adapters/event-bus";
import { getDb } from "../src/db/client";
import { notifications } from "../src/db/schema";
import { signUpForBackInStock } from "../src/services/catalog/back-in-stock";
import { notify } from "../src/services/notifications/notifications";
import { freshSku, insertProducts } from "./catalog-fixtures";
import { call, sessionFor } from "./helpers";

const mailServer = inject("mailServerUrl");
const httpEnv = {
  ...env,
  EMAIL_PROVIDER: "resend",
  EMAIL_API_URL: mailServer,
  EMAIL_API_KEY: "re_test",
} as unknown as Env;

type Received = { headers: Record<string, string>; body: { headers?: Record<string, string>; text: string } };
const received = async (to: string): Promise<Received[]> =>
  (await fetch(`${mailServer}/requests?to=${encodeURIComponent(to)}`)).json();

/** A shopper waiting for a sold-out SKU, and the InventoryAdjusted that brings it back. */
async function waitingFor(email: string) {
  const sku = freshSku("PREF");
  await insertProducts([{ sku, name: "Opal Band", material: "gold", colour: "white", priceCents: 100, available: 0 }]);
  const t0 = Date.now();
  await signUpForBackInStock(env, { sku, email, customerId: null }, t0);
  return newEvent(
    "InventoryAdjusted",
    `sku:${sku}`,
    {
      sku,
      reason: "restock",
      delta: 2,
      actor: "staff",
      orderId: null,
      before: { onHand: 0, reserved: 0, available: 0 },
      after: { onHand: 2, reserved: 0, available: 2 },
    },
    t0 + 1,
  );
}

const rowFor = (eventId: string, recipient: string) =>
  getDb(env.DB)
    .select()
    .from(notifications)
    .where(eq(notifications.eventId, eventId))
    .then((rows) => rows.find((r) => r.recipient === recipient));

describe("one-click unsubscribe", () => {
  it("marketing e-mail carries List-Unsubscribe headers whose link unsubscribes signed out (RFC 8058)", async () => {
    const email = `unsub-${crypto.randomUUID()}@example.com`;
    await notify(await waitingFor(email), httpEnv);
    const [sent] = await received(email);
    const header = sent?.body.headers?.["List-Unsubscribe"] ?? "";
    expect(sent?.body.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const url = /^<(.+)>$/.exec(header)?.[1] ?? "";
    expect(url).toMatch(/^http:\/\/localhost:8787\/unsubscribe\?token=/);
    expect(sent?.body.text).toContain(`Stop e-mails like this: ${url}`);

    // A GET (a link scanner, the shopper's click) only asks; the one-click POST unsubscribes, no session needed.
    const path = url.replace("http://localhost:8787", "http://localhost");
    const page = await exports.default.fetch(new Request(path));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Unsubscribe");
    const post = await exports.default.fetch(
      new Request(path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      }),
    );
    expect(post.status).toBe(200);
    expect(await post.text()).toContain("You are unsubscribed");

    // The next marketing message to that address is suppressed, not sent.
    const next = await waitingFor(email);
    await notify(next, httpEnv);
    expect(await rowFor(next.id, email)).toMatchObject({ status: "suppressed", lastError: "recipient opted out" });
    expect(await received(email)).toHaveLength(1);
  });

  it("refuses an altered token (400) and unsubscribes nobody", async () => {
    const email = `forge-${crypto.randomUUID()}@example.com`;
    await notify(await waitingFor(email), httpEnv);
    const url = /^<(.+)>$/.exec((await received(email))[0]?.body.headers?.["List-Unsubscribe"] ?? "")?.[1] ?? "";
    const other = btoa("victim@example.com").replace(/=+$/, "");
    const forged = url.replace(/token=[^.]+/, `token=${other}`).replace("http://localhost:8787", "http://localhost");
    const res = await exports.default.fetch(new Request(forged, { method: "POST" }));
    expect(res.status).toBe(400);
    const next = await waitingFor(email);
    await notify(next, httpEnv);
    expect((await rowFor(next.id, email))?.status).toBe("sent");
  });

  it("order and account e-mail carry no List-Unsubscribe", async () => {
    const email = `txn-${crypto.randomUUID()}@example.com`;
    await notify(newEvent("UserSignedUp", "customer:x", { customerId: "cus_x", email, name: "T" }), httpEnv);
    expect((await received(email))[0]?.body.headers).toBeUndefined();
  });
});

describe("GET/PATCH /api/account/preferences", () => {
  it("lets a customer turn billing e-mail off while order updates still arrive", async () => {
    const customer = await sessionFor("customer");
    const headers = { cookie: customer.cookie, origin: "http://localhost" };
    const on = { order: true, marketing: true, billing: true };
    // The tests configure push (VAPID keys) but no SMS provider: the shop offers e-mail and push.
    expect((await call("GET", "/api/account/preferences", { headers })).body).toEqual({
      email: on,
      push: on,
      sms: on,
      channels: ["email", "push"],
    });
    const res = await call("PATCH", "/api/account/preferences", { body: { email: { billing: false } }, headers });
    expect(res.status).toBe(200);
    expect(res.body.email).toEqual({ order: true, marketing: true, billing: false });

    const who = { email: customer.email, customerId: customer.id };
    const invoice = newEvent("InvoiceGenerated", "invoice:p1", {
      invoiceId: "inv_p1",
      number: 9001,
      ...who,
      orderId: null,
      subscriptionId: null,
      totalCents: 100,
      currency: "EUR",
    });
    const shipped = newEvent("OrderShipped", "order:p1", {
      orderId: "ord_p1",
      sequence: 3,
      ...who,
      trackingNumber: "T1",
    });
    await notify(invoice, env);
    await notify(shipped, env);
    expect((await rowFor(invoice.id, customer.email))?.status).toBe("suppressed");
    expect((await rowFor(shipped.id, customer.email))?.status).toBe("sent");
  });

  it("keeps each channel's choices apart: push off for marketing leaves e-mail on", async () => {
    const customer = await sessionFor("customer");
    const headers = { cookie: customer.cookie, origin: "http://localhost" };
    const res = await call("PATCH", "/api/account/preferences", {
      body: { push: { marketing: false }, sms: { order: false } },
      headers,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      email: { order: true, marketing: true, billing: true },
      push: { order: true, marketing: false, billing: true },
      sms: { order: false, marketing: true, billing: true },
    });
  });

  it("refuses anonymous callers (401) and unknown kinds (400)", async () => {
    expect((await call("GET", "/api/account/preferences")).status).toBe(401);
    const customer = await sessionFor("customer");
    const res = await call("PATCH", "/api/account/preferences", {
      body: { email: { spam: true } },
      headers: { cookie: customer.cookie, origin: "http://localhost" },
    });
    expect(res.status).toBe(400);
  });
});
