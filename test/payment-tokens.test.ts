import { describe, expect, it } from "vitest";
import {
  authorizationFor,
  luhnValid,
  resolvePaymentMethod,
  TEST_TOKENS,
  tokenRisk,
} from "../src/domain/payment-tokens";

describe("payment tokens", () => {
  it("maps each published test card to its token and labels it by its last four digits", () => {
    for (const [token, spec] of Object.entries(TEST_TOKENS)) {
      expect(resolvePaymentMethod(spec.card)).toEqual({ ok: true, token, label: `card ending ${spec.card.slice(-4)}` });
    }
  });

  it("accepts card numbers written with spaces", () => {
    expect(resolvePaymentMethod(" 4242 4242 4242 4242 ")).toEqual({
      ok: true,
      token: "tok_visa",
      label: "card ending 4242",
    });
  });

  it("treats an unknown Luhn-valid card like tok_visa", () => {
    expect(luhnValid("5555555555554444")).toBe(true);
    expect(resolvePaymentMethod("5555555555554444")).toMatchObject({ ok: true, token: "tok_visa" });
  });

  it("refuses a card number that fails the Luhn check", () => {
    expect(resolvePaymentMethod("4242424242424241")).toMatchObject({ ok: false, reason: "luhn" });
  });

  it("refuses something that is neither a token nor a card number", () => {
    for (const bad of ["", "visa", "tok_", "tok_with space", "12345", "4242-4242-4242-4242", "4".repeat(20)]) {
      expect(resolvePaymentMethod(bad)).toMatchObject({ ok: false, reason: "malformed" });
    }
  });

  it("passes tokens through unchanged, known or not", () => {
    expect(resolvePaymentMethod("tok_visa")).toEqual({ ok: true, token: "tok_visa", label: "tok_visa" });
    expect(resolvePaymentMethod("tok_unknown")).toEqual({ ok: true, token: "tok_unknown", label: "tok_unknown" });
  });

  it("authorizes the success and risk tokens and declines the declined token and unknown ones", () => {
    expect(authorizationFor("tok_visa")).toEqual({ status: "authorized" });
    expect(authorizationFor("tok_riskLevelElevated")).toEqual({ status: "authorized" });
    expect(authorizationFor("tok_riskLevelHighest")).toEqual({ status: "authorized" });
    expect(authorizationFor("tok_chargeDeclined")).toEqual({ status: "declined", declineCode: "card_declined" });
    expect(authorizationFor("tok_nope")).toEqual({ status: "declined", declineCode: "invalid_token" });
  });

  it("tells the fraud rules the risk level of each token", () => {
    expect(tokenRisk("tok_visa")).toBe("normal");
    expect(tokenRisk("tok_riskLevelElevated")).toBe("elevated");
    expect(tokenRisk("tok_riskLevelHighest")).toBe("highest");
    expect(tokenRisk("tok_nope")).toBe("normal");
  });

  it("computes the Luhn check on the published numbers", () => {
    expect(luhnValid("4242424242424242")).toBe(true);
    expect(luhnValid("4000000000000002")).toBe(true);
    expect(luhnValid("4000000000009235")).toBe(true);
    expect(luhnValid("4100000000000019")).toBe(true);
    expect(luhnValid("4100000000000018")).toBe(false);
    expect(luhnValid("abc")).toBe(false);
  });
});
