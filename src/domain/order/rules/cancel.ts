/**
 * Cancelling an order, whoever asks (the shopper, staff, the fraud check, a deadline, lost stock): the stock
 * goes back, the money is voided when only authorized or refunded when captured, and OrderCancelled says why.
 */

import type { EventEnvelope } from "../../events";
import { decide, type OrderStatus } from "../../order-machine";
import { wholeRefundRecord } from "../../refunds";
import { allowed, change, event, numberOf, planned, task, unchanged } from "../plan";
import type { Attempt, By, Decision, Failure, OrderDoc, OrderState, PaymentTask, Plan, RuleContext } from "../types";

export type CancelHow = {
  to: OrderStatus;
  /** OrderCancelled.reason: cancelled_by_customer, cancelled_by_staff, fraud, expired, payment_timeout, … */
  reason: string;
  /** OrderCancelled.by: who (a customer/staff id, "system", "fraud"). */
  by: string;
  note: string;
  /** The reservation ran out (the stock goes back as "expire", not "release"). */
  expire?: boolean;
};

/**
 * The cancellation plan. A confirmed order's sale is returned and whatever was not refunded yet is refunded
 * (capture is queued at confirmation and tasks run in order, so the refund follows the capture); before that,
 * reservations are released and every authorized attempt not already being voided is voided. `carry` brings
 * the attempt change and events of the outcome that led here.
 */
export function cancelPlan(
  ctx: RuleContext,
  state: OrderState,
  doc: OrderDoc,
  how: CancelHow,
  carry: { attempts?: Attempt[]; events?: EventEnvelope[] } = {},
): Plan {
  const wasConfirmed = doc.status === "confirmed";
  const reason = wasConfirmed ? "return" : how.expire ? "expire" : "release";
  const carried = new Map((carry.attempts ?? []).map((a) => [a.id, a]));
  const attempts = state.attempts.map((a) => carried.get(a.id) ?? a);
  const tasks: PaymentTask[] = [];
  let refund = 0;
  if (wasConfirmed) {
    const current = attempts.find((a) => a.id === doc.currentPaymentId);
    if (current) {
      refund = current.amountCents - doc.refundedCents;
      if (refund > 0) tasks.push(task(ctx, doc, "refund", current, refund));
    }
  } else {
    const queued = new Set(state.tasks.map((t) => `${t.kind}:${t.paymentId}`));
    for (const a of attempts) {
      if (a.status === "authorized" && !queued.has(`void:${a.id}`))
        tasks.push(task(ctx, doc, "void", a, a.amountCents));
    }
  }
  const refunded = Math.max(0, refund);
  const next: OrderDoc = {
    ...doc,
    status: how.to,
    expiresAt: null,
    paymentDeadline: null,
    holdUntil: null,
    refundedCents: doc.refundedCents + refunded,
    // Money going back gets a refund record (and so a credit note), whoever cancelled.
    ...(refunded > 0
      ? {
          refunds: [
            ...(doc.refunds ?? []),
            wholeRefundRecord({
              id: ctx.newId("rfd"),
              amountCents: refunded,
              items: doc.items,
              totals: doc.totals,
              before: doc.refunds ?? [],
              restocked: true,
              at: ctx.now,
              by: how.by,
            }),
          ],
        }
      : {}),
  };
  return change(ctx, next, {
    note: how.note,
    orderEvents: (sequence) => [
      event(ctx, "OrderCancelled", `order:${doc.id}`, {
        orderId: doc.id,
        sequence,
        ...numberOf(doc),
        email: doc.email,
        customerId: doc.customerId,
        reason: how.reason,
        by: how.by,
        refundedCents: refunded,
      }),
    ],
    events: carry.events,
    attempts: [...carried.values()],
    tasks,
    stock: doc.items.map((i) => ({ op: "release", sku: i.sku, reason })),
  });
}

/** The shopper or staff cancels; cancelling a cancelled order answers it as it is. */
export function cancel(state: OrderState, by: By, ctx: RuleContext): Decision {
  const d = allowed(state.doc, "cancel", by.actor);
  if (!d.ok) return d;
  if (d.noop) return unchanged();
  const staff = by.actor === "staff";
  return planned(
    cancelPlan(ctx, state, state.doc, {
      to: d.to,
      reason: staff ? "cancelled_by_staff" : "cancelled_by_customer",
      by: by.id,
      note: staff ? "Cancelled by staff" : "Cancelled by the customer",
    }),
  );
}

/**
 * The reservation is over: the order is cancelled as "expired" (when its state allows it), and `answer`, if
 * given, is what the command that found out hears.
 */
export function expire(state: OrderState, ctx: RuleContext, answer?: Failure): Decision {
  const d = decide(state.doc.status, "expire", "system");
  if (!d.ok) return planned(null, answer);
  return planned(
    cancelPlan(ctx, state, state.doc, {
      to: d.to,
      reason: "expired",
      by: "system",
      note: "Reservation expired",
      expire: true,
    }),
    answer,
  );
}
