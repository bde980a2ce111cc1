/**
 * Applying what the gateway said about a payment (its answer, its webhook or a queued delivery: whichever
 * arrives first). Each outcome is applied once: an authorization or decline only while the attempt is pending,
 * a capture, void or refund only against the task that asked for it. PaymentProcessed goes with the change.
 */
import type { EventEnvelope } from "../../events";
import { change, event, planned, task, unchanged } from "../plan";
import type { Attempt, Decision, OrderState, PaymentOutcome, PaymentTask, RuleContext, StoredTask } from "../types";
import { advance } from "./join";

export type OutcomeDecision = { ok: true; applied: boolean; decision: Decision } | { ok: false; reason: string };

const KIND = { captured: "capture", voided: "void", refunded: "refund" } as const;

export function processedEvent(
  ctx: RuleContext,
  orderId: string,
  a: Attempt,
  status: PaymentOutcome["status"],
  amountCents: number,
): EventEnvelope {
  return event(ctx, "PaymentProcessed", `payment:${a.id}`, {
    paymentId: a.id,
    orderId,
    subscriptionId: null,
    status,
    amountCents,
    currency: a.currency,
    ...(status === "declined" && a.declineCode ? { declineCode: a.declineCode } : {}),
  });
}

/**
 * The task an outcome answers: the one named by `taskId` (the synchronous answer), else the task in flight for
 * that payment, kind and amount (the webhook). Null when it was already applied.
 */
export function pendingTask(
  tasks: readonly StoredTask[],
  paymentId: string,
  kind: PaymentTask["kind"],
  amountCents: number,
  taskId?: string,
): StoredTask | null {
  const mine = tasks.filter((t) => t.paymentId === paymentId && t.kind === kind);
  if (taskId !== undefined) return mine.find((t) => t.id === taskId) ?? null;
  return mine.find((t) => t.inflight && t.amountCents === amountCents) ?? null;
}

/**
 * Whether an authorization or decline still moves the order: the attempt is the current one, was not given up
 * on, and the order is waiting on it. A late authorization is voided: the shop never keeps money it will not use.
 */
export const stillApplies = (state: OrderState, attempt: Attempt) =>
  state.doc.currentPaymentId === attempt.id &&
  !attempt.abandoned &&
  (state.doc.status === "payment_pending" || state.doc.status === "on_hold");

export function applyPaymentOutcome(state: OrderState, outcome: PaymentOutcome, ctx: RuleContext): OutcomeDecision {
  const { doc } = state;
  const attempt = state.attempts.find((a) => a.id === outcome.paymentId);
  if (!attempt) return { ok: false, reason: "unknown_payment" };
  const duplicate = { ok: true as const, applied: false, decision: unchanged() };

  if (outcome.status === "authorized" || outcome.status === "declined") {
    if (attempt.auth !== "pending") return duplicate;
    const next: Attempt = {
      ...attempt,
      auth: outcome.status,
      status: outcome.status,
      declineCode: outcome.status === "declined" ? (outcome.declineCode ?? "declined") : null,
      updatedAt: ctx.now,
    };
    const processed = processedEvent(ctx, doc.id, next, outcome.status, next.amountCents);
    if (!stillApplies(state, attempt)) {
      // Too late for this order (cancelled, timed out, or superseded): never keep the money.
      const tasks = outcome.status === "authorized" ? [task(ctx, doc, "void", next, next.amountCents)] : [];
      return {
        ok: true,
        applied: true,
        decision: planned(change(ctx, doc, { events: [processed], attempts: [next], tasks })),
      };
    }
    return { ok: true, applied: true, decision: advance(ctx, state, doc, next, [processed]) };
  }

  const kind = KIND[outcome.status];
  const answered = pendingTask(state.tasks, attempt.id, kind, outcome.amountCents, outcome.taskId);
  if (!answered) return duplicate;
  const next: Attempt = { ...attempt, updatedAt: ctx.now };
  if (kind === "capture") {
    next.status = "captured";
    next.capturedCents = outcome.amountCents;
  } else if (kind === "void") {
    next.status = "voided";
  } else {
    next.refundedCents = attempt.refundedCents + outcome.amountCents;
    if (next.refundedCents >= next.capturedCents) next.status = "refunded";
  }
  return {
    ok: true,
    applied: true,
    decision: planned(
      change(ctx, doc, {
        events: [processedEvent(ctx, doc.id, next, outcome.status, outcome.amountCents)],
        attempts: [next],
        dropTasks: [answered.id],
      }),
    ),
  };
}
