import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { events, invoices, payments } from "../src/db/schema";
import { parseEnvelope } from "../src/domain/events";
import { fraudSubscriber } from "../src/services/subscribers/fraud";
import { call, waitFor } from "./helpers";
import {
  eventsOf,
  getOrder,
  mirrorOf,
  type Placed,
  pay,
  placeOrder,
  product,
  sendWebhook,
  signedIn,
  stallPayment,
  stockOf,
  typesOf,
  waitForStatus,
  webhook,
  webhooksTaken,
} from "./order-fixtures";

const paymentRow = (id: string) => getDb(env.DB).select().from(payments).where(eq(payments.id, id)).get();

/** Waits until the D1 payments row of `paymentId` reaches `status`. */
const waitForPayment = (paymentId: string, status: string) =>
  waitFor(`payment ${paymentId} to be ${status}`, async () => {
    const row = await paymentRow(paymentId);
    return row?.status === status ? row : undefined;
  });

const count = (list: string[], type: string) => list.filter((t) => t === type).length;

describe("paying for an order", () => {
  it("runs the whole path: pay, payment and fraud subscribers, webhook, confirmed, stock committed, invoice", async () => {
    const sku = await product({ priceCents: 4_000, onHand: 5 });
    const me = await signedIn();
    const o = await placeOrder([{ sku, qty: 2 }], { headers: me.headers, email: me.email });

    const res = await pay(o, "tok_visa");
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      id: o.id,
      status: "payment_pending",
      version: 2,
      paymentId: expect.stringMatching(/^pay_/),
    });
    const paymentId: string = res.body.paymentId;

    const confirmed = await waitForStatus(o, "confirmed");
    expect(confirmed.timeline.map((e: { status: string }) => e.status)).toEqual([
      "reserved",
      "payment_pending",
      "confirmed",
    ]);
    expect(confirmed.expiresAt).toBeNull();
    expect(await stockOf(sku)).toEqual({ sku, onHand: 3, reserved: 0, available: 3 });

    const captured = await waitForPayment(paymentId, "captured");
    expect(captured).toMatchObject({ orderId: o.id, amountCents: 10_194, methodLabel: "tok_visa", provider: "test" });
    expect((await mirrorOf(o.id))?.status).toBe("confirmed");

    const invoice = await waitFor("the invoice", async () => {
      const r = await call("GET", `/api/orders/${o.id}/invoice`, { headers: me.headers });
      return r.status === 200 ? r.body : undefined;
    });
    expect(invoice).toMatchObject({
      orderId: o.id,
      customerId: me.id,
      number: expect.any(Number),
      lines: [{ description: expect.stringContaining(sku), qty: 2, unitPriceCents: 4_000, lineTotalCents: 8_000 }],
      subtotalCents: 8_000,
      shippingCents: 495,
      taxCents: 1_699,
      totalCents: 10_194,
      currency: "EUR",
      status: "paid",
    });
    const sameByToken = await call("GET", `/api/orders/${o.id}/invoice`, { headers: o.auth });
    expect(sameByToken.body).toEqual(invoice);

    // Both ways the gateway reports (answer and webhook) arrived; each outcome was applied once.
    await waitFor("both webhooks", async () => ((await webhooksTaken(o)).length >= 2 ? true : undefined));
    const types = await waitFor("InvoiceGenerated", async () => {
      const t = await typesOf(o.id);
      return t.includes("InvoiceGenerated") ? t : undefined;
    });
    for (const type of [
      "OrderPlaced",
      "PaymentInitiated",
      "FraudCheckCompleted",
      "OrderConfirmed",
      "InvoiceGenerated",
    ]) {
      expect(count(types, type), type).toBe(1);
    }
    const all = await eventsOf(o.id);
    const processed = all.filter((e) => e.type === "PaymentProcessed").map((e) => e.data.status);
    expect(processed.sort()).toEqual(["authorized", "captured"]);
    expect(all.find((e) => e.type === "PaymentInitiated")?.data).toMatchObject({
      paymentId,
      token: "tok_visa",
      amountCents: 10_194,
      attempt: 1,
      sequence: 2,
    });
    expect(all.find((e) => e.type === "FraudCheckCompleted")?.data).toMatchObject({ decision: "pass", score: 0 });
    expect(all.find((e) => e.type === "OrderConfirmed")?.data).toMatchObject({ sequence: 3, totalCents: 10_194 });
    expect(all.find((e) => e.type === "InvoiceGenerated")?.data).toMatchObject({
      invoiceId: invoice.id,
      number: invoice.number,
    });
    expect(await getDb(env.DB).select().from(invoices).where(eq(invoices.orderId, o.id))).toHaveLength(1);
  });

  it("numbers invoices sequentially without gaps", async () => {
    const sku = await product({ onHand: 20 });
    const placed: Placed[] = [];
    for (let i = 0; i < 3; i++) placed.push(await placeOrder([{ sku, qty: 1 }]));
    for (const o of placed) expect((await pay(o, "tok_visa")).status).toBe(202);
    const ids = new Set(placed.map((o) => o.id));
    await waitFor("three invoices", async () => {
      const rows = await getDb(env.DB).select({ orderId: invoices.orderId }).from(invoices);
      return rows.filter((r) => r.orderId && ids.has(r.orderId)).length === 3 ? true : undefined;
    });
    const numbers = (await getDb(env.DB).select({ number: invoices.number }).from(invoices))
      .map((r) => r.number)
      .sort((a, b) => a - b);
    expect(numbers.length).toBeGreaterThanOrEqual(3);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it("maps a card number to its token and keeps the number out of every record", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const res = await pay(o, "4242 4242 4242 4242");
    expect(res.status).toBe(202);
    await waitForStatus(o, "confirmed");
    const row = await waitForPayment(res.body.paymentId, "captured");
    expect(row.methodLabel).toBe("card ending 4242");
    expect(await getDb(env.DB).select().from(events).where(like(events.data, "%4242424242424242%"))).toEqual([]);
    expect(JSON.stringify(await getOrder(o))).not.toContain("4242424242424242");
  });

  it("refuses a card number that fails the Luhn check with 400 and starts no payment", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const res = await pay(o, "4242 4242 4242 4241");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect((await getOrder(o)).body).toMatchObject({ status: "reserved", version: 1, payment: null });
    expect(await typesOf(o.id)).toEqual(["OrderPlaced"]);
  });

  it("moves a declined payment to payment_failed, keeps the stock, and confirms a retry with tok_visa", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const declined = await pay(o, "tok_chargeDeclined");
    expect(declined.status).toBe(202);
    const failed = await waitForStatus(o, "payment_failed");
    expect(failed.payment).toMatchObject({ status: "declined", declineCode: "card_declined", attempt: 1 });
    expect(failed.expiresAt).toBeGreaterThan(Date.now());
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });

    const retry = await pay(o, "tok_visa");
    expect(retry.status).toBe(202);
    expect(retry.body.paymentId).not.toBe(declined.body.paymentId);
    const confirmed = await waitForStatus(o, "confirmed");
    expect(confirmed.timeline.map((e: { status: string }) => e.status)).toEqual([
      "reserved",
      "payment_pending",
      "payment_failed",
      "payment_pending",
      "confirmed",
    ]);
    expect(await stockOf(sku)).toMatchObject({ onHand: 9, reserved: 0 });
    expect((await paymentRow(declined.body.paymentId))?.status).toBe("declined");
    await waitForPayment(retry.body.paymentId, "captured");
  });

  it("declines an unknown token with invalid_token", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    expect((await pay(o, "tok_doesNotExist")).status).toBe(202);
    const failed = await waitForStatus(o, "payment_failed");
    expect(failed.payment).toMatchObject({ status: "declined", declineCode: "invalid_token" });
  });

  it("refuses a second payment while one is in flight or done with 409 invalid_state", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    expect((await pay(o, "tok_visa")).status).toBe(202);
    const second = await pay(o, "tok_visa");
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("invalid_state");
    await waitForStatus(o, "confirmed");
    expect((await getOrder(o)).body.payment.attempt).toBe(1);
  });

  it("replays a payment answer for the same Idempotency-Key without starting another attempt", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const key = crypto.randomUUID();
    const first = await pay(o, "tok_visa", { "idempotency-key": key });
    const again = await pay(o, "tok_visa", { "idempotency-key": key });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const other = await pay(o, "tok_chargeDeclined", { "idempotency-key": key });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
    await waitForStatus(o, "confirmed");
    expect(count(await typesOf(o.id), "PaymentInitiated")).toBe(1);
  });

  it("starts one payment for two pay requests racing with one Idempotency-Key: the other is 409 in progress, or the replay", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const key = crypto.randomUUID();
    const answers = await Promise.all([
      pay(o, "tok_visa", { "idempotency-key": key }),
      pay(o, "tok_visa", { "idempotency-key": key }),
    ]);
    const first = answers.find((r) => r.status === 202 && r.headers.get("idempotent-replayed") === null);
    const other = answers.find((r) => r !== first);
    expect(first).toBeDefined();
    if (other?.status === 409) expect(other.body.error.code).toBe("idempotency_in_progress");
    else {
      expect(other?.status).toBe(202);
      expect(other?.headers.get("idempotent-replayed")).toBe("true");
      expect(other?.body).toEqual(first?.body);
    }
    const again = await pay(o, "tok_visa", { "idempotency-key": key });
    expect(again.body).toEqual(first?.body);
    await waitForStatus(o, "confirmed");
    expect(count(await typesOf(o.id), "PaymentInitiated")).toBe(1);
  });

  it("replays a refused pay request (409) with its first answer for the same key", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    await pay(o, "tok_visa");
    await waitForStatus(o, "confirmed");
    const key = crypto.randomUUID();
    const refused = await pay(o, "tok_visa", { "idempotency-key": key });
    expect(refused.status).toBe(409);
    const again = await pay(o, "tok_visa", { "idempotency-key": key });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(refused.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });
});

describe("fraud review", () => {
  it("holds an elevated-risk payment for review; staff approve it and it is confirmed and captured", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 2 }]);
    const paid = await pay(o, "tok_riskLevelElevated");
    const held = await waitForStatus(o, "on_hold");
    // The owner reads shopper wording; the score stays in the staff view below.
    expect(held.timeline.at(-1).note).toContain("We're checking your order");
    expect(await stockOf(sku)).toMatchObject({ reserved: 2 });
    await waitForPayment(paid.body.paymentId, "authorized");
    const staff = await signedIn("staff");
    const detail = await call("GET", `/api/admin/orders/${o.id}`, { headers: staff.headers });
    expect(detail.body.risk).toMatchObject({ decision: "review", score: 45, reasons: [{ code: "token_risk" }] });
    expect((await mirrorOf(o.id))?.riskScore).toBe(45);

    const customer = await signedIn();
    const forbidden = await call("POST", `/api/admin/orders/${o.id}/approve`, {
      headers: customer.headers,
      body: { note: "me" },
    });
    expect(forbidden.status).toBe(403);

    const approved = await call("POST", `/api/admin/orders/${o.id}/approve`, {
      headers: staff.headers,
      body: { note: "Known customer" },
    });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe("confirmed");
    expect(approved.body.timeline.at(-1).note).toContain("Known customer");
    expect(await stockOf(sku)).toMatchObject({ onHand: 8, reserved: 0 });
    await waitForPayment(paid.body.paymentId, "captured");
    const again = await call("POST", `/api/admin/orders/${o.id}/approve`, { headers: staff.headers, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("invalid_state");
  });

  it("cancels a held order that staff reject, voiding the payment and releasing the stock", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const paid = await pay(o, "tok_riskLevelElevated");
    await waitForStatus(o, "on_hold");
    await waitForPayment(paid.body.paymentId, "authorized");
    const staff = await signedIn("staff");
    const rejected = await call("POST", `/api/admin/orders/${o.id}/reject`, {
      headers: staff.headers,
      body: { note: "Stolen card" },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe("cancelled");
    expect(await stockOf(sku)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    await waitForPayment(paid.body.paymentId, "voided");
    const cancelled = (await eventsOf(o.id)).find((e) => e.type === "OrderCancelled");
    expect(cancelled?.data).toMatchObject({ reason: "rejected_after_review", by: staff.id, refundedCents: 0 });
  });

  it("approves distinct shoppers paying from one IP address (IP velocity is off by default)", async () => {
    const sku = await product({ onHand: 50 });
    const headers = { "cf-connecting-ip": "203.0.113.7" };
    const placed: Placed[] = [];
    for (let i = 0; i < 11; i++) placed.push(await placeOrder([{ sku, qty: 1 }], { headers }));
    const last = placed.at(-1) as Placed;
    expect((await pay(last, "tok_visa", headers)).status).toBe(202);
    await waitForStatus(last, "confirmed");
    expect((await mirrorOf(last.id))?.ip).toBe("203.0.113.7");
  });

  it("holds for review a shopper placing many orders with one email within the hour", async () => {
    const sku = await product({ onHand: 50 });
    const email = `velocity-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const placed: Placed[] = [];
    for (let i = 0; i < 6; i++) placed.push(await placeOrder([{ sku, qty: 1 }], { email }));
    const last = placed.at(-1) as Placed;
    await pay(last, "tok_visa");
    await waitForStatus(last, "on_hold");
    const check = (await eventsOf(last.id)).find((e) => e.type === "FraudCheckCompleted");
    expect(check?.data).toMatchObject({
      decision: "review",
      score: 35,
      reasons: [{ code: "email_velocity", points: 35 }],
    });
  });

  it("cancels a highest-risk payment as fraud: payment voided, stock back, FraudDetected", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 3 }]);
    const paid = await pay(o, "tok_riskLevelHighest");
    const cancelled = await waitForStatus(o, "cancelled");
    expect(cancelled.timeline.at(-1).note).toContain("We couldn't accept this order");
    expect(await stockOf(sku)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    await waitForPayment(paid.body.paymentId, "voided");
    const types = await typesOf(o.id);
    expect(count(types, "FraudDetected")).toBe(1);
    expect(count(types, "OrderConfirmed")).toBe(0);
    const all = await eventsOf(o.id);
    expect(all.find((e) => e.type === "FraudCheckCompleted")?.data).toMatchObject({ decision: "reject", score: 90 });
    expect(
      all
        .filter((e) => e.type === "PaymentProcessed")
        .map((e) => e.data.status)
        .sort(),
    ).toEqual(["authorized", "voided"]);
    expect(count(types, "InvoiceGenerated")).toBe(0);
  });
});

describe("after confirmation", () => {
  it("refunds and returns the stock when the shopper cancels a confirmed order", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 2 }]);
    const paid = await pay(o, "tok_visa");
    await waitForStatus(o, "confirmed");
    expect(await stockOf(sku)).toMatchObject({ onHand: 8 });
    const res = await call("POST", `/api/orders/${o.id}/cancel`, { headers: o.auth });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "cancelled", refundedCents: o.body.totals.totalCents });
    expect(await stockOf(sku)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    const refunded = await waitForPayment(paid.body.paymentId, "refunded");
    expect(refunded.refundedCents).toBe(o.body.totals.totalCents);
    const cancelled = (await eventsOf(o.id)).find((e) => e.type === "OrderCancelled");
    expect(cancelled?.data).toMatchObject({ reason: "cancelled_by_customer", refundedCents: o.body.totals.totalCents });
    const again = await call("POST", `/api/orders/${o.id}/cancel`, { headers: o.auth });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "cancelled", version: res.body.version, timeline: res.body.timeline });
    expect(count(await typesOf(o.id), "OrderCancelled")).toBe(1);
  });

  it("reduces a confirmed order at the prices paid and refunds the difference; an increase is refused", async () => {
    const a = await product({ priceCents: 3_000 });
    const b = await product({ priceCents: 2_000 });
    const o = await placeOrder([
      { sku: a, qty: 3 },
      { sku: b, qty: 1 },
    ]);
    // 11000 ships free; tax 2200; total 13200
    expect(o.body.totals.totalCents).toBe(13_200);
    const paid = await pay(o, "tok_visa");
    await waitForStatus(o, "confirmed");
    await waitForPayment(paid.body.paymentId, "captured");

    const more = await call("PATCH", `/api/orders/${o.id}`, {
      headers: o.auth,
      body: {
        items: [
          { sku: a, qty: 4 },
          { sku: b, qty: 1 },
        ],
      },
    });
    expect(more.status).toBe(409);
    expect(more.body.error.code).toBe("invalid_state");

    const less = await call("PATCH", `/api/orders/${o.id}`, { headers: o.auth, body: { items: [{ sku: a, qty: 2 }] } });
    expect(less.status).toBe(200);
    // 6000, shipping stays at what was paid (0), tax 1200 → 7200; refund 6000
    expect(less.body).toMatchObject({
      status: "confirmed",
      items: [{ sku: a, qty: 2, unitPriceCents: 3_000 }],
      totals: { subtotalCents: 6_000, shippingCents: 0, taxCents: 1_200, totalCents: 7_200 },
      refundedCents: 6_000,
    });
    expect(await stockOf(a)).toMatchObject({ onHand: 8 });
    expect(await stockOf(b)).toMatchObject({ onHand: 10 });
    const row = await waitFor("the partial refund", async () => {
      const r = await paymentRow(paid.body.paymentId);
      return r && r.refundedCents === 6_000 ? r : undefined;
    });
    expect(row.status).toBe("captured");
    expect((await eventsOf(o.id)).filter((e) => e.type === "OrderAmended")).toHaveLength(1);
  });
});

/**
 * Puts a reserved order in payment_pending with an attempt whose outcome has not arrived, as if PaymentInitiated
 * were still on its way: nothing races the outcomes the test applies itself.
 */
async function pendingPayment(o: Placed, opts: { deadline: number; expiresAt: number }) {
  const stub = env.ORDER_FLOW.getByName(o.id);
  const paymentId = await stallPayment(o, opts);
  const outcome = (status: "authorized" | "declined") => ({
    paymentId,
    orderId: o.id,
    status,
    amountCents: o.body.totals.totalCents as number,
    currency: "EUR",
  });
  return { stub, paymentId, outcome };
}

/** A one-unit order (and its SKU) whose payment has started and waits for its outcomes, with a minute before anything expires. */
async function paymentUnderWay() {
  const sku = await product();
  const o = await placeOrder([{ sku, qty: 1 }]);
  const soon = Date.now() + 60_000;
  return { sku, o, ...(await pendingPayment(o, { deadline: soon, expiresAt: soon })) };
}

const assessment = (decision: "pass" | "review" | "reject", score: number) => ({
  paymentId: "",
  assessment: { score, decision, reasons: score > 0 ? [{ code: "test", points: score }] : [] },
});

describe("authorization and fraud check arriving in either order", () => {
  it("confirms only once both have arrived when the fraud check comes first", async () => {
    const { sku, o, stub, paymentId, outcome } = await paymentUnderWay();
    const fraud = await stub.applyFraud({ ...assessment("pass", 0), paymentId });
    expect(fraud).toMatchObject({ ok: true, status: "payment_pending" });
    expect((await getOrder(o)).body.status).toBe("payment_pending");
    const auth = await stub.applyPayment(outcome("authorized"));
    expect(auth).toEqual({ ok: true, applied: true, status: "confirmed" });
    expect(await stockOf(sku)).toMatchObject({ onHand: 9, reserved: 0 });
    expect(await stub.applyPayment(outcome("authorized"))).toEqual({ ok: true, applied: false, status: "confirmed" });
    // The first decision recorded for a payment wins.
    expect(await stub.applyFraud({ ...assessment("reject", 99), paymentId })).toMatchObject({
      ok: true,
      recorded: { decision: "pass" },
      status: "confirmed",
    });
    await waitForPayment(paymentId, "captured");
  });

  it("holds for review before the authorization arrives and confirms on approval once it has", async () => {
    const { o, stub, paymentId, outcome } = await paymentUnderWay();
    expect(await stub.applyFraud({ ...assessment("review", 50), paymentId })).toMatchObject({ status: "on_hold" });
    const staff = await signedIn("staff");
    const tooEarly = await call("POST", `/api/admin/orders/${o.id}/approve`, { headers: staff.headers, body: {} });
    expect(tooEarly.status).toBe(409);
    expect(await stub.applyPayment(outcome("authorized"))).toEqual({ ok: true, applied: true, status: "on_hold" });
    const approved = await call("POST", `/api/admin/orders/${o.id}/approve`, { headers: staff.headers, body: {} });
    expect(approved.body.status).toBe("confirmed");
  });

  it("moves a held order whose payment is then declined to payment_failed", async () => {
    const { sku, o, stub, paymentId, outcome } = await paymentUnderWay();
    await stub.applyFraud({ ...assessment("review", 50), paymentId });
    expect(await stub.applyPayment(outcome("declined"))).toMatchObject({ status: "payment_failed" });
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });
  });
});

describe("the fraud check's events", () => {
  it("are logged and published by the order's flush with the decision, once however often the check runs", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    expect((await pay(o, "tok_visa")).status).toBe(202);
    await waitForStatus(o, "confirmed");
    const db = getDb(env.DB);
    const logged = () =>
      db
        .select()
        .from(events)
        .where(eq(events.subject, `order:${o.id}`))
        .then((rows) => rows.filter((r) => r.type.startsWith("Fraud")));
    const checked = await waitFor("FraudCheckCompleted in the log", async () => {
      const rows = await logged();
      return rows.length > 0 ? rows : undefined;
    });
    expect(checked.map((r) => [r.type, r.source])).toEqual([["FraudCheckCompleted", "fraud"]]);
    expect(checked[0]?.publishedAt).not.toBeNull();

    // The PaymentInitiated delivered again: the decision stands, so the service publishes its events itself,
    // under the same ids.
    const initiated = await db
      .select()
      .from(events)
      .where(eq(events.subject, `order:${o.id}`))
      .then((rows) => rows.find((r) => r.type === "PaymentInitiated"));
    const event = parseEnvelope(initiated);
    if (!event) throw new Error("no PaymentInitiated logged");
    await fraudSubscriber.handle(event, env);
    expect((await logged()).map((r) => r.id)).toEqual(checked.map((r) => r.id));
  });
});

describe("delivering a payment's outcomes together", () => {
  const ofPayment = async (o: Placed) =>
    (await eventsOf(o.id)).map((e) => (e.type === "PaymentProcessed" ? `${e.type}:${e.data.status}` : e.type));

  it("holds an authorization waiting for the fraud check and delivers it with the confirmation and capture", async () => {
    const { o, stub, paymentId, outcome } = await paymentUnderWay();
    expect(await stub.applyPayment(outcome("authorized"))).toEqual({
      ok: true,
      applied: true,
      status: "payment_pending",
    });
    // Taken by the order (its view says so) but not yet in the log or the mirror.
    expect((await getOrder(o)).body.payment).toMatchObject({ status: "authorized" });
    expect(await ofPayment(o)).not.toContain("PaymentProcessed:authorized");
    expect((await paymentRow(paymentId))?.status).not.toBe("authorized");

    expect(await stub.applyFraud({ ...assessment("pass", 0), paymentId })).toMatchObject({ status: "confirmed" });
    await waitForPayment(paymentId, "captured");
    const delivered = await waitFor("the capture in the log", async () => {
      const types = await ofPayment(o);
      return types.includes("PaymentProcessed:captured") ? types : undefined;
    });
    expect(delivered.filter((t) => t.startsWith("PaymentProcessed") || t === "OrderConfirmed")).toEqual([
      "PaymentProcessed:authorized",
      "OrderConfirmed",
      "PaymentProcessed:captured",
    ]);
    expect((await mirrorOf(o.id))?.status).toBe("confirmed");
  });

  it("delivers an authorization by the object's alarm when the fraud check never comes", async () => {
    const { o, stub, paymentId, outcome } = await paymentUnderWay();
    await stub.applyPayment(outcome("authorized"));
    expect(await ofPayment(o)).not.toContain("PaymentProcessed:authorized");
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await ofPayment(o)).toContain("PaymentProcessed:authorized");
    expect((await paymentRow(paymentId))?.status).toBe("authorized");
    expect((await getOrder(o)).body.status).toBe("payment_pending");
  });
});

describe("payment deadlines", () => {
  const stuckPayment = (o: Placed, opts: { reservationOver: boolean }) =>
    pendingPayment(o, {
      deadline: Date.now() - 1,
      expiresAt: opts.reservationOver ? Date.now() - 1 : Date.now() + 60_000,
    });

  it("gives up on a payment with no outcome: payment_failed while the reservation lasts", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const { stub } = await stuckPayment(o, { reservationOver: false });
    await runInDurableObject(stub, (instance) => instance.alarm());
    const res = await getOrder(o);
    expect(res.body).toMatchObject({ status: "payment_failed", version: 2 });
    expect(res.body.timeline.at(-1).note).toBe("Payment timed out");
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });
  });

  it("cancels when the payment timed out with the reservation over, and voids an authorization arriving later", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 2 }]);
    const { stub, paymentId } = await stuckPayment(o, { reservationOver: true });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await getOrder(o)).body.status).toBe("cancelled");
    expect(await stockOf(sku)).toMatchObject({ onHand: 10, reserved: 0 });

    const late = await sendWebhook(
      webhook({
        paymentId,
        orderId: o.id,
        amountCents: o.body.totals.totalCents,
        currency: "EUR",
        status: "authorized",
      }),
    );
    expect(late).toMatchObject({ status: 200, body: { received: true, applied: true } });
    const voided = await waitForPayment(paymentId, "voided");
    expect(voided.orderId).toBe(o.id);
    expect((await getOrder(o)).body.status).toBe("cancelled");
    expect(count(await typesOf(o.id), "OrderConfirmed")).toBe(0);
  });
});
