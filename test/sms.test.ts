import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { newEvent } from "../src/adapters/event-bus";
import { getDb } from "../src/db/client";
import { notifications } from "../src/db/schema";
import { smsText } from "../src/domain/notifications";
import { formatOrderNumber } from "../src/domain/order-numbers";
import { notify } from "../src/services/notifications/notifications";
import { setPreference } from "../src/services/notifications/unsubscribe";
import { call, waitFor } from "./helpers";
import { ADDRESS, freshEmail, mirrorOf, product } from "./order-fixtures";

const smsServer = inject("smsServerUrl");
/** The Worker's env with SMS turned on, the Twilio-shaped API pointed at the test's local server. */
const smsEnv = {
  ...env,
  SMS_PROVIDER: "twilio",
  TWILIO_ACCOUNT_SID: "AC_test_sid",
  TWILIO_AUTH_TOKEN: "twilio_test_token",
  SMS_FROM: "+15550001111",
  TWILIO_API_BASE: smsServer,
} as unknown as Env;

type Received = { path: string; headers: Record<string, string>; form: Record<string, string> };
async function received(to: string): Promise<Received[]> {
  return (await (await fetch(`${smsServer}/requests?to=${encodeURIComponent(to)}`)).json()) as Received[];
}

/** An order placed at checkout with a phone number, once its D1 mirror (which the SMS lookup reads) exists. */
async function orderWithPhone(phone: string) {
  const sku = await product({ onHand: 5 });
  const email = freshEmail();
  const res = await call("POST", "/api/orders", {
    body: { items: [{ sku, qty: 1 }], email, shippingAddress: { ...ADDRESS, phone } },
  });
  expect(res.status).toBe(201);
  const id: string = res.body.id;
  await waitFor("the order's mirror", async () => ((await mirrorOf(id)) ? true : undefined));
  return { id, email, number: res.body.number as number };
}

const shipped = (orderId: string, email: string) =>
  newEvent("OrderShipped", `order:${orderId}`, {
    orderId,
    sequence: 7,
    email,
    customerId: null,
    trackingNumber: "TRK9",
  });

const smsRowsFor = (eventId: string) =>
  getDb(env.DB)
    .select()
    .from(notifications)
    .where(and(eq(notifications.eventId, eventId), eq(notifications.channel, "sms")));

describe("SMS", () => {
  it("texts an order update to the phone given at checkout through the Twilio-shaped API", async () => {
    const unique = String(Date.now()).slice(-7);
    const order = await orderWithPhone(`+49 30 ${unique}`);
    const event = shipped(order.id, order.email);
    await notify(event, smsEnv);

    const to = `+4930${unique}`;
    const [request] = await received(to);
    expect(request?.path).toBe("/2010-04-01/Accounts/AC_test_sid/Messages.json");
    expect(request?.headers.authorization).toBe(`Basic ${btoa("AC_test_sid:twilio_test_token")}`);
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request?.form).toEqual({
      To: to,
      From: "+15550001111",
      Body: `Bracelet Shop: Your order ${formatOrderNumber(order.number)} is on its way. Tracking number: TRK9. ${env.SHOP_URL}/orders/${order.id}`,
    });
    const [row] = await smsRowsFor(event.id);
    expect(row).toMatchObject({ status: "sent", attempts: 1, address: to, recipient: order.email, kind: "order" });
    expect(row?.providerId).toMatch(/^SM/);
  });

  it("keeps SMS short and free of staff facts: subject, one line and the link", () => {
    const text = smsText({
      subject: "Your order ABC is on its way",
      short: "Tracking number: T1.",
      link: "https://s/o/1",
    });
    expect(text).toBe("Bracelet Shop: Your order ABC is on its way. Tracking number: T1. https://s/o/1");
    expect(text.length).toBeLessThanOrEqual(160);
  });

  it("writes no SMS when no provider is configured, and a text to a shopper who turned order texts off ends `suppressed`", async () => {
    const order = await orderWithPhone(`+49 40 ${String(Date.now()).slice(-7)}`);
    const first = shipped(order.id, order.email);
    await notify(first, env);
    expect(await smsRowsFor(first.id)).toEqual([]);

    await setPreference(env, { recipient: order.email, kind: "order", channel: "sms", enabled: false });
    const second = newEvent("OrderDelivered", `order:${order.id}`, {
      orderId: order.id,
      sequence: 8,
      email: order.email,
      customerId: null,
    });
    await notify(second, smsEnv);
    expect(await smsRowsFor(second.id)).toEqual([
      expect.objectContaining({ status: "suppressed", attempts: 0, lastError: "recipient opted out" }),
    ]);
  });

  it("retries a text the provider refused (500) like any other message", async () => {
    const order = await orderWithPhone("+49 30 555 0500");
    const event = shipped(order.id, order.email);
    await notify(event, smsEnv);
    const [row] = await smsRowsFor(event.id);
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row?.lastError).toContain("HTTP 500");
  });
});
