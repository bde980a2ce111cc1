/**
 * Recording the fraud check's decision for a payment attempt (the first one recorded wins) and moving the
 * order on when it still waits on that attempt. A reject still cancels an order whose payment failed meanwhile.
 *
 * `events` are the check's own events (FraudCheckCompleted, FraudDetected): the plan that records the decision
 * carries them, so the order's flush logs and publishes them with the change (one D1 batch and one queue send a
 * payment fewer than the Fraud service publishing them itself). `carried` says whether it did: not when an
 * earlier decision stands, and then the service publishes them itself.
 */

import type { EventEnvelope } from "../../events";
import { change, planned, unchanged } from "../plan";
import type { Attempt, Decision, OrderState, Risk, RuleContext } from "../types";
import { advance } from "./join";

export type FraudDecision =
  | { ok: true; recorded: Risk; decision: Decision; carried: boolean }
  | { ok: false; reason: string };

export function applyFraud(
  state: OrderState,
  input: { paymentId: string; assessment: Risk; events?: readonly EventEnvelope[] },
  ctx: RuleContext,
): FraudDecision {
  const { doc } = state;
  const attempt = state.attempts.find((a) => a.id === input.paymentId);
  if (!attempt) return { ok: false, reason: "unknown_payment" };
  if (attempt.fraud !== "pending" && attempt.risk) {
    return { ok: true, recorded: attempt.risk, decision: unchanged(), carried: false };
  }
  const events = [...(input.events ?? [])];
  const risk = input.assessment;
  const next: Attempt = { ...attempt, fraud: risk.decision, risk, updatedAt: ctx.now };
  const current = doc.currentPaymentId === attempt.id && !attempt.abandoned;
  const live =
    current &&
    (doc.status === "payment_pending" ||
      doc.status === "on_hold" ||
      (doc.status === "payment_failed" && risk.decision === "reject"));
  if (!live) {
    return {
      ok: true,
      recorded: risk,
      decision: planned(change(ctx, current ? { ...doc, risk } : doc, { attempts: [next], events })),
      carried: true,
    };
  }
  return { ok: true, recorded: risk, decision: advance(ctx, state, { ...doc, risk }, next, events), carried: true };
}
