/**
 * The pieces every order rule builds its answer from: failures with their wording, the change a rule plans
 * (version, timeline entry, events), payment tasks, and each state's deadline.
 */
import { type EventData, type EventEnvelope, type EventType, makeEvent } from "../events";
import {
  type Actor,
  decide,
  type OrderCommand,
  type OrderStatus,
  orderMessage,
  type TimelineEntry,
} from "../order-machine";
import type { PricedItem } from "../pricing";
import type {
  Attempt,
  Decision,
  Failure,
  OrderDoc,
  OrderState,
  PaymentTask,
  Plan,
  RuleContext,
  StockStep,
} from "./types";

export const fail = (code: Failure["code"], message: string, details?: unknown): Failure =>
  details === undefined ? { ok: false, code, message } : { ok: false, code, message, details };

export const notFound = (): Failure => fail("not_found", "No such order");

export const expiredAnswer = (): Failure => fail("invalid_state", "The reservation for this order has expired");

export const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

/** Whether `actor` may issue `command` now, worded for the caller when not. */
export function allowed(
  doc: OrderDoc,
  command: OrderCommand,
  actor: Actor,
): { ok: true; to: OrderStatus; noop: boolean } | Failure {
  const d = decide(doc.status, command, actor);
  if (d.ok) return d;
  return d.reason === "forbidden"
    ? fail("forbidden", `You may not ${command} this order`)
    : fail("invalid_state", `Cannot ${command} an order that is ${doc.status.replaceAll("_", " ")}`, {
        status: doc.status,
      });
}

/** An event about the order (or its payment) with a fresh id, stamped now. */
export function event<T extends EventType>(ctx: RuleContext, type: T, subject: string, data: EventData<T>) {
  return makeEvent(type, subject, data, { id: ctx.newId("evt"), now: ctx.now });
}

export const eventItem = (i: PricedItem) => ({ sku: i.sku, qty: i.qty, unitPriceCents: i.unitPriceCents });

/** The order's number for events that reach the shopper (messages name the order by it); none on older orders. */
export const numberOf = (doc: OrderDoc): { orderNumber?: number } =>
  doc.number !== undefined ? { orderNumber: doc.number } : {};

/** A payment task for `attempt`; its id is the gateway's idempotency key. */
export function task(
  ctx: RuleContext,
  doc: OrderDoc,
  kind: PaymentTask["kind"],
  attempt: Attempt,
  amountCents: number,
): PaymentTask {
  return {
    id: ctx.newId("ptask"),
    kind,
    paymentId: attempt.id,
    orderId: doc.id,
    amountCents,
    currency: attempt.currency,
  };
}

export type ChangeParts = {
  /** A transition: the version goes up by one and the timeline gets an entry with this note. */
  note?: string;
  /** Order events, built with the new version as their sequence (only with a note). */
  orderEvents?: (sequence: number) => EventEnvelope[];
  /** Other events recorded with the change (PaymentProcessed), after the order events. */
  events?: EventEnvelope[];
  attempts?: Attempt[];
  tasks?: PaymentTask[];
  dropTasks?: string[];
  stock?: StockStep[];
};

/** The plan for saving `next` (with a timeline entry when `parts.note` is given). */
export function change(ctx: RuleContext, next: OrderDoc, parts: ChangeParts = {}): Plan {
  let doc = next;
  let entry: TimelineEntry | null = null;
  if (parts.note !== undefined) {
    const version = next.version + 1;
    doc = { ...next, version, updatedAt: ctx.now };
    entry = { version, status: doc.status, at: ctx.now, ...(parts.note ? { note: parts.note } : {}) };
  }
  return {
    doc,
    entry,
    attempts: parts.attempts ?? [],
    tasks: parts.tasks ?? [],
    dropTasks: parts.dropTasks ?? [],
    events: [...(entry && parts.orderEvents ? parts.orderEvents(entry.version) : []), ...(parts.events ?? [])],
    stock: parts.stock ?? [],
    broadcast: entry ? orderMessage(entry) : null,
  };
}

export const planned = (plan: Plan | null, answer?: Failure): Decision =>
  answer ? { ok: true, plan, answer } : { ok: true, plan };

/**
 * The moment the order's current state gives up on it: the reservation's expiry (reserved, payment failed),
 * the payment timeout (payment pending), the end of the review window (on hold). Null in every other state.
 */
export function deadlineOf(doc: OrderDoc): number | null {
  switch (doc.status) {
    case "reserved":
    case "payment_failed":
      return doc.expiresAt;
    case "payment_pending":
      return doc.paymentDeadline;
    case "on_hold":
      return doc.holdUntil;
    default:
      return null;
  }
}

/** Nothing to change: the order stays as it is. */
export const unchanged = (): Decision => ({ ok: true, plan: null });

/** Keep every line held until at least `until`. */
export const holdSteps = (doc: OrderDoc, until: number, now: number): StockStep[] =>
  doc.items.map((i) => ({ op: "hold", sku: i.sku, qty: i.qty, until, ttlMs: until - now }));

/** The attempt the order is waiting on, if any. */
export const currentAttempt = (doc: OrderDoc, attempts: readonly Attempt[]): Attempt | null =>
  (doc.currentPaymentId ? attempts.find((a) => a.id === doc.currentPaymentId) : undefined) ?? null;

/**
 * Whether the order's latest change may wait for the next one before it is delivered (mirrored to D1 and
 * published): its payment has one of its two outcomes, the authorization or the fraud decision, and waits for the
 * other, which the same PaymentInitiated brings moments later. Both are then delivered together, one D1 batch and
 * one queue send instead of two; the object's alarm delivers the first should the second never come.
 */
export function awaitsOtherOutcome(state: OrderState): boolean {
  if (state.doc.status !== "payment_pending") return false;
  const attempt = currentAttempt(state.doc, state.attempts);
  if (!attempt || attempt.abandoned) return false;
  return (attempt.auth === "authorized") !== (attempt.fraud !== "pending");
}
