/**
 * The order's rules (src/domain/order/rules/*) without the runtime: each command's plan (status, timeline,
 * events, stock steps, payment tasks) and each refusal's wording.
 */
import { describe, expect, it } from "vitest";
import { allowed, deadlineOf, expiredAnswer } from "../src/domain/order/plan";
import { amend } from "../src/domain/order/rules/amend";
import { cancel, expire } from "../src/domain/order/rules/cancel";
import { create } from "../src/domain/order/rules/create";
import { dueDeadline } from "../src/domain/order/rules/deadlines";
import { pay } from "../src/domain/order/rules/pay";
import { approve, claim, deliver, refund, reject, ship } from "../src/domain/order/rules/staff";
import type { CreateInput } from "../src/domain/order/types";
import { orderView } from "../src/domain/order/view";
import { ORDER_STATUSES } from "../src/domain/order-machine";
import {
  attempt,
  ctx,
  doc,
  ITEMS,
  NOW,
  PAYMENT_TIMEOUT,
  paying,
  REVIEW,
  refuse,
  resolve,
  state,
  storedTask,
  TTL,
  types,
} from "./order-rules-fixtures";

const OWNER = { actor: "owner" as const, id: "cus_1" };
const STAFF = { actor: "staff" as const, id: "stf_1" };

const input: CreateInput = {
  orderId: "ord_1",
  customerId: "cus_1",
  email: "ada@example.com",
  shippingAddress: doc("reserved").shippingAddress,
  phone: null,
  items: ITEMS,
  totals: doc("reserved").totals,
  accessTokenHash: "hash",
  ip: null,
  country: "DE",
};

describe("allowed (the wording of a refused command)", () => {
  it("says who may not and which state refuses, naming the state without underscores", () => {
    expect(allowed(doc("reserved"), "ship", "owner")).toEqual({
      ok: false,
      code: "invalid_state",
      message: "Cannot ship an order that is reserved",
      details: { status: "reserved" },
    });
    expect(allowed(doc("confirmed"), "ship", "owner")).toEqual({
      ok: false,
      code: "forbidden",
      message: "You may not ship this order",
    });
    expect(allowed(doc("payment_failed"), "amend", "owner")).toMatchObject({
      message: "Cannot amend an order that is payment failed",
    });
  });
});

describe("create", () => {
  it("reserves every line for the reservation TTL, then places the order as version 1 with OrderPlaced", () => {
    const r = resolve(create(null, input, ctx()));
    expect(r.guards).toEqual([
      [
        { op: "reserve", sku: "BR-A", qty: 2, ttlMs: TTL },
        { op: "reserve", sku: "BR-B", qty: 1, ttlMs: TTL },
      ],
    ]);
    expect(r.plan?.doc).toMatchObject({ status: "reserved", version: 1, expiresAt: NOW + TTL, attempts: 0 });
    expect(r.plan?.entry).toEqual({ version: 1, status: "reserved", at: NOW, note: "Order placed; stock reserved" });
    expect(r.plan?.broadcast).toEqual({ type: "order", status: "reserved", version: 1, entry: r.plan?.entry });
    expect(types(r.plan)).toEqual(["OrderPlaced"]);
    expect(r.plan?.events[0]?.data).toMatchObject({ orderId: "ord_1", sequence: 1, totalCents: 6_594 });
  });

  it("releases every line and answers out_of_stock with what is available when one line is short", () => {
    const r = resolve(create(null, input, ctx()), refuse("BR-B", 0));
    expect(r.plan).toBeNull();
    expect(r.undone).toEqual([
      { op: "release", sku: "BR-A", reason: "release" },
      { op: "release", sku: "BR-B", reason: "release" },
    ]);
    expect(r.failure).toEqual({
      ok: false,
      code: "out_of_stock",
      message: "Some items are not available in the quantity asked for",
      details: [{ sku: "BR-B", requested: 1, available: 0 }],
    });
  });

  it("answers validation_failed for a SKU the stock does not know, before any shortage", () => {
    const r = resolve(create(null, input, ctx()), (s) =>
      s.sku === "BR-A"
        ? { ok: false, reason: "unknown_sku", available: 0 }
        : { ok: false, reason: "insufficient", available: 0 },
    );
    expect(r.failure).toMatchObject({
      code: "validation_failed",
      details: [{ path: "items.BR-A", sku: "BR-A", message: "unknown_sku" }],
    });
  });

  it("answers an order that exists as it is, and refuses another order id on the same object", () => {
    expect(resolve(create(doc("confirmed"), input, ctx()))).toMatchObject({ plan: null, failure: null });
    expect(create(doc("confirmed", { id: "ord_other" }), input, ctx())).toMatchObject({
      ok: false,
      code: "invalid_state",
    });
  });
});

describe("pay", () => {
  it("holds the stock until the payment timeout and starts attempt 1 with PaymentInitiated", () => {
    const s = state(doc("reserved"));
    const r = resolve(pay(s, { token: "tok_visa", methodLabel: "Visa 4242", ip: "1.2.3.4", country: null }, ctx()));
    const until = NOW + PAYMENT_TIMEOUT;
    expect(r.guards[0]).toEqual([
      { op: "hold", sku: "BR-A", qty: 2, until, ttlMs: PAYMENT_TIMEOUT },
      { op: "hold", sku: "BR-B", qty: 1, until, ttlMs: PAYMENT_TIMEOUT },
    ]);
    expect(r.plan?.doc).toMatchObject({
      status: "payment_pending",
      expiresAt: until,
      paymentDeadline: until,
      currentPaymentId: "pay_1",
      attempts: 1,
      version: 4,
    });
    expect(r.plan?.attempts).toEqual([
      expect.objectContaining({ id: "pay_1", seq: 1, auth: "pending", fraud: "pending" }),
    ]);
    expect(r.plan?.entry?.note).toBe("Payment 1 started (Visa 4242)");
    expect(r.plan?.events[0]).toMatchObject({
      type: "PaymentInitiated",
      data: { paymentId: "pay_1", sequence: 4, attempt: 1, country: "", ip: "1.2.3.4", token: "tok_visa" },
    });
  });

  it("keeps a reservation that lasts longer than the payment timeout", () => {
    const later = NOW + 2 * PAYMENT_TIMEOUT;
    const r = resolve(pay(state(doc("payment_failed", { expiresAt: later, attempts: 1 })), pay1(), ctx()));
    expect(r.plan?.doc).toMatchObject({ expiresAt: later, attempts: 2, currentPaymentId: "pay_1" });
    expect(r.plan?.entry?.note).toBe("Payment 2 started (Visa 4242)");
  });

  it("cancels as expired and refuses the payment when the reservation is over", () => {
    const r = resolve(pay(state(doc("reserved", { expiresAt: NOW })), pay1(), ctx()));
    expect(r.guards).toEqual([]);
    expect(r.failure).toEqual({
      ok: false,
      code: "invalid_state",
      message: "The reservation for this order has expired",
    });
    expect(r.plan?.doc.status).toBe("cancelled");
    expect(r.plan?.events[0]).toMatchObject({ type: "OrderCancelled", data: { reason: "expired", by: "system" } });
    expect(r.plan?.stock).toEqual([
      { op: "release", sku: "BR-A", reason: "expire" },
      { op: "release", sku: "BR-B", reason: "expire" },
    ]);
  });

  it("cancels as expired when a line cannot be held again", () => {
    const r = resolve(pay(state(doc("reserved")), pay1(), ctx()), refuse("BR-A"));
    expect(r.failure?.message).toBe("The reservation for this order has expired");
    expect(r.plan?.doc.status).toBe("cancelled");
  });

  it("refuses to pay twice at once", () => {
    expect(pay(paying(), pay1(), ctx())).toMatchObject({ ok: false, code: "invalid_state" });
  });
});

function pay1() {
  return { token: "tok_visa", methodLabel: "Visa 4242", ip: null, country: null };
}

describe("cancel", () => {
  it("releases a reserved order's stock and records who cancelled", () => {
    const r = resolve(cancel(state(doc("reserved")), OWNER, ctx()));
    expect(r.plan?.doc).toMatchObject({ status: "cancelled", expiresAt: null, paymentDeadline: null, holdUntil: null });
    expect(r.plan?.entry?.note).toBe("Cancelled by the customer");
    expect(r.plan?.stock).toEqual([
      { op: "release", sku: "BR-A", reason: "release" },
      { op: "release", sku: "BR-B", reason: "release" },
    ]);
    expect(r.plan?.events[0]).toMatchObject({
      type: "OrderCancelled",
      data: { reason: "cancelled_by_customer", by: "cus_1", refundedCents: 0 },
    });
    expect(r.plan?.tasks).toEqual([]);
  });

  it("voids every authorized attempt that is not being voided already", () => {
    const authorized = attempt({ auth: "authorized", status: "authorized" });
    const other = attempt({ id: "pay_0", seq: 0, auth: "authorized", status: "authorized" });
    const s = state(
      doc("on_hold", { currentPaymentId: "pay_1" }),
      [other, authorized],
      [storedTask({ kind: "void", paymentId: "pay_0" })],
    );
    const r = resolve(cancel(s, STAFF, ctx()));
    expect(r.plan?.entry?.note).toBe("Cancelled by staff");
    expect(r.plan?.tasks).toEqual([
      { id: "ptask_1", kind: "void", paymentId: "pay_1", orderId: "ord_1", amountCents: 6_594, currency: "EUR" },
    ]);
  });

  it("returns a confirmed order's stock and refunds what was not refunded yet", () => {
    const captured = attempt({ auth: "authorized", fraud: "pass", status: "captured", capturedCents: 6_594 });
    const s = state(doc("confirmed", { currentPaymentId: "pay_1", refundedCents: 594, expiresAt: null }), [captured]);
    const r = resolve(cancel(s, OWNER, ctx()));
    expect(r.plan?.stock[0]).toEqual({ op: "release", sku: "BR-A", reason: "return" });
    expect(r.plan?.tasks).toEqual([expect.objectContaining({ kind: "refund", amountCents: 6_000 })]);
    expect(r.plan?.doc.refundedCents).toBe(6_594);
    expect(r.plan?.events[0]?.data).toMatchObject({ refundedCents: 6_000 });
  });

  it("answers a cancelled order as it is, and refuses a shipped one", () => {
    expect(resolve(cancel(state(doc("cancelled")), OWNER, ctx()))).toMatchObject({ plan: null, failure: null });
    expect(cancel(state(doc("shipped")), OWNER, ctx())).toMatchObject({ ok: false, code: "invalid_state" });
  });

  it("expire changes nothing in a state that cannot expire, and still gives the answer", () => {
    expect(resolve(expire(state(doc("confirmed")), ctx(), expiredAnswer()))).toMatchObject({
      plan: null,
      failure: { code: "invalid_state" },
    });
  });
});

describe("amend", () => {
  const catalog = [
    { sku: "BR-A", name: "A", priceCents: 2_500, active: true },
    { sku: "BR-B", name: "B", priceCents: 1_000, active: true },
    { sku: "BR-C", name: "C", priceCents: 500, active: true },
  ];

  it("changes nothing when the lines are the same (merged by SKU)", () => {
    const lines = [
      { sku: "BR-A", qty: 1 },
      { sku: "BR-B", qty: 1 },
      { sku: "BR-A", qty: 1 },
    ];
    expect(resolve(amend(state(doc("reserved")), { lines, catalog }, ctx()))).toMatchObject({ plan: null });
  });

  it("reserves growth first, then releases what shrank, and reprices from the catalog", () => {
    const lines = [
      { sku: "BR-A", qty: 3 },
      { sku: "BR-C", qty: 1 },
    ];
    const r = resolve(amend(state(doc("reserved")), { lines, catalog }, ctx()));
    expect(r.guards[0]).toEqual([
      { op: "resize", sku: "BR-A", qty: 3 },
      { op: "reserve", sku: "BR-C", qty: 1, ttlMs: 5 * 60_000 },
    ]);
    expect(r.plan?.stock).toEqual([{ op: "release", sku: "BR-B", reason: "release" }]);
    expect(r.plan?.doc.items.map((i) => [i.sku, i.qty, i.unitPriceCents])).toEqual([
      ["BR-A", 3, 2_500],
      ["BR-C", 1, 500],
    ]);
    expect(r.plan?.entry?.note).toBe("Amended");
    expect(r.plan?.events[0]).toMatchObject({ type: "OrderAmended", data: { previousTotalCents: 6_594 } });
  });

  it("shrinks back what grew and answers out_of_stock when a growth is refused", () => {
    const lines = [
      { sku: "BR-A", qty: 3 },
      { sku: "BR-C", qty: 4 },
    ];
    const r = resolve(amend(state(doc("reserved")), { lines, catalog }, ctx()), refuse("BR-C", 2));
    expect(r.undone).toEqual([{ op: "resize", sku: "BR-A", qty: 2 }]);
    expect(r.plan).toBeNull();
    expect(r.failure).toMatchObject({ code: "out_of_stock", details: [{ sku: "BR-C", requested: 4, available: 2 }] });
  });

  it("drops a new line again when another growth is refused", () => {
    const lines = [
      ...ITEMS.map((i) => ({ sku: i.sku, qty: i.qty + (i.sku === "BR-B" ? 5 : 0) })),
      { sku: "BR-C", qty: 1 },
    ];
    const r = resolve(amend(state(doc("reserved")), { lines, catalog }, ctx()), refuse("BR-B", 1));
    expect(r.undone).toEqual([{ op: "release", sku: "BR-C", reason: "release" }]);
  });

  it("refuses a SKU the catalog does not sell, and an expired reservation (cancelling it)", () => {
    const lines = [{ sku: "BR-X", qty: 1 }];
    expect(amend(state(doc("reserved")), { lines, catalog }, ctx())).toMatchObject({
      code: "validation_failed",
      details: [{ path: "items.BR-X", sku: "BR-X" }],
    });
    const r = resolve(
      amend(state(doc("reserved", { expiresAt: NOW })), { lines: [{ sku: "BR-A", qty: 1 }], catalog }, ctx()),
    );
    expect(r.failure?.message).toBe("The reservation for this order has expired");
    expect(r.plan?.doc.status).toBe("cancelled");
  });

  it("reduces a confirmed order at the prices paid, returns the stock and refunds the difference", () => {
    const captured = attempt({ auth: "authorized", fraud: "pass", status: "captured", capturedCents: 6_594 });
    const s = state(doc("confirmed", { currentPaymentId: "pay_1", expiresAt: null }), [captured]);
    const r = resolve(amend(s, { lines: [{ sku: "BR-A", qty: 1 }], catalog }, ctx()));
    expect(r.guards).toEqual([]);
    expect(r.plan?.stock).toEqual([
      { op: "resize", sku: "BR-A", qty: 1 },
      { op: "release", sku: "BR-B", reason: "return" },
    ]);
    const after = r.plan?.doc.totals.totalCents ?? 0;
    expect(r.plan?.doc.items[0]?.unitPriceCents).toBe(2_000);
    expect(r.plan?.tasks).toEqual([expect.objectContaining({ kind: "refund", amountCents: 6_594 - after })]);
    expect(r.plan?.doc.refundedCents).toBe(6_594 - after);
    expect(r.plan?.entry?.note).toBe(`Amended; ${((6_594 - after) / 100).toFixed(2)} EUR refunded`);
  });

  it("refuses to grow a confirmed order", () => {
    const s = state(doc("confirmed", { currentPaymentId: "pay_1" }), [attempt()]);
    expect(amend(s, { lines: [{ sku: "BR-A", qty: 5 }], catalog }, ctx())).toMatchObject({
      code: "invalid_state",
      details: { skus: ["BR-A"] },
    });
  });
});

describe("claim", () => {
  it("links a guest order to the customer without a transition, once", () => {
    const r = resolve(claim(state(doc("reserved")), "cus_9", ctx()));
    expect(r.plan?.doc).toMatchObject({ customerId: "cus_9", version: 3, updatedAt: NOW });
    expect(r.plan?.entry).toBeNull();
    expect(r.plan?.events).toEqual([]);
    expect(resolve(claim(state(doc("reserved", { customerId: "cus_9" })), "cus_9", ctx())).plan).toBeNull();
    expect(claim(state(doc("reserved", { customerId: "cus_8" })), "cus_9", ctx())).toMatchObject({ code: "not_found" });
  });
});

describe("staff commands", () => {
  it("ships a confirmed order with its tracking number, then delivers it", () => {
    const shipped = resolve(ship(state(doc("confirmed")), { trackingNumber: "TRK1", by: STAFF }, ctx()));
    expect(shipped.plan?.doc).toMatchObject({ status: "shipped", trackingNumber: "TRK1" });
    expect(shipped.plan?.entry?.note).toBe("Shipped, tracking TRK1");
    expect(shipped.plan?.events[0]).toMatchObject({
      type: "OrderShipped",
      data: { trackingNumber: "TRK1", sequence: 4 },
    });
    const delivered = resolve(deliver(state(doc("shipped")), { by: STAFF }, ctx()));
    expect(delivered.plan?.doc.status).toBe("delivered");
    expect(types(delivered.plan)).toEqual(["OrderDelivered"]);
    expect(ship(state(doc("confirmed")), { trackingNumber: "T", by: OWNER }, ctx())).toMatchObject({
      code: "forbidden",
    });
  });

  it("approves a held order only once its payment is authorized: stock committed, capture queued", () => {
    const held = (auth: "pending" | "authorized") =>
      paying("on_hold", { auth, status: auth, fraud: "review", risk: REVIEW }, { holdUntil: NOW + 1 });
    expect(approve(held("pending"), { note: null, by: STAFF }, ctx())).toMatchObject({
      code: "invalid_state",
      message: "The payment is not authorized yet; approve once it is",
    });
    const r = resolve(approve(held("authorized"), { note: "known customer", by: STAFF }, ctx()));
    expect(r.guards[0]).toEqual([
      { op: "commit", sku: "BR-A", qty: 2, ttlMs: TTL },
      { op: "commit", sku: "BR-B", qty: 1, ttlMs: TTL },
    ]);
    expect(r.plan?.doc).toMatchObject({ status: "confirmed", holdUntil: null, expiresAt: null });
    expect(r.plan?.entry?.note).toBe("Approved after review: known customer");
    expect(r.plan?.attempts[0]?.fraud).toBe("approved");
    expect(r.plan?.tasks).toEqual([expect.objectContaining({ kind: "capture", amountCents: 6_594 })]);
    expect(types(r.plan)).toEqual(["OrderConfirmed"]);
  });

  it("rejects a held order: cancelled, stock released, the authorization voided", () => {
    const s = paying("on_hold", { auth: "authorized", status: "authorized", fraud: "review" });
    const r = resolve(reject(s, { note: null, by: STAFF }, ctx()));
    expect(r.plan?.entry?.note).toBe("Rejected after review");
    expect(r.plan?.events[0]?.data).toMatchObject({ reason: "rejected_after_review", by: "stf_1" });
    expect(r.plan?.tasks).toEqual([expect.objectContaining({ kind: "void", paymentId: "pay_1" })]);
  });

  it("refunds a confirmed order by cancelling it, and a shipped one in place with OrderRefunded", () => {
    const captured = {
      auth: "authorized" as const,
      fraud: "pass" as const,
      status: "captured" as const,
      capturedCents: 6_594,
    };
    const confirmed = resolve(refund(paying("confirmed", captured), { by: STAFF }, ctx()));
    expect(confirmed.plan?.doc.status).toBe("cancelled");
    expect(confirmed.plan?.events[0]?.data).toMatchObject({ reason: "refunded", refundedCents: 6_594 });

    const shipped = resolve(refund(paying("shipped", captured, { refundedCents: 594 }), { by: STAFF }, ctx()));
    expect(shipped.plan?.doc).toMatchObject({ status: "shipped", refundedCents: 6_594 });
    expect(shipped.plan?.entry?.note).toBe("Refunded 60.00 EUR");
    expect(shipped.plan?.stock).toEqual([]);
    expect(shipped.plan?.tasks).toEqual([expect.objectContaining({ kind: "refund", amountCents: 6_000 })]);
    expect(shipped.plan?.events[0]).toMatchObject({
      type: "OrderRefunded",
      data: { amountCents: 6_000, currency: "EUR", by: "stf_1", sequence: 4 },
    });

    expect(refund(paying("delivered", captured, { refundedCents: 6_594 }), { by: STAFF }, ctx())).toMatchObject({
      code: "invalid_state",
      message: "Nothing left to refund on this order",
    });
  });
});

describe("deadlines", () => {
  it("names each state's deadline: reservation, payment timeout, review window, or none", () => {
    const d = doc("reserved", { expiresAt: 1, paymentDeadline: 2, holdUntil: 3 });
    const expected: Record<string, number | null> = {
      reserved: 1,
      payment_failed: 1,
      payment_pending: 2,
      on_hold: 3,
    };
    for (const status of ORDER_STATUSES) expect(deadlineOf({ ...d, status }), status).toBe(expected[status] ?? null);
  });

  it("does nothing before a deadline or in a state without one", () => {
    expect(resolve(dueDeadline(state(doc("reserved")), ctx())).plan).toBeNull();
    expect(resolve(dueDeadline(paying(), ctx())).plan).toBeNull();
    expect(resolve(dueDeadline(state(doc("confirmed", { expiresAt: 1 })), ctx())).plan).toBeNull();
  });

  it("expires a reservation that is over (stock back as expire), also after a failed payment", () => {
    for (const status of ["reserved", "payment_failed"] as const) {
      const r = resolve(dueDeadline(state(doc(status, { expiresAt: NOW })), ctx()));
      expect(r.failure).toBeNull();
      expect(r.plan?.doc.status).toBe("cancelled");
      expect(r.plan?.entry?.note).toBe("Reservation expired");
      expect(r.plan?.stock[0]).toEqual({ op: "release", sku: "BR-A", reason: "expire" });
    }
  });

  it("ends a review window: cancelled as review_expired, the authorization voided", () => {
    const s = paying("on_hold", { auth: "authorized", status: "authorized" }, { holdUntil: NOW });
    const r = resolve(dueDeadline(s, ctx()));
    expect(r.plan?.entry?.note).toBe("Review window expired");
    expect(r.plan?.events[0]?.data).toMatchObject({ reason: "review_expired", by: "system" });
    expect(r.plan?.tasks).toEqual([expect.objectContaining({ kind: "void" })]);
  });

  it("times a payment out to payment_failed with OrderPaymentFailed while the reservation lasts", () => {
    const r = resolve(dueDeadline(paying("payment_pending", {}, { paymentDeadline: NOW }), ctx()));
    expect(r.plan?.doc).toMatchObject({ status: "payment_failed", paymentDeadline: null });
    expect(r.plan?.entry?.note).toBe("Payment timed out");
    expect(r.plan?.attempts).toEqual([expect.objectContaining({ id: "pay_1", abandoned: true })]);
    expect(r.plan?.stock).toEqual([]);
    expect(r.plan?.events[0]).toMatchObject({
      type: "OrderPaymentFailed",
      data: { paymentId: "pay_1", reason: "timeout", sequence: 4 },
    });
  });

  it("cancels a timed-out payment whose reservation is over too (payment_timeout)", () => {
    const r = resolve(dueDeadline(paying("payment_pending", {}, { paymentDeadline: NOW, expiresAt: NOW }), ctx()));
    expect(r.plan?.doc.status).toBe("cancelled");
    expect(r.plan?.entry?.note).toBe("Payment timed out; reservation expired");
    expect(r.plan?.events[0]?.data).toMatchObject({ reason: "payment_timeout" });
    expect(r.plan?.attempts).toEqual([expect.objectContaining({ abandoned: true })]);
  });
});

describe("views", () => {
  it("shows the owner the order and its current payment, and staff every attempt, the risk and where it came from", () => {
    const s = paying(
      "on_hold",
      { auth: "authorized", status: "authorized", fraud: "review", risk: REVIEW },
      {
        risk: REVIEW,
        holdUntil: NOW + 1,
        expiresAt: NOW + 1,
        phone: "+49 1",
      },
    );
    const owner = orderView(s.doc, s.attempts, [], "owner");
    expect(owner).toMatchObject({ status: "on_hold", expiresAt: NOW + 1, phone: "+49 1" });
    expect(owner.payment).toMatchObject({ id: "pay_1", attempt: 1, status: "authorized", method: "Visa 4242" });
    expect(owner).not.toHaveProperty("risk");
    expect(owner).not.toHaveProperty("ip");
    const staff = orderView(s.doc, s.attempts, [], "staff");
    expect(staff).toMatchObject({ risk: REVIEW, ip: "203.0.113.9", country: "DE", payments: [owner.payment] });
  });

  it("shows no expiry once the order holds no reservation", () => {
    expect(orderView(doc("confirmed", { expiresAt: 5 }), [], [], "owner").expiresAt).toBeNull();
  });
});
