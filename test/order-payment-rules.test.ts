/**
 * The order's payment rules without the runtime: applying a gateway outcome (once, and only while it still
 * applies), the capture/void/refund bookkeeping against the task that asked, the fraud decision, and the join
 * of both into the next state.
 */
import { describe, expect, it } from "vitest";
import type { EventEnvelope } from "../src/domain/events";
import { MAX_GATEWAY_EVENT_IDS, rememberGatewayEvent } from "../src/domain/order/gateway-events";
import { awaitsOtherOutcome } from "../src/domain/order/plan";
import { applyFraud } from "../src/domain/order/rules/fraud-outcome";
import { applyPaymentOutcome, pendingTask } from "../src/domain/order/rules/payment-outcome";
import type { Decision, OrderState, PaymentOutcome } from "../src/domain/order/types";
import type { AuthState, FraudState, OrderStatus } from "../src/domain/order-machine";
import {
  attempt,
  ctx,
  doc,
  NOW,
  PASS,
  paying,
  REJECT,
  REVIEW,
  refuse,
  resolve,
  state,
  storedTask,
  TTL,
  types,
} from "./order-rules-fixtures";

const outcome = (status: PaymentOutcome["status"], over: Partial<PaymentOutcome> = {}): PaymentOutcome => ({
  paymentId: "pay_1",
  orderId: "ord_1",
  status,
  amountCents: 6_594,
  currency: "EUR",
  ...over,
});

function decisionOf(r: { ok: true; decision: Decision } | { ok: false; reason: string }): Decision {
  if (!r.ok) throw new Error(r.reason);
  return r.decision;
}

const RISK = { pass: PASS, review: REVIEW, reject: REJECT, approved: REVIEW, pending: null };

describe("the join of authorization and fraud check", () => {
  /** Where a payment_pending order goes once both sides stand as given, and which Order event says so. */
  const JOINED: Record<AuthState, Record<Exclude<FraudState, "approved">, [OrderStatus, string[]]>> = {
    pending: {
      pending: ["payment_pending", []],
      pass: ["payment_pending", []],
      review: ["on_hold", ["OrderHeld"]],
      reject: ["cancelled", ["OrderCancelled"]],
    },
    authorized: {
      pending: ["payment_pending", []],
      pass: ["confirmed", ["OrderConfirmed"]],
      review: ["on_hold", ["OrderHeld"]],
      reject: ["cancelled", ["OrderCancelled"]],
    },
    declined: {
      pending: ["payment_failed", ["OrderPaymentFailed"]],
      pass: ["payment_failed", ["OrderPaymentFailed"]],
      review: ["payment_failed", ["OrderPaymentFailed"]],
      reject: ["cancelled", ["OrderCancelled"]],
    },
  };

  for (const auth of ["authorized", "declined"] as const) {
    for (const fraud of ["pending", "pass", "review", "reject"] as const) {
      it(`moves a pending payment to ${JOINED[auth][fraud][0]} when the gateway says ${auth} after a ${fraud} check`, () => {
        const s = paying("payment_pending", { fraud, risk: RISK[fraud] });
        const r = resolve(decisionOf(applyPaymentOutcome(s, outcome(auth, { declineCode: "card_declined" }), ctx())));
        const [status, events] = JOINED[auth][fraud];
        expect(r.plan?.doc.status).toBe(status);
        expect(types(r.plan)).toEqual([...events, "PaymentProcessed"]);
        expect(r.plan?.attempts[0]).toMatchObject({ auth, status: auth });
      });
    }
  }

  for (const auth of ["pending", "authorized"] as const) {
    for (const decision of ["pass", "review", "reject"] as const) {
      it(`moves a pending payment to ${JOINED[auth][decision][0]} when the check says ${decision} with the authorization ${auth}`, () => {
        const s = paying("payment_pending", { auth, status: auth });
        const r = applyFraud(s, { paymentId: "pay_1", assessment: RISK[decision] }, ctx());
        const resolved = resolve(decisionOf(r));
        const [status, events] = JOINED[auth][decision];
        expect(resolved.plan?.doc.status).toBe(status);
        expect(resolved.plan?.doc.risk).toEqual(RISK[decision]);
        expect(types(resolved.plan)).toEqual(events);
      });
    }
  }

  it("holds for review: stock held for three days, the payment deadline dropped, OrderHeld with the score", () => {
    const r = resolve(decisionOf(applyFraud(paying(), { paymentId: "pay_1", assessment: REVIEW }, ctx())));
    const holdUntil = NOW + 3 * 24 * 60 * 60_000;
    expect(r.guards[0]).toEqual([
      { op: "hold", sku: "BR-A", qty: 2, until: holdUntil, ttlMs: holdUntil - NOW },
      { op: "hold", sku: "BR-B", qty: 1, until: holdUntil, ttlMs: holdUntil - NOW },
    ]);
    expect(r.plan?.doc).toMatchObject({ status: "on_hold", holdUntil, expiresAt: holdUntil, paymentDeadline: null });
    expect(r.plan?.entry?.note).toBe("Held for review (risk score 45)");
    expect(r.plan?.events[0]?.data).toMatchObject({ paymentId: "pay_1", score: 45, holdUntil, sequence: 4 });
  });

  it("confirms: stock committed, capture queued for the whole amount, OrderConfirmed", () => {
    const s = paying("payment_pending", { fraud: "pass", risk: PASS });
    const r = resolve(decisionOf(applyPaymentOutcome(s, outcome("authorized"), ctx())));
    expect(r.guards[0]?.map((g) => g.op)).toEqual(["commit", "commit"]);
    expect(r.plan?.doc).toMatchObject({ status: "confirmed", expiresAt: null, paymentDeadline: null });
    expect(r.plan?.entry?.note).toBe("Payment authorized and checks passed");
    expect(r.plan?.tasks).toEqual([
      expect.objectContaining({ kind: "capture", amountCents: 6_594, paymentId: "pay_1" }),
    ]);
    expect(r.plan?.events[0]?.data).toMatchObject({ sequence: 4, totalCents: 6_594, items: expect.any(Array) });
  });

  it("cancels as stock_unavailable, voiding the authorization, when the stock cannot be committed", () => {
    const s = paying("payment_pending", { fraud: "pass", risk: PASS });
    const r = resolve(decisionOf(applyPaymentOutcome(s, outcome("authorized"), ctx())), refuse("BR-A", 0, "lost"));
    expect(r.plan?.doc.status).toBe("cancelled");
    expect(r.plan?.entry?.note).toBe("Cancelled: the reserved stock was no longer available");
    expect(r.plan?.events[0]?.data).toMatchObject({ reason: "stock_unavailable", by: "system" });
    expect(r.plan?.tasks).toEqual([expect.objectContaining({ kind: "void" })]);
    expect(types(r.plan)).toEqual(["OrderCancelled", "PaymentProcessed"]);
  });

  it("cancels as stock_unavailable when the stock cannot be held for a review", () => {
    const r = resolve(
      decisionOf(applyFraud(paying(), { paymentId: "pay_1", assessment: REVIEW }, ctx())),
      refuse("BR-B"),
    );
    expect(r.plan?.doc.status).toBe("cancelled");
    expect(r.plan?.events[0]?.data).toMatchObject({ reason: "stock_unavailable" });
  });

  it("declines: payment_failed with the decline code, the reservation kept for at most one TTL", () => {
    const s = paying("payment_pending", {}, { expiresAt: NOW + 2 * TTL });
    const r = resolve(
      decisionOf(applyPaymentOutcome(s, outcome("declined", { declineCode: "insufficient_funds" }), ctx())),
    );
    expect(r.plan?.doc).toMatchObject({ status: "payment_failed", expiresAt: NOW + TTL, paymentDeadline: null });
    expect(r.plan?.entry?.note).toBe("Payment declined (insufficient_funds)");
    expect(r.plan?.events[0]).toMatchObject({
      type: "OrderPaymentFailed",
      data: { reason: "declined", declineCode: "insufficient_funds", paymentId: "pay_1" },
    });
    expect(r.plan?.events[1]).toMatchObject({
      type: "PaymentProcessed",
      data: { status: "declined", declineCode: "insufficient_funds" },
    });
  });

  it("cancels as fraud with the risk score when the check rejects a held or failed payment", () => {
    for (const status of ["on_hold", "payment_failed"] as const) {
      const s = paying(status, { auth: status === "on_hold" ? "authorized" : "declined", status: "authorized" });
      const r = resolve(decisionOf(applyFraud(s, { paymentId: "pay_1", assessment: REJECT }, ctx())));
      expect(r.plan?.doc.status, status).toBe("cancelled");
      expect(r.plan?.entry?.note).toBe("Cancelled: payment refused by the fraud check (risk score 90)");
      expect(r.plan?.events[0]?.data).toMatchObject({ reason: "fraud", by: "fraud" });
    }
  });
});

describe("applying a payment outcome", () => {
  it("applies an authorization once: a second one changes nothing", () => {
    const s = paying("payment_pending", { auth: "authorized", status: "authorized" });
    const r = applyPaymentOutcome(s, outcome("authorized"), ctx());
    expect(r).toMatchObject({ ok: true, applied: false });
    expect(resolve(decisionOf(r)).plan).toBeNull();
  });

  it("carries the check's own events in the plan that records its decision, on every path, and not a second time", () => {
    const checked = { id: "evt_fraud_pay_1", type: "FraudCheckCompleted" } as unknown as EventEnvelope;
    const cases = [
      paying("payment_pending", { auth: "authorized", status: "authorized" }),
      paying("payment_pending"),
      paying("cancelled"),
    ];
    for (const s of cases) {
      for (const [name, assessment] of [
        ["pass", PASS],
        ["review", REVIEW],
        ["reject", REJECT],
      ] as const) {
        const r = applyFraud(s, { paymentId: "pay_1", assessment, events: [checked] }, ctx());
        expect(r, `${s.doc.status} ${name}`).toMatchObject({ ok: true, carried: true });
        // Granted or refused, the stock's answer does not lose them.
        for (const answer of [() => ({ ok: true }) as const, refuse("BR-A")]) {
          const plan = resolve(decisionOf(r), answer).plan;
          expect(
            plan?.events.filter((e) => e === checked),
            `${s.doc.status} ${name}`,
          ).toHaveLength(1);
        }
      }
    }
    const decided = applyFraud(
      paying("on_hold", { fraud: "review", risk: REVIEW }),
      { paymentId: "pay_1", assessment: PASS, events: [checked] },
      ctx(),
    );
    expect(decided).toMatchObject({ ok: true, recorded: REVIEW, carried: false });
    expect(resolve(decisionOf(decided)).plan).toBeNull();
  });

  it("answers unknown_payment for an attempt the order never made", () => {
    expect(applyPaymentOutcome(paying(), outcome("authorized", { paymentId: "pay_x" }), ctx())).toEqual({
      ok: false,
      reason: "unknown_payment",
    });
  });

  const late: [string, OrderState][] = [
    ["the order was cancelled", paying("cancelled")],
    ["the attempt timed out", paying("payment_failed", { abandoned: true })],
    [
      "a newer attempt replaced it",
      state(doc("payment_pending", { currentPaymentId: "pay_2", attempts: 2 }), [
        attempt(),
        attempt({ id: "pay_2", seq: 2 }),
      ]),
    ],
  ];
  for (const [why, s] of late) {
    it(`voids a late authorization when ${why}, without moving the order`, () => {
      const r = resolve(decisionOf(applyPaymentOutcome(s, outcome("authorized"), ctx())));
      expect(r.plan?.doc).toEqual(s.doc);
      expect(r.plan?.entry).toBeNull();
      expect(r.plan?.tasks).toEqual([
        { id: "ptask_2", kind: "void", paymentId: "pay_1", orderId: "ord_1", amountCents: 6_594, currency: "EUR" },
      ]);
      expect(types(r.plan)).toEqual(["PaymentProcessed"]);
    });
  }

  it("records a late decline without a task", () => {
    const r = resolve(decisionOf(applyPaymentOutcome(paying("cancelled"), outcome("declined"), ctx())));
    expect(r.plan?.tasks).toEqual([]);
    expect(r.plan?.attempts[0]).toMatchObject({ auth: "declined", declineCode: "declined" });
  });

  it("finds the task an outcome answers: by id for the gateway's answer, else the one in flight for that amount", () => {
    const tasks = [
      storedTask({ id: "t1", kind: "refund", amountCents: 100, inflight: false }),
      storedTask({ id: "t2", kind: "refund", amountCents: 200, inflight: true }),
    ];
    expect(pendingTask(tasks, "pay_1", "refund", 999, "t1")?.id).toBe("t1");
    expect(pendingTask(tasks, "pay_1", "refund", 200)?.id).toBe("t2");
    expect(pendingTask(tasks, "pay_1", "refund", 100)).toBeNull();
    expect(pendingTask(tasks, "pay_1", "capture", 200)).toBeNull();
    expect(pendingTask(tasks, "pay_1", "refund", 200, "gone")).toBeNull();
  });

  const captured = {
    auth: "authorized" as const,
    fraud: "pass" as const,
    status: "captured" as const,
    capturedCents: 6_594,
  };

  it("records a capture against its task and drops the task; the same capture again changes nothing", () => {
    const s = paying("confirmed", { auth: "authorized", status: "authorized", fraud: "pass" });
    const withTask = { ...s, tasks: [storedTask({ id: "t1", kind: "capture" })] };
    const r = resolve(decisionOf(applyPaymentOutcome(withTask, outcome("captured", { taskId: "t1" }), ctx())));
    expect(r.plan?.attempts[0]).toMatchObject({ status: "captured", capturedCents: 6_594 });
    expect(r.plan?.dropTasks).toEqual(["t1"]);
    expect(r.plan?.entry).toBeNull();
    expect(r.plan?.events[0]).toMatchObject({
      type: "PaymentProcessed",
      data: { status: "captured", amountCents: 6_594 },
    });
    expect(applyPaymentOutcome(s, outcome("captured"), ctx())).toMatchObject({ ok: true, applied: false });
  });

  it("marks a payment refunded only once the refunds reach what was captured", () => {
    const s = paying("confirmed", captured);
    const part = { ...s, tasks: [storedTask({ id: "t1", kind: "refund", amountCents: 594 })] };
    const first = resolve(decisionOf(applyPaymentOutcome(part, outcome("refunded", { amountCents: 594 }), ctx())));
    expect(first.plan?.attempts[0]).toMatchObject({ status: "captured", refundedCents: 594 });
    const rest = paying("cancelled", { ...captured, refundedCents: 594 });
    const all = { ...rest, tasks: [storedTask({ id: "t2", kind: "refund", amountCents: 6_000 })] };
    const second = resolve(decisionOf(applyPaymentOutcome(all, outcome("refunded", { amountCents: 6_000 }), ctx())));
    expect(second.plan?.attempts[0]).toMatchObject({ status: "refunded", refundedCents: 6_594 });
  });

  it("records a void against its task", () => {
    const s = {
      ...paying("cancelled", { auth: "authorized", status: "authorized" }),
      tasks: [storedTask({ kind: "void" })],
    };
    const r = resolve(decisionOf(applyPaymentOutcome(s, outcome("voided"), ctx())));
    expect(r.plan?.attempts[0]?.status).toBe("voided");
    expect(r.plan?.dropTasks).toEqual(["ptask_9"]);
  });
});

describe("applying the fraud decision", () => {
  it("keeps the first decision: a second one is answered with the first and changes nothing", () => {
    const s = paying("on_hold", { fraud: "review", risk: REVIEW });
    const r = applyFraud(s, { paymentId: "pay_1", assessment: PASS }, ctx());
    expect(r).toMatchObject({ ok: true, recorded: REVIEW });
    expect(resolve(decisionOf(r)).plan).toBeNull();
  });

  it("only records the decision when the order no longer waits on that attempt", () => {
    const r = resolve(decisionOf(applyFraud(paying("cancelled"), { paymentId: "pay_1", assessment: PASS }, ctx())));
    expect(r.plan?.doc).toMatchObject({ status: "cancelled", risk: PASS });
    expect(r.plan?.entry).toBeNull();
    expect(r.plan?.attempts[0]).toMatchObject({ fraud: "pass", risk: PASS });
    const superseded = state(doc("payment_pending", { currentPaymentId: "pay_2" }), [
      attempt(),
      attempt({ id: "pay_2" }),
    ]);
    const other = resolve(decisionOf(applyFraud(superseded, { paymentId: "pay_1", assessment: PASS }, ctx())));
    expect(other.plan?.doc.risk).toBeNull();
  });

  it("leaves a failed payment failed on a passing check", () => {
    const s = paying("payment_failed", { auth: "declined", status: "declined" });
    const r = resolve(decisionOf(applyFraud(s, { paymentId: "pay_1", assessment: PASS }, ctx())));
    expect(r.plan?.doc.status).toBe("payment_failed");
    expect(r.plan?.entry).toBeNull();
  });

  it("answers unknown_payment for an attempt the order never made", () => {
    expect(applyFraud(paying(), { paymentId: "pay_x", assessment: PASS }, ctx())).toEqual({
      ok: false,
      reason: "unknown_payment",
    });
  });
});

describe("the gateway event ids an order keeps", () => {
  it("adds a new id as the newest and answers the same list for an id it has", () => {
    const ids = rememberGatewayEvent(rememberGatewayEvent([], "evt_1"), "evt_2");
    expect(ids).toEqual(["evt_1", "evt_2"]);
    expect(rememberGatewayEvent(ids, "evt_1")).toBe(ids);
  });

  it("keeps at most the newest MAX_GATEWAY_EVENT_IDS, dropping the oldest", () => {
    let ids: readonly string[] = [];
    for (let i = 0; i <= MAX_GATEWAY_EVENT_IDS; i++) ids = rememberGatewayEvent(ids, `evt_${i}`);
    expect(ids).toHaveLength(MAX_GATEWAY_EVENT_IDS);
    expect(ids[0]).toBe("evt_1");
    expect(ids.at(-1)).toBe(`evt_${MAX_GATEWAY_EVENT_IDS}`);
  });
});

describe("when a payment's change may wait for its other outcome", () => {
  it("waits only while one of the authorization and the fraud check is in and the order still pays", () => {
    expect(awaitsOtherOutcome(paying("payment_pending", { auth: "authorized", status: "authorized" }))).toBe(true);
    expect(awaitsOtherOutcome(paying("payment_pending", { fraud: "pass", risk: PASS }))).toBe(true);
    // Just paid: PaymentInitiated must go out for either outcome to come.
    expect(awaitsOtherOutcome(paying("payment_pending"))).toBe(false);
    expect(
      awaitsOtherOutcome(paying("payment_pending", { auth: "authorized", status: "authorized", fraud: "pass" })),
    ).toBe(false);
    expect(awaitsOtherOutcome(paying("payment_pending", { auth: "authorized", abandoned: true }))).toBe(false);
    for (const status of ["on_hold", "confirmed", "payment_failed", "cancelled"] as const) {
      expect(awaitsOtherOutcome(paying(status, { auth: "authorized", status: "authorized" })), status).toBe(false);
    }
  });
});
