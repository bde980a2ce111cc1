/**
 * Rule-based fraud scoring (DESIGN.md, "Order flow"): each rule adds points with a named reason, the score is
 * clamped to 0–100, and the decision is `pass` below 30, `review` from 30 to 70, `reject` above 70. Pure: the
 * Fraud service gathers the inputs as plain data.
 *
 * Velocity counts orders per email, and per IP only when enabled (`FRAUD_IP_VELOCITY`): with the defaults,
 * distinct shoppers paying from one address (loopback benchmarks, an office) are approved.
 */
import type { TokenRisk } from "./payment-tokens";

export type FraudInput = {
  /** The amount being paid, minor units. */
  amountCents: number;
  /** Other orders placed with the same email in the last hour. */
  emailOrdersLastHour: number;
  /** Other orders from the same IP in the last hour; null when IP velocity is off or the IP is unknown. */
  ipOrdersLastHour: number | null;
  /** The shopper's earlier paid orders (by account, or by email for guests). */
  history: { paidOrders: number; averageCents: number };
  /** Age of the shopper's account; null for a guest. */
  accountAgeMs: number | null;
  /** ISO 3166-1 alpha-2 of the shipping address. */
  shippingCountry: string;
  /** Country the request came from (`request.cf.country`); null when unknown. */
  requestCountry: string | null;
  /** Declined payments for this email in the last 24 hours (this order's included). */
  recentDeclines: number;
  /** What the payment token says about itself (the test tokens carry a risk level). */
  tokenRisk: TokenRisk;
};

export type FraudReason = { code: string; points: number; detail?: string };
export type FraudDecision = "pass" | "review" | "reject";
export type FraudAssessment = { score: number; reasons: FraudReason[]; decision: FraudDecision };

export const REVIEW_FROM = 30;
export const REJECT_ABOVE = 70;

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

type Rule = {
  code: string;
  /** Points for the input (0 when the rule does not fire) and a human detail. */
  points(input: FraudInput): { points: number; detail?: string };
};

/** Points by the first threshold reached, highest first. */
function tiered(value: number, tiers: readonly (readonly [atLeast: number, points: number])[]): number {
  for (const [atLeast, points] of tiers) if (value >= atLeast) return points;
  return 0;
}

/** Every rule, in the order reasons are listed. Thresholds are exported through the table for tests and docs. */
export const FRAUD_RULES: readonly Rule[] = [
  {
    code: "email_velocity",
    points: (i) => ({
      points: tiered(i.emailOrdersLastHour, [
        [10, 60],
        [5, 35],
        [3, 15],
      ]),
      detail: `${i.emailOrdersLastHour} other orders from this email in the last hour`,
    }),
  },
  {
    code: "ip_velocity",
    points: (i) =>
      i.ipOrdersLastHour === null
        ? { points: 0 }
        : {
            points: tiered(i.ipOrdersLastHour, [
              [50, 60],
              [25, 35],
              [10, 15],
            ]),
            detail: `${i.ipOrdersLastHour} other orders from this IP in the last hour`,
          },
  },
  {
    code: "amount_vs_history",
    points: (i) => {
      const { paidOrders, averageCents } = i.history;
      if (paidOrders === 0) {
        return { points: i.amountCents >= 100_000 ? 15 : 0, detail: "first order of a high value" };
      }
      if (i.amountCents < 20_000 || averageCents <= 0) return { points: 0 };
      const ratio = i.amountCents / averageCents;
      return {
        points: ratio > 10 ? 30 : ratio > 5 ? 20 : 0,
        detail: `${ratio.toFixed(1)}× the average of ${paidOrders} earlier orders`,
      };
    },
  },
  {
    code: "new_account_high_value",
    points: (i) => ({
      points: i.accountAgeMs !== null && i.accountAgeMs < DAY && i.amountCents >= 50_000 ? 25 : 0,
      detail: "account younger than a day paying a high value",
    }),
  },
  {
    code: "country_mismatch",
    points: (i) => ({
      points: i.requestCountry !== null && i.requestCountry !== i.shippingCountry ? 15 : 0,
      detail: `request from ${i.requestCountry}, shipping to ${i.shippingCountry}`,
    }),
  },
  {
    code: "repeated_declines",
    points: (i) => ({
      points: tiered(i.recentDeclines, [
        [4, 40],
        [2, 20],
      ]),
      detail: `${i.recentDeclines} declined payments in the last day`,
    }),
  },
  {
    code: "token_risk",
    points: (i) => ({
      points: i.tokenRisk === "highest" ? 90 : i.tokenRisk === "elevated" ? 45 : 0,
      detail: `payment method risk level ${i.tokenRisk}`,
    }),
  },
];

/** The decision for a score: below 30 pass, 30 to 70 review, above 70 reject. */
export function decisionFor(score: number): FraudDecision {
  if (score > REJECT_ABOVE) return "reject";
  if (score >= REVIEW_FROM) return "review";
  return "pass";
}

/** Scores `input` by every rule; only rules that fired appear in `reasons`. */
export function assessFraud(input: FraudInput): FraudAssessment {
  const reasons: FraudReason[] = [];
  for (const rule of FRAUD_RULES) {
    const { points, detail } = rule.points(input);
    if (points > 0)
      reasons.push(detail === undefined ? { code: rule.code, points } : { code: rule.code, points, detail });
  }
  const score = Math.max(
    0,
    Math.min(
      100,
      reasons.reduce((sum, r) => sum + r.points, 0),
    ),
  );
  return { score, reasons, decision: decisionFor(score) };
}

/** A neutral input (a returning shopper, nothing unusual): tests and callers start from it. */
export const BASELINE_INPUT: FraudInput = {
  amountCents: 5_000,
  emailOrdersLastHour: 0,
  ipOrdersLastHour: null,
  history: { paidOrders: 0, averageCents: 0 },
  accountAgeMs: null,
  shippingCountry: "DE",
  requestCountry: null,
  recentDeclines: 0,
  tokenRisk: "normal",
};

export const FRAUD_WINDOWS = { velocityMs: HOUR, declinesMs: DAY } as const;
