/**
 * Moving the order on once the current attempt's authorization or fraud decision changed (DESIGN.md: confirmed
 * only when both the authorization and the fraud pass have arrived, in either order): PAYMENT_JOIN says
 * confirm, hold for review, decline, cancel as fraud, or wait.
 */
import type { EventEnvelope } from "../../events";
import { decide, JOIN_COMMAND, joinPayment, REVIEW_HOLD_MS } from "../../order-machine";
import { allowed, change, event, eventItem, holdSteps, numberOf, planned, task } from "../plan";
import type { Attempt, Decision, OrderDoc, OrderState, RuleContext } from "../types";
import { cancelPlan } from "./cancel";

const score = (a: Attempt) => a.risk?.score ?? "?";

export function advance(
  ctx: RuleContext,
  state: OrderState,
  doc: OrderDoc,
  attempt: Attempt,
  extra: EventEnvelope[],
): Decision {
  const command = JOIN_COMMAND[joinPayment(attempt.auth, attempt.fraud)];
  const d = command ? decide(doc.status, command, "system") : null;
  if (!command || !d?.ok || d.noop || d.to === doc.status) {
    return planned(change(ctx, doc, { events: extra, attempts: [attempt] }));
  }
  const { now } = ctx;
  switch (command) {
    case "confirm":
      return confirm(ctx, state, doc, attempt, extra, "Payment authorized and checks passed");
    case "hold": {
      const holdUntil = now + REVIEW_HOLD_MS;
      const next = { ...doc, status: d.to, paymentDeadline: null, holdUntil, expiresAt: holdUntil };
      return {
        ok: "guarded",
        guard: holdSteps(doc, holdUntil, now),
        granted: planned(
          change(ctx, next, {
            note: `Held for review (risk score ${score(attempt)})`,
            orderEvents: (sequence) => [
              event(ctx, "OrderHeld", `order:${doc.id}`, {
                orderId: doc.id,
                sequence,
                paymentId: attempt.id,
                score: attempt.risk?.score ?? 0,
                holdUntil,
              }),
            ],
            events: extra,
            attempts: [attempt],
          }),
        ),
        undo: () => [],
        refused: () => stockLost(ctx, state, doc, attempt, extra),
      };
    }
    case "decline": {
      const expiresAt = Math.min(doc.expiresAt ?? now, now + ctx.config.reservationTtlMs);
      const next = { ...doc, status: d.to, paymentDeadline: null, holdUntil: null, expiresAt };
      const code = attempt.declineCode ?? "declined";
      return planned(
        change(ctx, next, {
          note: `Payment declined (${code})`,
          orderEvents: (sequence) => [
            event(ctx, "OrderPaymentFailed", `order:${doc.id}`, {
              orderId: doc.id,
              sequence,
              paymentId: attempt.id,
              reason: "declined",
              declineCode: code,
              email: doc.email,
              customerId: doc.customerId,
            }),
          ],
          events: extra,
          attempts: [attempt],
        }),
      );
    }
    case "fraud_reject":
      return planned(
        cancelPlan(
          ctx,
          state,
          doc,
          {
            to: d.to,
            reason: "fraud",
            by: "fraud",
            note: `Cancelled: payment refused by the fraud check (risk score ${score(attempt)})`,
          },
          { attempts: [attempt], events: extra },
        ),
      );
    default:
      throw new Error(`unexpected join command ${command}`);
  }
}

/** Commits the stock, then confirms: capture queued, OrderConfirmed. Stock that is gone cancels the order. */
export function confirm(
  ctx: RuleContext,
  state: OrderState,
  doc: OrderDoc,
  attempt: Attempt,
  extra: EventEnvelope[],
  note: string,
): Decision {
  const approved = attempt.fraud === "approved";
  const d = allowed(doc, approved ? "approve" : "confirm", approved ? "staff" : "system");
  if (!d.ok) return d;
  const next = { ...doc, status: d.to, expiresAt: null, paymentDeadline: null, holdUntil: null };
  return {
    ok: "guarded",
    guard: doc.items.map((i) => ({ op: "commit", sku: i.sku, qty: i.qty, ttlMs: ctx.config.reservationTtlMs })),
    granted: planned(
      change(ctx, next, {
        note,
        orderEvents: (sequence) => [
          event(ctx, "OrderConfirmed", `order:${doc.id}`, {
            orderId: doc.id,
            sequence,
            ...numberOf(doc),
            customerId: doc.customerId,
            email: doc.email,
            items: doc.items.map(eventItem),
            totalCents: doc.totals.totalCents,
            currency: doc.totals.currency,
          }),
        ],
        events: extra,
        attempts: [attempt],
        tasks: [task(ctx, doc, "capture", attempt, attempt.amountCents)],
      }),
    ),
    undo: () => [],
    refused: () => stockLost(ctx, state, doc, attempt, extra),
  };
}

/** The reserved stock vanished before confirmation (never expected; handled anyway): cancel, void. */
export function stockLost(
  ctx: RuleContext,
  state: OrderState,
  doc: OrderDoc,
  attempt: Attempt,
  extra: EventEnvelope[],
): Decision {
  const d = allowed(doc, "stock_unavailable", "system");
  if (!d.ok) return d;
  return planned(
    cancelPlan(
      ctx,
      state,
      doc,
      {
        to: d.to,
        reason: "stock_unavailable",
        by: "system",
        note: "Cancelled: the reserved stock was no longer available",
      },
      { attempts: [attempt], events: extra },
    ),
  );
}
