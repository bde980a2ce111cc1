/**
 * Builders for the order rules' unit tests (src/domain/order/): an order in any state, its attempts and tasks,
 * a rule context with a fixed clock and predictable ids, and `resolve`, which walks a decision the way OrderFlow
 * does, with stock answers the test chooses. No bindings: these run without the runtime's objects.
 */

import { pendingAttempt } from "../src/domain/order/rules/pay";
import type {
  Attempt,
  Decision,
  Failure,
  OrderDoc,
  OrderState,
  Plan,
  RuleContext,
  StockAnswer,
  StockStep,
  StoredTask,
} from "../src/domain/order/types";
import type { OrderStatus } from "../src/domain/order-machine";

export const NOW = 1_800_000_000_000;
export const TTL = 15 * 60_000;
export const PAYMENT_TIMEOUT = 10 * 60_000;

export function ctx(now = NOW): RuleContext {
  let n = 0;
  return {
    now,
    config: {
      reservationTtlMs: TTL,
      paymentTimeoutMs: PAYMENT_TIMEOUT,
      shippingFlatCents: 495,
      freeShippingThresholdCents: 10_000,
      taxRateBps: 2000,
      currency: "EUR",
    },
    newId: (prefix) => `${prefix}_${++n}`,
  };
}

export const ITEMS = [
  { sku: "BR-A", name: "A", qty: 2, unitPriceCents: 2_000, lineTotalCents: 4_000 },
  { sku: "BR-B", name: "B", qty: 1, unitPriceCents: 1_000, lineTotalCents: 1_000 },
];

export function doc(status: OrderStatus, over: Partial<OrderDoc> = {}): OrderDoc {
  return {
    id: "ord_1",
    customerId: null,
    email: "ada@example.com",
    shippingAddress: { name: "Ada", line1: "1 Loom St", city: "Berlin", postalCode: "10115", country: "DE" },
    phone: null,
    status,
    version: 3,
    items: ITEMS,
    totals: { subtotalCents: 5_000, shippingCents: 495, taxCents: 1_099, totalCents: 6_594, currency: "EUR" },
    accessTokenHash: "hash",
    ip: "203.0.113.9",
    country: "DE",
    expiresAt: NOW + 5 * 60_000,
    paymentDeadline: null,
    holdUntil: null,
    currentPaymentId: null,
    attempts: 0,
    trackingNumber: null,
    risk: null,
    refundedCents: 0,
    createdAt: NOW - 60_000,
    updatedAt: NOW - 60_000,
    ...over,
  };
}

export function attempt(over: Partial<Attempt> = {}): Attempt {
  const start = {
    id: "pay_1",
    seq: 1,
    token: "tok_visa",
    methodLabel: "Visa 4242",
    amountCents: 6_594,
    currency: "EUR",
  };
  return { ...pendingAttempt(start, NOW - 30_000), ...over };
}

export function storedTask(over: Partial<StoredTask> = {}): StoredTask {
  return {
    id: "ptask_9",
    kind: "capture",
    paymentId: "pay_1",
    orderId: "ord_1",
    amountCents: 6_594,
    currency: "EUR",
    seq: 1,
    tries: 1,
    nextAt: NOW + 5_000,
    inflight: true,
    ...over,
  };
}

export const state = (d: OrderDoc, attempts: Attempt[] = [], tasks: StoredTask[] = []): OrderState => ({
  doc: d,
  attempts,
  tasks,
});

/** An order waiting on its first payment attempt (`a` overrides the attempt). */
export function paying(
  status: OrderStatus = "payment_pending",
  a: Partial<Attempt> = {},
  over: Partial<OrderDoc> = {},
) {
  return state(
    doc(status, {
      currentPaymentId: "pay_1",
      attempts: 1,
      paymentDeadline: status === "payment_pending" ? NOW + 60_000 : null,
      ...over,
    }),
    [attempt(a)],
  );
}

export const PASS = { score: 0, reasons: [], decision: "pass" as const };
export const REVIEW = { score: 45, reasons: [{ code: "velocity", points: 45 }], decision: "review" as const };
export const REJECT = { score: 90, reasons: [{ code: "stolen", points: 90 }], decision: "reject" as const };

export type Resolved = {
  /** The plan carried out, or null when nothing changes. */
  plan: Plan | null;
  /** A failure the caller hears (a refusal, or the answer that goes with a plan). */
  failure: Failure | null;
  /** Every guard the decision passed through, in order. */
  guards: StockStep[][];
  /** Steps undone after a refusal. */
  undone: StockStep[];
};

/**
 * Walks a decision as OrderFlow does: a guarded decision gets the answers `answer(step)` gives (ok by
 * default), undoes what the rule says on a refusal and follows what it decides instead.
 */
export function resolve(decision: Decision, answer: (step: StockStep) => StockAnswer = () => ({ ok: true })): Resolved {
  const guards: StockStep[][] = [];
  const undone: StockStep[] = [];
  let d = decision;
  for (;;) {
    if (d.ok === false) return { plan: null, failure: d, guards, undone };
    if (d.ok === true) return { plan: d.plan, failure: d.answer ?? null, guards, undone };
    guards.push(d.guard);
    const answers = d.guard.map(answer);
    if (answers.every((a) => a.ok === true)) {
      d = d.granted;
      continue;
    }
    undone.push(...d.undo(answers));
    d = d.refused(answers);
  }
}

/** The types of the events a plan records, in order. */
export const types = (plan: Plan | null) => plan?.events.map((e) => e.type) ?? [];

/** Refuses every step on `sku` (insufficient, with `available` left). */
export const refuse =
  (sku: string, available = 0, reason: "insufficient" | "unknown_sku" | "lost" = "insufficient") =>
  (step: StockStep): StockAnswer =>
    step.sku === sku ? { ok: false, reason, available } : { ok: true };
