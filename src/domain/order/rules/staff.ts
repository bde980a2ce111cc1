/**
 * What staff do to an order: ship, deliver, approve or reject after review, refund in full. And the one
 * owner command that is not a transition: claiming a guest order for an account.
 */

import {
  isWholeRefund,
  planRefund,
  type RefundRecord,
  type RefundRequest,
  refundNote,
  stockTargets,
} from "../../refunds";
import {
  allowed,
  change,
  currentAttempt,
  event,
  fail,
  money,
  notFound,
  numberOf,
  planned,
  task,
  unchanged,
} from "../plan";
import type { Attempt, By, Decision, OrderState, RuleContext, StockStep } from "../types";
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
          ...numberOf(doc),
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
            ...numberOf(doc),
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
 * A refund (DESIGN.md: `{lines?, amountCents?, restock?}`; the rules of what it comes to are in
 * src/domain/refunds.ts): never more than what is left of the payment. Everything left on a confirmed order
 * cancels it (stock back); otherwise the order keeps its status and gets a timeline entry, OrderRefunded, the
 * refund record (the credit note's source), the gateway refund and, with `restock`, the chosen units back on sale.
 */
export function refund(state: OrderState, input: { by: By; request?: RefundRequest }, ctx: RuleContext): Decision {
  const { doc } = state;
  const d = allowed(doc, "refund", input.by.actor);
  if (!d.ok) return d;
  const attempt = currentAttempt(doc, state.attempts);
  if (!attempt) return fail("invalid_state", "Nothing left to refund on this order");
  const request = input.request ?? {};
  const refunds = doc.refunds ?? [];
  const p = planRefund({ ...doc, paidCents: attempt.amountCents, refunds }, request);
  if (!p.ok) return fail(p.code, p.message, p.details);
  if (isWholeRefund(request) && d.to === "cancelled") {
    // The cancellation records the refund, as it does when the shopper cancels a paid order.
    return planned(
      cancelPlan(ctx, state, doc, { to: d.to, reason: "refunded", by: input.by.id, note: "Refunded in full" }),
    );
  }
  const record: RefundRecord = {
    id: ctx.newId("rfd"),
    amountCents: p.amountCents,
    currency: doc.totals.currency,
    lines: p.lines,
    restocked: p.restock.length > 0,
    at: ctx.now,
    by: input.by.id,
  };
  const all = [...refunds, record];
  const stock: StockStep[] = record.restocked
    ? stockTargets(doc.items, all).map(({ sku, keep }) =>
        keep === 0 ? { op: "release", sku, reason: "return" } : { op: "resize", sku, qty: keep },
      )
    : [];
  const next = { ...doc, refunds: all, refundedCents: doc.refundedCents + p.amountCents };
  return planned(
    change(ctx, next, {
      note: refundNote(money(p.amountCents, doc.totals.currency), p.lines, record.restocked),
      orderEvents: (sequence) => [
        event(ctx, "OrderRefunded", `order:${doc.id}`, {
          orderId: doc.id,
          sequence,
          amountCents: p.amountCents,
          currency: doc.totals.currency,
          by: input.by.id,
          email: doc.email,
          customerId: doc.customerId,
        }),
      ],
      tasks: [task(ctx, doc, "refund", attempt, p.amountCents)],
      stock,
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
