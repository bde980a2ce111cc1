/**
 * Starting a payment attempt: reserved/payment_failed → payment_pending with a new payment id, every line held
 * until at least now + the payment timeout, and PaymentInitiated for the Payment and Fraud services. A
 * reservation that is over (or cannot be held again) cancels the order and refuses the payment.
 */
import { allowed, change, event, expiredAnswer, holdSteps, planned } from "../plan";
import type { Attempt, Decision, OrderDoc, OrderState, PayInput, RuleContext } from "../types";
import { expire } from "./cancel";

export function pay(state: OrderState, input: PayInput, ctx: RuleContext): Decision {
  const { doc } = state;
  const d = allowed(doc, "pay", "owner");
  if (!d.ok) return d;
  const { now, config } = ctx;
  if (doc.expiresAt === null || now >= doc.expiresAt) return expire(state, ctx, expiredAnswer());
  const holdUntil = Math.max(doc.expiresAt, now + config.paymentTimeoutMs);
  const attemptNo = doc.attempts + 1;
  const attempt = pendingAttempt(
    {
      id: ctx.newId("pay"),
      seq: attemptNo,
      token: input.token,
      methodLabel: input.methodLabel,
      amountCents: doc.totals.totalCents,
      currency: doc.totals.currency,
    },
    now,
  );
  const next: OrderDoc = {
    ...doc,
    status: d.to,
    expiresAt: holdUntil,
    paymentDeadline: now + config.paymentTimeoutMs,
    currentPaymentId: attempt.id,
    attempts: attemptNo,
    risk: null,
  };
  return {
    ok: "guarded",
    guard: holdSteps(doc, holdUntil, now),
    granted: planned(
      change(ctx, next, {
        note: `Payment ${attemptNo} started (${input.methodLabel})`,
        orderEvents: (sequence) => [
          event(ctx, "PaymentInitiated", `order:${doc.id}`, {
            orderId: doc.id,
            sequence,
            paymentId: attempt.id,
            amountCents: attempt.amountCents,
            currency: attempt.currency,
            token: input.token,
            email: doc.email,
            customerId: doc.customerId,
            ip: input.ip,
            country: input.country ?? "",
            shippingCountry: doc.shippingAddress.country,
            attempt: attemptNo,
          }),
        ],
        attempts: [attempt],
      }),
    ),
    undo: () => [],
    refused: () => expire(state, ctx, expiredAnswer()),
  };
}

/** A new attempt for `amountCents`: authorization and fraud check both still to come, nothing taken yet. */
export function pendingAttempt(
  start: Pick<Attempt, "id" | "seq" | "token" | "methodLabel" | "amountCents" | "currency">,
  now: number,
): Attempt {
  return {
    ...start,
    auth: "pending",
    fraud: "pending",
    risk: null,
    status: "pending",
    declineCode: null,
    capturedCents: 0,
    refundedCents: 0,
    abandoned: false,
    createdAt: now,
    updatedAt: now,
  };
}
