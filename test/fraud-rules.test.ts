import { describe, expect, it } from "vitest";
import { assessFraud, BASELINE_INPUT, decisionFor, FRAUD_RULES, type FraudInput } from "../src/domain/fraud";

const score = (patch: Partial<FraudInput>) => assessFraud({ ...BASELINE_INPUT, ...patch });
const codes = (patch: Partial<FraudInput>) => score(patch).reasons.map((r) => r.code);

describe("fraud rules", () => {
  it("passes an unremarkable payment with a score of 0 and no reasons", () => {
    expect(assessFraud(BASELINE_INPUT)).toEqual({ score: 0, reasons: [], decision: "pass" });
  });

  it("decides pass below 30, review from 30 to 70 and reject above 70", () => {
    expect([0, 29, 30, 70, 71, 100].map(decisionFor)).toEqual(["pass", "pass", "review", "review", "reject", "reject"]);
  });

  it("has a test for every rule in the table", () => {
    expect(FRAUD_RULES.map((r) => r.code)).toEqual([
      "email_velocity",
      "ip_velocity",
      "amount_vs_history",
      "new_account_high_value",
      "country_mismatch",
      "repeated_declines",
      "token_risk",
    ]);
  });

  it("scores velocity per email in tiers", () => {
    expect(score({ emailOrdersLastHour: 2 }).score).toBe(0);
    expect(score({ emailOrdersLastHour: 3 }).score).toBe(15);
    expect(score({ emailOrdersLastHour: 5 }).score).toBe(35);
    expect(score({ emailOrdersLastHour: 10 }).score).toBe(60);
    expect(codes({ emailOrdersLastHour: 3 })).toEqual(["email_velocity"]);
  });

  it("scores velocity per IP only when it is counted", () => {
    expect(score({ ipOrdersLastHour: null }).score).toBe(0);
    expect(score({ ipOrdersLastHour: 9 }).score).toBe(0);
    expect(score({ ipOrdersLastHour: 10 }).score).toBe(15);
    expect(score({ ipOrdersLastHour: 25 }).score).toBe(35);
    expect(score({ ipOrdersLastHour: 50 }).score).toBe(60);
  });

  it("approves many distinct shoppers from one address when IP velocity is off", () => {
    expect(score({ ipOrdersLastHour: null, emailOrdersLastHour: 0 }).decision).toBe("pass");
  });

  it("scores an amount far above the shopper's history", () => {
    const history = { paidOrders: 3, averageCents: 4_000 };
    expect(score({ history, amountCents: 19_999 }).score).toBe(0); // below the floor
    expect(score({ history, amountCents: 20_000 }).score).toBe(0); // exactly 5×
    expect(score({ history, amountCents: 20_001 }).score).toBe(20);
    expect(score({ history, amountCents: 40_001 }).score).toBe(30);
    expect(codes({ history, amountCents: 40_001 })).toEqual(["amount_vs_history"]);
  });

  it("scores a first order of a high value", () => {
    expect(score({ amountCents: 99_999 }).score).toBe(0);
    expect(score({ amountCents: 100_000 }).score).toBe(15);
  });

  it("scores a new account paying a high value", () => {
    const history = { paidOrders: 1, averageCents: 60_000 };
    expect(score({ history, accountAgeMs: 60_000, amountCents: 50_000 }).score).toBe(25);
    expect(score({ history, accountAgeMs: 60_000, amountCents: 49_999 }).score).toBe(0);
    expect(score({ history, accountAgeMs: 25 * 3600_000, amountCents: 50_000 }).score).toBe(0);
    expect(score({ history, accountAgeMs: null, amountCents: 50_000 }).score).toBe(0);
  });

  it("scores a request country that differs from the shipping country, only when known", () => {
    expect(score({ requestCountry: "FR", shippingCountry: "DE" }).score).toBe(15);
    expect(score({ requestCountry: "DE", shippingCountry: "DE" }).score).toBe(0);
    expect(score({ requestCountry: null }).score).toBe(0);
  });

  it("scores repeated declines but not a single one", () => {
    expect(score({ recentDeclines: 1 }).score).toBe(0);
    expect(score({ recentDeclines: 2 }).score).toBe(20);
    expect(score({ recentDeclines: 4 }).score).toBe(40);
  });

  it("puts the elevated test token in the review band and the highest above 70", () => {
    expect(score({ tokenRisk: "elevated" })).toMatchObject({ score: 45, decision: "review" });
    expect(score({ tokenRisk: "highest" })).toMatchObject({ score: 90, decision: "reject" });
  });

  it("adds rules up and clamps the score at 100", () => {
    const result = score({ tokenRisk: "highest", recentDeclines: 4, emailOrdersLastHour: 10 });
    expect(result.score).toBe(100);
    expect(result.decision).toBe("reject");
    expect(result.reasons.map((r) => r.code)).toEqual(["email_velocity", "repeated_declines", "token_risk"]);
    expect(score({ recentDeclines: 2, requestCountry: "FR" })).toMatchObject({ score: 35, decision: "review" });
  });
});
