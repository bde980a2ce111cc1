/**
 * What staff do to an order: ship, deliver, approve or reject after review, refund in full. And the one
 * owner command that is not a transition: claiming a guest order for an account.
 */
import { allowed, change, currentAttempt, event, fail, money, notFound, planned, task, unchanged } from "../plan";
import type { Attempt, By, Decision, OrderState, RuleContext } from "../types";
import { cancelPlan } from "./cancel";
import { confirm } from "./join";

const withNote = (what: string, note: string | null) => `${what}${note ? `: ${note}` : ""}`;

/** confirmed → shipped with a tracking number. */
export function ship(state: OrderState, input: { trackingNumber: string; by: By }, ctx: RuleContext): Decision {
  const { doc } = state;
  const d = allowed(doc, "ship", input.by.actor);
  if (!d.ok) return d;
  const next = { ...doc, status: d.to, trackingNumber: input.trackingNumber };
  return planned(
    change(ctx, next, {
      note: `Shipped, tracking ${input.trackingNumber}`,
      orderEvents: (sequence) => [
        event(ctx, "OrderShipped", `order:${doc.id}`, {
          orderId: doc.id,
          sequence,
          email: doc.email,
          customerId: doc.customerId,
          trackingNumber: input.trackingNumber,
        }),
      ],
    }),
  );
}

/** shipped → delivered. */
export function deliver(state: OrderState, input: { by: By }, ctx: RuleContext): Decision {
  const { doc } = state;
  const d = allowed(doc, "deliver", input.by.actor);
  if (!d.ok) return d;
  return planned(
    change(
      ctx,
      { ...doc, status: d.to },
      {
        note: "Delivered",
        orderEvents: (sequence) => [
          event(ctx, "OrderDelivered", `order:${doc.id}`, {
            orderId: doc.id,
            sequence,
            email: doc.email,
            customerId: doc.customerId,
          }),
        ],
      },
    ),
  );
}

/** on_hold → confirmed (stock committed, capture queued). The payment must be authorized. */
export function approve(state: OrderState, input: { note: string | null; by: By }, ctx: RuleContext): Decision {
  const { doc } = state;
  const d = allowed(doc, "approve", input.by.actor);
  if (!d.ok) return d;
  const attempt = currentAttempt(doc, state.attempts);
  if (attempt?.auth !== "authorized") {
    return fail("invalid_state", "The payment is not authorized yet; approve once it is");
  }
  const approved: Attempt = { ...attempt, fraud: "approved", updatedAt: ctx.now };
  return confirm(ctx, state, doc, approved, [], withNote("Approved after review", input.note));
}

/** on_hold → cancelled (payment voided, stock released). */
export function reject(state: OrderState, input: { note: string | null; by: By }, ctx: RuleContext): Decision {
  const d = allowed(state.doc, "reject", input.by.actor);
  if (!d.ok) return d;
  return planned(
    cancelPlan(ctx, state, state.doc, {
      to: d.to,
      reason: "rejected_after_review",
      by: input.by.id,
      note: withNote("Rejected after review", input.note),
    }),
  );
}

/**
 * A full refund of what is left: a confirmed order is cancelled (stock back); a shipped or delivered order keeps
 * its status, gets a timeline entry and OrderRefunded (the goods are out). Nothing left is `invalid_state`.
 */
export function refund(state: OrderState, input: { by: By }, ctx: RuleContext): Decision {
  const { doc } = state;
  const d = allowed(doc, "refund", input.by.actor);
  if (!d.ok) return d;
  const attempt = currentAttempt(doc, state.attempts);
  const refundable = attempt ? attempt.amountCents - doc.refundedCents : 0;
  if (!attempt || refundable <= 0) return fail("invalid_state", "Nothing left to refund on this order");
  if (d.to === "cancelled") {
    return planned(
      cancelPlan(ctx, state, doc, { to: d.to, reason: "refunded", by: input.by.id, note: "Refunded in full" }),
    );
  }
  const next = { ...doc, refundedCents: doc.refundedCents + refundable };
  return planned(
    change(ctx, next, {
      note: `Refunded ${money(refundable, doc.totals.currency)}`,
      orderEvents: (sequence) => [
        event(ctx, "OrderRefunded", `order:${doc.id}`, {
          orderId: doc.id,
          sequence,
          amountCents: refundable,
          currency: doc.totals.currency,
          by: input.by.id,
          email: doc.email,
          customerId: doc.customerId,
        }),
      ],
      tasks: [task(ctx, doc, "refund", attempt, refundable)],
    }),
  );
}

/** Links a guest order to the signed-in customer holding its access token (no transition, no event). */
export function claim(state: OrderState, customerId: string, ctx: RuleContext): Decision {
  const { doc } = state;
  if (doc.customerId === customerId) return unchanged();
  if (doc.customerId !== null) return notFound();
  return planned(change(ctx, { ...doc, customerId, updatedAt: ctx.now }));
}
