import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhookSignature } from "../src/adapters/payment-gateway";
import { getDb } from "../src/db/client";
import { payments, webhookEvents } from "../src/db/schema";
import { waitFor } from "./helpers";
import {
  deliveredEventsOf,
  getOrder,
  type Placed,
  pay,
  placeOrder,
  product,
  sendWebhook,
  stallPayment,
  waitForStatus,
  webhook,
  webhooksTaken,
} from "./order-fixtures";

const seen = (id: string) => getDb(env.DB).select().from(webhookEvents).where(eq(webhookEvents.id, id)).get();
const processed = async (o: Placed, status: string) =>
  (await deliveredEventsOf(o.id)).filter((e) => e.type === "PaymentProcessed" && e.data.status === status).length;

/** A confirmed, captured order and its payment id. */
async function paidOrder() {
  const sku = await product();
  const o = await placeOrder([{ sku, qty: 1 }]);
  const { body } = await pay(o, "tok_visa");
  await waitForStatus(o, "confirmed");
  await waitFor("the capture", async () => {
    const row = await getDb(env.DB).select().from(payments).where(eq(payments.id, body.paymentId)).get();
    return row?.status === "captured" ? row : undefined;
  });
  const data = {
    paymentId: body.paymentId as string,
    orderId: o.id,
    amountCents: o.body.totals.totalCents as number,
    currency: "EUR",
  };
  return { o, data };
}

/** An order whose card payment is in flight with nothing racing its outcome, and that payment's webhook data. */
async function payingOrder() {
  const sku = await product();
  const o = await placeOrder([{ sku, qty: 1 }]);
  const paymentId = await stallPayment(o, { deadline: Date.now() + 60_000, expiresAt: Date.now() + 60_000 });
  const data = { paymentId, orderId: o.id, amountCents: o.body.totals.totalCents as number, currency: "EUR" };
  return { o, data };
}

/** What a webhook may not change: the order's status and version, and every event about it. */
const footprint = async (o: Placed) => {
  const { status, version } = (await getOrder(o)).body;
  return { status, version, events: (await deliveredEventsOf(o.id)).length };
};

describe("payment webhook signatures", () => {
  it("accepts its own signature and refuses a changed body, a wrong secret, or a stale or future timestamp", async () => {
    const now = 1_700_000_000;
    const header = await signWebhook("whsec_test", '{"a":1}', now);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(await verifyWebhookSignature("whsec_test", header, '{"a":1}', now)).toEqual({ ok: true });
    expect(await verifyWebhookSignature("whsec_test", header, '{"a":1}', now + 300)).toEqual({ ok: true });
    expect(await verifyWebhookSignature("whsec_test", header, '{"a":2}', now)).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(await verifyWebhookSignature("whsec_other", header, '{"a":1}', now)).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(await verifyWebhookSignature("whsec_test", header, '{"a":1}', now + 301)).toEqual({
      ok: false,
      reason: "stale",
    });
    expect(await verifyWebhookSignature("whsec_test", header, '{"a":1}', now - 301)).toEqual({
      ok: false,
      reason: "stale",
    });
    for (const bad of [undefined, "", "v1=abc", "t=1700000000", "t=x,v1=00", `t=${now},v1=${"0".repeat(63)}`]) {
      expect(await verifyWebhookSignature("whsec_test", bad, '{"a":1}', now)).toEqual({
        ok: false,
        reason: "malformed",
      });
    }
  });

  it("signs and verifies with the key of each secret, however the secrets alternate (keys are imported once)", async () => {
    const now = 1_700_000_000;
    for (let round = 0; round < 2; round++) {
      for (const [mine, other] of [
        ["whsec_a", "whsec_b"],
        ["whsec_b", "whsec_a"],
      ] as const) {
        const header = await signWebhook(mine, '{"a":1}', now);
        expect(await verifyWebhookSignature(mine, header, '{"a":1}', now)).toEqual({ ok: true });
        expect(await verifyWebhookSignature(other, header, '{"a":1}', now)).toEqual({ ok: false, reason: "mismatch" });
      }
    }
    expect(await signWebhook("whsec_a", "x", now)).not.toBe(await signWebhook("whsec_b", "x", now));
  });

  it("answers a bad signature with 401 invalid_signature and changes nothing", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const event = webhook({
      paymentId: "pay_forged",
      orderId: o.id,
      amountCents: 1,
      currency: "EUR",
      status: "authorized",
    });
    const res = await sendWebhook(event, { secret: "whsec_attacker" });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_signature");
    const unsigned = await sendWebhook(event, { signature: "" });
    expect(unsigned.status).toBe(401);
    expect(await seen(event.id)).toBeUndefined();
    expect((await getOrder(o)).body).toMatchObject({ status: "reserved", version: 1 });
  });

  it("answers a stale timestamp with 401 even when correctly signed, and changes nothing", async () => {
    const { o, data } = await paidOrder();
    const before = await processed(o, "refunded");
    const event = webhook({ ...data, status: "refunded" });
    const res = await sendWebhook(event, { t: Math.floor(Date.now() / 1000) - 301 });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_signature");
    expect(await seen(event.id)).toBeUndefined();
    expect(await processed(o, "refunded")).toBe(before);
  });
});

describe("payment webhook delivery", () => {
  it("answers a redelivered event id with 200 and applies it once", async () => {
    const { o, data } = await paidOrder();
    const event = webhook({ ...data, status: "authorized" });
    const first = await sendWebhook(event);
    const before = await footprint(o);
    const second = await sendWebhook(event);
    expect(first).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
    expect(second).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    expect(await footprint(o)).toEqual(before);
    expect(await processed(o, "authorized")).toBe(1);
  });

  it("applies a payment outcome once however many times and by whichever way it arrives", async () => {
    const { o, data } = await paidOrder();
    const version = (await getOrder(o)).body.version;
    // The gateway's own webhooks already landed; these replay the same outcomes under new event ids.
    for (const status of ["authorized", "captured", "declined"] as const) {
      const res = await sendWebhook(webhook({ ...data, status }));
      expect(res).toMatchObject({ status: 200, body: { received: true, applied: false } });
    }
    expect(await processed(o, "authorized")).toBe(1);
    expect(await processed(o, "captured")).toBe(1);
    expect(await processed(o, "declined")).toBe(0);
    expect((await getOrder(o)).body).toMatchObject({ status: "confirmed", version });
  });

  it("ignores a signed refund the shop never asked for", async () => {
    const { o, data } = await paidOrder();
    const res = await sendWebhook(webhook({ ...data, status: "refunded" }));
    expect(res).toMatchObject({ status: 200, body: { applied: false } });
    expect(await processed(o, "refunded")).toBe(0);
    expect((await getOrder(o)).body.payment).toMatchObject({ status: "captured", refundedCents: 0 });
  });

  it("acknowledges an event for an unknown order without creating anything", async () => {
    const event = webhook({
      paymentId: "pay_x",
      orderId: "ord_doesnotexist000000000",
      amountCents: 100,
      currency: "EUR",
      status: "authorized",
    });
    const res = await sendWebhook(event);
    expect(res).toMatchObject({ status: 200, body: { received: true, applied: false } });
  });

  it("refuses a signed body that is not a payment event with 400", async () => {
    const res = await sendWebhook({
      id: "evt_bad",
      type: "payment.captured",
      created: 1,
      data: { paymentId: "p", orderId: "o", amountCents: 1, currency: "EUR", status: "voided" },
    });
    expect(res.status).toBe(400);
    const noId = await sendWebhook({ type: "payment.captured" } as never);
    expect(noId.status).toBe(400);
    expect(await seen("evt_bad")).toBeUndefined();
  });

  it("acknowledges, records and ignores a signed event of a type the shop does not handle", async () => {
    const { o } = await paidOrder();
    const before = (await getOrder(o)).body;
    const res = await sendWebhook({
      id: "evt_unhandled_1",
      type: "charge.dispute.created",
      created: 1,
      data: { object: { id: "dp_1" } },
    } as never);
    expect(res).toMatchObject({ status: 200, body: { received: true, ignored: true } });
    expect(await seen("evt_unhandled_1")).toMatchObject({ type: "charge.dispute.created" });
    // Nothing about the order moved (other effects of the checkout, like the invoice, may still be arriving).
    const after = (await getOrder(o)).body;
    expect({ status: after.status, version: after.version, payment: after.payment }).toEqual({
      status: "confirmed",
      version: before.version,
      payment: before.payment,
    });
  });

  it("still refuses an unhandled event type whose signature is wrong", async () => {
    const res = await sendWebhook({ id: "evt_unhandled_forged", type: "charge.refunded", created: 1 } as never, {
      secret: "whsec_someone_else",
    });
    expect(res.status).toBe(401);
    expect(await seen("evt_unhandled_forged")).toBeUndefined();
  });
});

describe("where a payment webhook's event id is kept", () => {
  it("applies a handled webhook and keeps its id in the order's object, writing no webhook_events row", async () => {
    const { o, data } = await payingOrder();
    const event = webhook({ ...data, status: "authorized" });
    const res = await sendWebhook(event);
    expect(res).toMatchObject({ status: 200, body: { received: true, duplicate: false, applied: true } });
    expect(await seen(event.id)).toBeUndefined();
    expect(await webhooksTaken(o)).toEqual([event.id]);
    expect(await processed(o, "authorized")).toBe(1);
  });

  it("answers a redelivered handled webhook duplicate and changes nothing", async () => {
    const { o, data } = await payingOrder();
    const event = webhook({ ...data, status: "authorized" });
    expect((await sendWebhook(event)).body).toMatchObject({ duplicate: false, applied: true });
    const before = await footprint(o);
    const again = await sendWebhook(event);
    expect(again).toMatchObject({ status: 200, body: { received: true, duplicate: true, applied: false } });
    expect(await footprint(o)).toEqual(before);
    expect(await processed(o, "authorized")).toBe(1);
    expect(await seen(event.id)).toBeUndefined();
    expect(await webhooksTaken(o)).toEqual([event.id]);
  });

  it("answers a webhook whose outcome the gateway's own answer applied as new the first time, then as a redelivery", async () => {
    const { o, data } = await payingOrder();
    const stub = env.ORDER_FLOW.getByName(o.id);
    // The payments subscriber's way: the synchronous answer, with no event id, marks nothing.
    expect(await stub.applyPayment({ ...data, status: "authorized" })).toEqual({
      ok: true,
      applied: true,
      status: "payment_pending",
    });
    expect(await webhooksTaken(o)).toEqual([]);
    const before = await footprint(o);
    const event = webhook({ ...data, status: "authorized" });
    const first = await sendWebhook(event);
    const second = await sendWebhook(event);
    expect(first).toMatchObject({ status: 200, body: { received: true, duplicate: false, applied: false } });
    expect(second).toMatchObject({ status: 200, body: { received: true, duplicate: true, applied: false } });
    expect(await footprint(o)).toEqual(before);
    expect(await processed(o, "authorized")).toBe(1);
    expect(await seen(event.id)).toBeUndefined();
  });

  it("still knows a webhook's id once the object reads its storage again, or is evicted", async () => {
    const { o, data } = await payingOrder();
    const stub = env.ORDER_FLOW.getByName(o.id);
    const event = webhook({ ...data, status: "authorized" });
    expect((await sendWebhook(event)).body).toMatchObject({ duplicate: false, applied: true });
    await runInDurableObject(stub, (instance) => instance.reread());
    expect((await sendWebhook(event)).body).toMatchObject({ duplicate: true, applied: false });
    await evictDurableObject(stub);
    expect((await sendWebhook(event)).body).toMatchObject({ duplicate: true, applied: false });
    expect(await processed(o, "authorized")).toBe(1);
  });

  it("keeps recording in D1 what no order answers for: an unknown order, an unknown payment, an unhandled type", async () => {
    const { o, data } = await payingOrder();
    const unknownOrder = webhook({ ...data, orderId: "ord_doesnotexist000000001", status: "authorized" });
    const unknownPayment = webhook({ ...data, paymentId: "pay_unknown", status: "authorized" });
    for (const event of [unknownOrder, unknownPayment]) {
      const first = await sendWebhook(event);
      const again = await sendWebhook(event);
      expect(first).toMatchObject({ status: 200, body: { received: true, duplicate: false, applied: false } });
      expect(again).toMatchObject({ status: 200, body: { received: true, duplicate: true, applied: false } });
      expect(await seen(event.id)).toMatchObject({ type: "payment.authorized" });
    }
    const unhandled = { id: "evt_unhandled_2", type: "charge.dispute.created", created: 1 } as never;
    for (let i = 0; i < 2; i++) {
      expect(await sendWebhook(unhandled)).toMatchObject({ status: 200, body: { received: true, ignored: true } });
    }
    expect(await seen("evt_unhandled_2")).toMatchObject({ type: "charge.dispute.created" });
    expect(await webhooksTaken(o)).toEqual([]);
    expect((await getOrder(o)).body).toMatchObject({ status: "payment_pending" });
  });
});
