// Pure helpers behind the account pages and the console's product editor.
import { describe, expect, it } from "vitest";
import { routeOf, safeNext } from "../web/src/account/router";
import { ApiFailure } from "../web/src/lib/api";
import { describeFailure } from "../web/src/lib/form";
import { centsToInput, parsePriceInput } from "../web/src/lib/money-input";

describe("price input", () => {
  it("turns decimals into integer minor units without float rounding", () => {
    expect(parsePriceInput("42.00")).toBe(4200);
    expect(parsePriceInput("42")).toBe(4200);
    expect(parsePriceInput("42.5")).toBe(4250);
    expect(parsePriceInput(" 0.29 ")).toBe(29);
    expect(parsePriceInput("1,234.56")).toBe(123456);
    expect(parsePriceInput("0.07")).toBe(7);
  });

  it("refuses anything that is not a plain amount with at most two decimals", () => {
    for (const text of ["", "abc", "42.001", "-3", "4,2", "42.", ".5", "1e3", "42,00"]) {
      expect(parsePriceInput(text), text).toBeNull();
    }
  });

  it("shows minor units as a two-decimal amount", () => {
    expect(centsToInput(4200)).toBe("42.00");
    expect(centsToInput(5)).toBe("0.05");
    expect(centsToInput(123456)).toBe("1234.56");
  });
});

describe("after sign-in destination", () => {
  it("follows a path on this site", () => {
    expect(safeNext("/admin/products")).toBe("/admin/products");
    expect(safeNext("/orders/ord_1?token=x")).toBe("/orders/ord_1?token=x");
  });

  it("never leaves the site or loops back to the sign-in pages", () => {
    for (const next of [
      null,
      "",
      "https://evil.example/",
      "//evil.example/",
      "/\\evil.example",
      "/\t/evil.example",
      "javascript:alert(1)",
      "/account/login?next=/admin",
      "/account/signup",
    ]) {
      expect(safeNext(next), String(next)).toBe("/account");
    }
  });

  it("knows the account app's routes", () => {
    expect(routeOf("/account")).toBe("home");
    expect(routeOf("/account/")).toBe("home");
    expect(routeOf("/account/login")).toBe("login");
    expect(routeOf("/account/signup")).toBe("signup");
    expect(routeOf("/account/other")).toBe("not-found");
  });

  it("opens the account page for the monthly boxes and one box's card form (the e-mails link there)", () => {
    expect(routeOf("/account/subscriptions")).toBe("home");
    expect(routeOf("/account/subscriptions/sub_1/card")).toBe("home");
    expect(routeOf("/account/subscriptions/sub_1")).toBe("not-found");
  });
});

describe("form errors from the API", () => {
  const fields = (path: string) => (["email", "city"].includes(path) ? path : undefined);

  it("puts validation details on the fields they name and summarises the rest", () => {
    const err = new ApiFailure(400, "validation_failed", "The request is not valid", [
      { path: "email", message: "Enter a valid email address" },
      { path: "(root)", message: "Send at least one field" },
    ]);
    expect(describeFailure(err, fields)).toEqual({
      fields: { email: "Enter a valid email address" },
      message: "Send at least one field",
    });
  });

  it("places a code on a field when asked (email_taken on the email field)", () => {
    const err = new ApiFailure(409, "email_taken", "An account with this email exists");
    expect(describeFailure(err, fields, { email_taken: { field: "email" } })).toEqual({
      fields: { email: "An account with this email exists" },
      message: "Please correct the marked fields.",
    });
  });

  it("tells a rate-limited person how long to wait", () => {
    const err = new ApiFailure(429, "rate_limited", "Too many attempts", undefined, 60);
    expect(describeFailure(err, fields).message).toBe("Too many attempts. Please wait 60 seconds and try again.");
  });

  it("keeps the server's message for other failures", () => {
    const err = new ApiFailure(401, "invalid_credentials", "The email or password is not right");
    expect(describeFailure(err, fields)).toEqual({ fields: {}, message: "The email or password is not right" });
  });
});
