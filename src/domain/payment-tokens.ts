/**
 * The test payment methods of DESIGN.md (Stripe's published test cards and tokens) and how a shopper's
 * payment method is turned into a gateway token at the edge. Pure: no bindings.
 *
 * Card numbers never travel further than the route that received them: `resolvePaymentMethod` maps a card to
 * its token and a label of the last four digits, and only those are stored or put in events.
 *
 * Decisions where DESIGN.md is silent:
 * - an unknown card number that passes the Luhn check behaves like `tok_visa` (a test gateway accepts any
 *   well-formed card, as Stripe's test mode does for numbers it has no special meaning for);
 * - a number that fails the Luhn check is refused at the edge (400 validation_failed);
 * - an unknown `tok_…` token is accepted at the edge and declined by the gateway with `invalid_token`.
 */

export type TokenRisk = "normal" | "elevated" | "highest";

export type TestToken = {
  /** The card number Stripe publishes for the same behaviour. */
  card: string;
  /** What the test gateway answers to an authorization. */
  outcome: "authorized" | "declined";
  declineCode?: string;
  /** What the token tells the fraud rules (Stripe's `risk_level`). */
  risk: TokenRisk;
};

/** Every token with a defined behaviour. Anything else starting `tok_` is declined with `invalid_token`. */
export const TEST_TOKENS = {
  tok_visa: { card: "4242424242424242", outcome: "authorized", risk: "normal" },
  tok_chargeDeclined: { card: "4000000000000002", outcome: "declined", declineCode: "card_declined", risk: "normal" },
  tok_riskLevelElevated: { card: "4000000000009235", outcome: "authorized", risk: "elevated" },
  tok_riskLevelHighest: { card: "4100000000000019", outcome: "authorized", risk: "highest" },
} as const satisfies Record<string, TestToken>;

export type KnownToken = keyof typeof TEST_TOKENS;

/** The token a Luhn-valid card number with no special meaning stands for. */
export const DEFAULT_CARD_TOKEN: KnownToken = "tok_visa";

const TOKEN_SHAPE = /^tok_[A-Za-z0-9_]{1,64}$/;
const CARD_SHAPE = /^[0-9]{12,19}$/;

export function isKnownToken(token: string): token is KnownToken {
  return Object.hasOwn(TEST_TOKENS, token);
}

/** The Luhn (mod 10) check every real card number passes. `digits` must be digits only. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export type ResolvedMethod =
  | { ok: true; token: string; label: string }
  | { ok: false; reason: "malformed" | "luhn"; message: string };

/**
 * Turns what the shopper sent (a `tok_…` token, or a card number with optional spaces) into the gateway token
 * and a display label. Card numbers are mapped here and forgotten.
 */
export function resolvePaymentMethod(input: string): ResolvedMethod {
  const value = input.trim();
  if (TOKEN_SHAPE.test(value)) return { ok: true, token: value, label: value };
  const digits = value.replaceAll(" ", "");
  if (!CARD_SHAPE.test(digits)) {
    return { ok: false, reason: "malformed", message: "Send a payment token (tok_…) or a card number" };
  }
  if (!luhnValid(digits)) return { ok: false, reason: "luhn", message: "That card number is not valid" };
  const known = (Object.keys(TEST_TOKENS) as KnownToken[]).find((t) => TEST_TOKENS[t].card === digits);
  return { ok: true, token: known ?? DEFAULT_CARD_TOKEN, label: `card ending ${digits.slice(-4)}` };
}

export type AuthorizationOutcome =
  | { status: "authorized" }
  | { status: "declined"; declineCode: "card_declined" | "invalid_token" };

/** What the test gateway answers when asked to authorize a payment with `token`. */
export function authorizationFor(token: string): AuthorizationOutcome {
  if (!isKnownToken(token)) return { status: "declined", declineCode: "invalid_token" };
  const spec: TestToken = TEST_TOKENS[token];
  return spec.outcome === "authorized"
    ? { status: "authorized" }
    : { status: "declined", declineCode: spec.declineCode === "card_declined" ? "card_declined" : "invalid_token" };
}

/** The risk level a token carries into the fraud rules (unknown tokens carry none). */
export function tokenRisk(token: string): TokenRisk {
  return isKnownToken(token) ? TEST_TOKENS[token].risk : "normal";
}
