/**
 * What the alarm does when it fires: judged by the order's state and the deadline of that state (deadlineOf),
 * so a stale or repeated alarm decides nothing.
 * - reserved / payment failed, past the reservation: cancelled as expired;
 * - on hold, past the review window: cancelled (review_expired);
 * - payment pending, past the payment timeout: the attempt is abandoned (a later authorization is voided);
 *   the order goes to payment_failed while its reservation lasts, else it is cancelled (payment_timeout).
 */
import { decide } from "../../order-machine";
import { change, currentAttempt, event, planned, unchanged } from "../plan";
import type { Decision, OrderState, RuleContext } from "../types";
import { cancelPlan, expire } from "./cancel";

export function dueDeadline(state: OrderState, ctx: RuleContext): Decision {
  const { doc } = state;
  const { now } = ctx;
  switch (doc.status) {
    case "reserved":
    case "payment_failed":
      return doc.expiresAt !== null && now >= doc.expiresAt ? expire(state, ctx) : unchanged();
    case "on_hold":
      if (doc.holdUntil === null || now < doc.holdUntil) return unchanged();
      return planned(
        cancelPlan(ctx, state, doc, {
          to: "cancelled",
          reason: "review_expired",
          by: "system",
          note: "Review window expired",
          expire: true,
        }),
      );
    case "payment_pending": {
      if (doc.paymentDeadline === null || now < doc.paymentDeadline) return unchanged();
      const attempt = currentAttempt(doc, state.attempts);
      const abandoned = attempt ? [{ ...attempt, abandoned: true, updatedAt: now }] : [];
      if (doc.expiresAt === null || now >= doc.expiresAt) {
        const d = decide(doc.status, "expire", "system");
        if (!d.ok) return unchanged();
        return planned(
          cancelPlan(
            ctx,
            state,
            doc,
            {
              to: d.to,
              reason: "payment_timeout",
              by: "system",
              note: "Payment timed out; reservation expired",
              expire: true,
            },
            { attempts: abandoned },
          ),
        );
      }
      const d = decide(doc.status, "payment_timeout", "system");
      if (!d.ok) return unchanged();
      return planned(
        change(
          ctx,
          { ...doc, status: d.to, paymentDeadline: null },
          {
            note: "Payment timed out",
            orderEvents: (sequence) =>
              attempt
                ? [
                    event(ctx, "OrderPaymentFailed", `order:${doc.id}`, {
                      orderId: doc.id,
                      sequence,
                      paymentId: attempt.id,
                      reason: "timeout",
                      email: doc.email,
                      customerId: doc.customerId,
                    }),
                  ]
                : [],
            attempts: abandoned,
          },
        ),
      );
    }
    default:
      return unchanged();
  }
}
