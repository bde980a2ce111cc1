/**
 * Every transition of an order emits an Orders event (DESIGN.md: persisted, mirrored, broadcast and emitted),
 * including the ones that used to change the order silently: a decline, the payment timeout, a hold for review,
 * and a staff refund of an order that keeps its status.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, waitFor } from "./helpers";
import { eventsOf, getOrder, pay, placeOrder, product, signedIn, stallPayment, waitForStatus } from "./order-fixtures";

const eventOf = (orderId: string, type: string) =>
  waitFor(`${type} for ${orderId}`, async () => (await eventsOf(orderId)).find((e) => e.type === type));

describe("Orders events for every transition", () => {
  it("emits OrderPaymentFailed (declined, with the code) when the gateway declines", async () => {
    const o = await placeOrder([{ sku: await product(), qty: 1 }]);
    const paid = await pay(o, "tok_chargeDeclined");
    const failed = await waitForStatus(o, "payment_failed");
    const event = await eventOf(o.id, "OrderPaymentFailed");
    expect(event.data).toMatchObject({
      orderId: o.id,
      paymentId: paid.body.paymentId,
      reason: "declined",
      declineCode: "card_declined",
      sequence: failed.version,
    });
  });

  it("emits OrderHeld with the score and the end of the review window when the fraud check asks for review", async () => {
    const o = await placeOrder([{ sku: await product(), qty: 1 }]);
    const paid = await pay(o, "tok_riskLevelElevated");
    const held = await waitForStatus(o, "on_hold");
    const event = await eventOf(o.id, "OrderHeld");
    expect(event.data).toMatchObject({ orderId: o.id, paymentId: paid.body.paymentId, score: 45, sequence: 3 });
    expect(event.data.holdUntil).toBe(held.expiresAt);
  });

  it("emits OrderPaymentFailed (timeout) when the alarm gives up on a payment", async () => {
    const o = await placeOrder([{ sku: await product(), qty: 1 }]);
    const stub = env.ORDER_FLOW.getByName(o.id);
    const paymentId = await stallPayment(o, { deadline: Date.now() - 1, expiresAt: Date.now() + 60_000 });
    await runInDurableObject(stub, (instance) => instance.alarm());
    expect((await getOrder(o)).body.status).toBe("payment_failed");
    const event = await eventOf(o.id, "OrderPaymentFailed");
    expect(event.data).toMatchObject({ paymentId, reason: "timeout", sequence: 2 });
  });

  it("emits OrderRefunded when staff refund a shipped order, which stays shipped", async () => {
    const o = await placeOrder([{ sku: await product(), qty: 1 }]);
    await pay(o, "tok_visa");
    await waitForStatus(o, "confirmed");
    const staff = await signedIn("staff");
    const post = (path: string, body?: unknown) =>
      call("POST", `/api/admin/orders/${o.id}/${path}`, { headers: staff.headers, body });
    expect((await post("ship", { trackingNumber: "TRK-1" })).status).toBe(200);
    const refunded = await post("refund");
    expect(refunded.body).toMatchObject({ status: "shipped", refundedCents: o.body.totals.totalCents });
    const event = await eventOf(o.id, "OrderRefunded");
    expect(event.data).toMatchObject({
      orderId: o.id,
      amountCents: o.body.totals.totalCents,
      currency: "EUR",
      by: staff.id,
      sequence: refunded.body.version,
    });
  });
});
