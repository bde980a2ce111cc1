/**
 * Renewals go through the same fraud rules as orders (src/domain/fraud.ts); this file builds their input and
 * says what the decision does to the charge. Pure.
 *
 * Input. A renewal is not a new order: the order velocity rules do not apply (0 other orders, no IP), and no
 * request is behind it (no request country, so no country mismatch). Everything else is the shopper's own:
 * paid history, account age, declined payments in the last day (orders and subscriptions), the amount, and the
 * risk the stored card token carries.
 *
 * Decision (the simplest sound behaviour, docs/notifications.md "Subscription care"):
 * - `pass`: charge as usual.
 * - `reject`: nothing is charged. The attempt counts as a declined renewal (code `refused`): the customer is
 *   told the payment did not go through and asked to update the card, the daily retries and the dunning
 *   cancellation apply as for any decline. The shopper never sees the score or the rules.
 * - `review`: nothing is charged and nothing is counted; the renewal waits, held, until staff approve it (it
 *   is then charged at once, without a second check) or reject it (a refusal as above). The daily run leaves a
 *   held subscription alone.
 */
import { BASELINE_INPUT, type FraudAssessment, type FraudInput } from "./fraud";
import type { TokenRisk } from "./payment-tokens";

export type RenewalFacts = {
  amountCents: number;
  history: { paidOrders: number; averageCents: number };
  accountAgeMs: number | null;
  /** The subscription's shipping country; null on a row older than shipping addresses. */
  shippingCountry: string | null;
  recentDeclines: number;
  tokenRisk: TokenRisk;
};

export function renewalFraudInput(facts: RenewalFacts): FraudInput {
  return {
    ...BASELINE_INPUT,
    amountCents: facts.amountCents,
    emailOrdersLastHour: 0,
    ipOrdersLastHour: null,
    history: facts.history,
    accountAgeMs: facts.accountAgeMs,
    shippingCountry: facts.shippingCountry ?? "",
    requestCountry: null,
    recentDeclines: facts.recentDeclines,
    tokenRisk: facts.tokenRisk,
  };
}

/** A renewal held for review: staff-only facts, kept on the subscription until staff decide. */
export type RenewalReview = {
  score: number;
  reasons: FraudAssessment["reasons"];
  /** When the check held it, and the charge date it was for. */
  heldAt: number;
  periodEnd: number;
};

export type RenewalGate = { action: "charge" } | { action: "refuse" } | { action: "hold"; review: RenewalReview };

/** What the assessment of the renewal due at `periodEnd` does to its charge. */
export function renewalGate(assessment: FraudAssessment, periodEnd: number, now: number): RenewalGate {
  switch (assessment.decision) {
    case "pass":
      return { action: "charge" };
    case "reject":
      return { action: "refuse" };
    case "review":
      return {
        action: "hold",
        review: { score: assessment.score, reasons: assessment.reasons, heldAt: now, periodEnd },
      };
  }
}

/** The decline code of a renewal the check refused (the payment row and PaymentProcessed carry it). */
export const REFUSED_DECLINE_CODE = "refused";
