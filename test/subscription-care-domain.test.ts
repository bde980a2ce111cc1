import { describe, expect, it } from "vitest";
import { addMonths, DAY_MS, dueReason, periodAt } from "../src/domain/billing";
import { assessFraud, BASELINE_INPUT } from "../src/domain/fraud";
import { REFUSED_DECLINE_CODE, renewalFraudInput, renewalGate } from "../src/domain/renewal-fraud";
import {
  type CareSubscription,
  DEFAULT_NOTICE_DAYS,
  endAfterCancel,
  noticeDue,
  noticeLeadMs,
  pendingSkip,
  skipNextMonth,
  undoSkip,
} from "../src/domain/subscription-care";

const at = (iso: string) => Date.parse(iso);

/** Started 31 January 2027, in its first period (next charge 28 February), no skip. */
function sub(over: Partial<CareSubscription> = {}): CareSubscription {
  const anchor = at("2027-01-31T10:00:00Z");
  return { status: "active", anchor, currentPeriodEnd: periodAt(anchor, 0).end, skippedFrom: null, ...over };
}

describe("skipping a month", () => {
  it("moves the next charge one month on from the anchor, keeping the day of month", () => {
    const s = sub();
    expect(s.currentPeriodEnd).toBe(at("2027-02-28T10:00:00Z"));
    const skipped = skipNextMonth(s, at("2027-02-10T00:00:00Z"));
    // Counted from the anchor: the 31st comes back, not 28 March.
    expect(skipped).toEqual({
      ok: true,
      currentPeriodEnd: at("2027-03-31T10:00:00Z"),
      skippedFrom: s.currentPeriodEnd,
    });
  });

  it("answers the same when asked again while the skip is pending", () => {
    const now = at("2027-02-10T00:00:00Z");
    const first = skipNextMonth(sub(), now);
    if (!first.ok) throw new Error("refused");
    expect(skipNextMonth(sub(first), now)).toEqual(first);
  });

  it("is refused unless active, and once the charge date has come", () => {
    const now = at("2027-02-10T00:00:00Z");
    for (const status of ["paused", "past_due", "cancelled"] as const) {
      expect(skipNextMonth(sub({ status }), now)).toEqual({ ok: false, reason: "invalid_state" });
    }
    expect(skipNextMonth(sub(), at("2027-02-28T10:00:00Z"))).toEqual({ ok: false, reason: "invalid_state" });
  });

  it("can be undone before the skipped month starts, not after", () => {
    const skipped = skipNextMonth(sub(), at("2027-02-10T00:00:00Z"));
    if (!skipped.ok) throw new Error("refused");
    const s = sub(skipped);
    expect(pendingSkip(s, at("2027-02-27T00:00:00Z"))).toBe(true);
    expect(undoSkip(s, at("2027-02-27T00:00:00Z"))).toEqual({
      ok: true,
      currentPeriodEnd: at("2027-02-28T10:00:00Z"),
      skippedFrom: null,
    });
    expect(undoSkip(s, at("2027-02-28T10:00:00Z"))).toEqual({ ok: false, reason: "invalid_state" });
    expect(undoSkip(sub(), at("2027-02-01T00:00:00Z"))).toEqual({ ok: false, reason: "invalid_state" });
  });

  it("a cancel before the skipped month ends the subscription at the end of what was paid", () => {
    const skipped = skipNextMonth(sub(), at("2027-02-10T00:00:00Z"));
    if (!skipped.ok) throw new Error("refused");
    const s = sub(skipped);
    expect(endAfterCancel(s, at("2027-02-11T00:00:00Z"))).toBe(at("2027-02-28T10:00:00Z"));
    expect(endAfterCancel(s, at("2027-03-05T00:00:00Z"))).toBe(at("2027-03-31T10:00:00Z"));
  });

  it("leaves the billing run nothing to charge on the skipped date", () => {
    const skipped = skipNextMonth(sub(), at("2027-02-10T00:00:00Z"));
    if (!skipped.ok) throw new Error("refused");
    const billing = {
      status: "active" as const,
      anchor: sub().anchor,
      currentPeriodStart: sub().anchor,
      currentPeriodEnd: skipped.currentPeriodEnd,
      failedPayments: 0,
      lastAttemptAt: null,
    };
    expect(dueReason(billing, at("2027-02-28T12:00:00Z"))).toBeNull();
    expect(dueReason(billing, at("2027-03-31T12:00:00Z"))).toBe("period_ended");
  });
});

describe("the renewal notice", () => {
  const lead = 3 * DAY_MS;
  const end = at("2027-02-28T10:00:00Z");
  const base = { status: "active" as const, currentPeriodEnd: end, noticeSentFor: null };

  it("is due from the lead time before the charge, once per charge date", () => {
    expect(noticeDue(base, end - lead - 1, lead)).toBe(false);
    expect(noticeDue(base, end - lead, lead)).toBe(true);
    expect(noticeDue(base, end + DAY_MS, lead)).toBe(true);
    expect(noticeDue({ ...base, noticeSentFor: end }, end - DAY_MS, lead)).toBe(false);
    expect(noticeDue({ ...base, noticeSentFor: addMonths(end, -1) }, end - DAY_MS, lead)).toBe(true);
  });

  it("is never due for a paused or cancelled subscription", () => {
    expect(noticeDue({ ...base, status: "paused" }, end, lead)).toBe(false);
    expect(noticeDue({ ...base, status: "cancelled" }, end, lead)).toBe(false);
  });

  it("reads SUBSCRIPTION_NOTICE_DAYS as whole days from 0 to 27, else the default", () => {
    expect(noticeLeadMs("5")).toBe(5 * DAY_MS);
    expect(noticeLeadMs("0")).toBe(0);
    for (const bad of [undefined, "", "-1", "2.5", "28", "soon"]) {
      expect(noticeLeadMs(bad)).toBe(DEFAULT_NOTICE_DAYS * DAY_MS);
    }
  });
});

describe("renewals through the fraud rules", () => {
  const facts = {
    amountCents: 3_600,
    history: { paidOrders: 0, averageCents: 0 },
    accountAgeMs: 40 * DAY_MS,
    shippingCountry: "FR",
    recentDeclines: 0,
    tokenRisk: "normal" as const,
  };

  it("ignores order velocity and the request country, which a renewal does not have", () => {
    const input = renewalFraudInput(facts);
    expect(input).toMatchObject({ emailOrdersLastHour: 0, ipOrdersLastHour: null, requestCountry: null });
    expect(assessFraud(input).decision).toBe("pass");
    expect(renewalFraudInput({ ...facts, shippingCountry: null }).shippingCountry).toBe("");
  });

  it("charges a pass, refuses a reject and holds a review with its staff-only facts", () => {
    const now = at("2027-02-28T12:00:00Z");
    expect(renewalGate(assessFraud(renewalFraudInput(facts)), 1, now)).toEqual({ action: "charge" });
    const highest = assessFraud(renewalFraudInput({ ...facts, tokenRisk: "highest" }));
    expect(renewalGate(highest, 1, now)).toEqual({ action: "refuse" });
    const elevated = assessFraud({ ...BASELINE_INPUT, ...renewalFraudInput({ ...facts, tokenRisk: "elevated" }) });
    expect(renewalGate(elevated, 7, now)).toEqual({
      action: "hold",
      review: { score: 45, reasons: elevated.reasons, heldAt: now, periodEnd: 7 },
    });
    expect(REFUSED_DECLINE_CODE).toBe("refused");
  });

  it("keeps a held subscription out of the billing run", () => {
    const billing = {
      status: "active" as const,
      anchor: 0,
      currentPeriodStart: 0,
      currentPeriodEnd: 10,
      failedPayments: 0,
      lastAttemptAt: null,
    };
    expect(dueReason(billing, DAY_MS)).toBe("period_ended");
    expect(dueReason({ ...billing, held: true }, DAY_MS)).toBeNull();
  });
});
