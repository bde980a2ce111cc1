import { describe, expect, it } from "vitest";
import {
  addMonths,
  afterCancel,
  afterPaymentCaptured,
  afterPaymentDeclined,
  type BillingSubscription,
  DAY_MS,
  daysInMonth,
  dueReason,
  dueSubscriptions,
  isLeapYear,
  MAX_PAYMENT_ATTEMPTS,
  monthsBetween,
  nextBillingAt,
  nextPeriod,
  periodAt,
  periodInvoice,
  type SubscriptionStatus,
  startOfUtcDay,
} from "../src/domain/billing";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

const STATUSES: SubscriptionStatus[] = ["active", "past_due", "cancelled"];

/** A subscription started at `anchor`, in its first period, never tried since. */
function sub(anchor: string, over: Partial<BillingSubscription> = {}): BillingSubscription {
  const first = periodAt(at(anchor), 0);
  return {
    status: "active",
    anchor: at(anchor),
    currentPeriodStart: first.start,
    currentPeriodEnd: first.end,
    failedPayments: 0,
    lastAttemptAt: at(anchor),
    ...over,
  };
}

describe("billing periods", () => {
  it("knows the leap years of the Gregorian calendar", () => {
    expect([2023, 2024, 1900, 2000, 2100].map(isLeapYear)).toEqual([false, true, false, true, false]);
    expect(daysInMonth(2024, 1)).toBe(29);
    expect(daysInMonth(2025, 1)).toBe(28);
    expect(daysInMonth(2025, 3)).toBe(30);
    expect(daysInMonth(2025, 11)).toBe(31);
  });

  it("moves a date on by whole months keeping the day and the time of day", () => {
    expect(iso(addMonths(at("2025-03-15T10:20:30.456Z"), 1))).toBe("2025-04-15T10:20:30.456Z");
    expect(iso(addMonths(at("2025-11-15T06:00:00.000Z"), 2))).toBe("2026-01-15T06:00:00.000Z");
    expect(iso(addMonths(at("2025-03-15T06:00:00.000Z"), 0))).toBe("2025-03-15T06:00:00.000Z");
    expect(iso(addMonths(at("2025-03-15T06:00:00.000Z"), 24))).toBe("2027-03-15T06:00:00.000Z");
  });

  it("clamps the day to the last day of a shorter month", () => {
    expect(iso(addMonths(at("2025-01-31T09:00:00Z"), 1))).toBe("2025-02-28T09:00:00.000Z");
    expect(iso(addMonths(at("2025-03-31T09:00:00Z"), 1))).toBe("2025-04-30T09:00:00.000Z");
    expect(iso(addMonths(at("2025-01-30T09:00:00Z"), 1))).toBe("2025-02-28T09:00:00.000Z");
  });

  it("gives 29 February in a leap year and 28 February otherwise", () => {
    expect(iso(addMonths(at("2024-01-31T09:00:00Z"), 1))).toBe("2024-02-29T09:00:00.000Z");
    expect(iso(addMonths(at("2024-01-29T09:00:00Z"), 1))).toBe("2024-02-29T09:00:00.000Z");
    expect(iso(addMonths(at("2100-01-31T09:00:00Z"), 1))).toBe("2100-02-28T09:00:00.000Z");
    expect(iso(addMonths(at("2000-01-31T09:00:00Z"), 1))).toBe("2000-02-29T09:00:00.000Z");
  });

  it("starts on 29 February and bills on the 28th in common years, the 29th in leap years", () => {
    const anchor = at("2024-02-29T12:00:00Z");
    expect(iso(addMonths(anchor, 12))).toBe("2025-02-28T12:00:00.000Z");
    expect(iso(addMonths(anchor, 48))).toBe("2028-02-29T12:00:00.000Z");
    expect(iso(addMonths(anchor, 1))).toBe("2024-03-29T12:00:00.000Z");
  });

  it("keeps the anchor day after a short month: Jan 31 → Feb 28/29 → Mar 31 → Apr 30 → May 31", () => {
    for (const [year, feb] of [
      [2025, "28"],
      [2024, "29"],
    ] as const) {
      const anchor = at(`${year}-01-31T06:00:00Z`);
      const ends: string[] = [];
      let end = periodAt(anchor, 0).end;
      for (let i = 0; i < 4; i++) {
        ends.push(iso(end).slice(0, 10));
        end = nextPeriod(anchor, end).end;
      }
      expect(ends).toEqual([`${year}-02-${feb}`, `${year}-03-31`, `${year}-04-30`, `${year}-05-31`]);
    }
  });

  it("chains periods without gaps or overlaps, each starting where the one before ended", () => {
    const anchor = at("2023-08-31T23:59:59.999Z");
    let period = periodAt(anchor, 0);
    for (let i = 1; i <= 30; i++) {
      const next = nextPeriod(anchor, period.end);
      expect(next.start).toBe(period.end);
      expect(next).toEqual(periodAt(anchor, i));
      expect(next.end).toBeGreaterThan(next.start);
      period = next;
    }
    expect(iso(period.end)).toBe("2026-03-31T23:59:59.999Z");
  });

  it("counts whole calendar months between two dates", () => {
    expect(monthsBetween(at("2025-01-31T00:00:00Z"), at("2025-02-28T00:00:00Z"))).toBe(1);
    expect(monthsBetween(at("2025-11-30T00:00:00Z"), at("2026-02-28T00:00:00Z"))).toBe(3);
    expect(monthsBetween(at("2025-05-01T00:00:00Z"), at("2025-05-31T00:00:00Z"))).toBe(0);
  });
});

describe("due subscriptions", () => {
  const s = sub("2025-01-31T06:00:00Z");
  const end = s.currentPeriodEnd;

  it("is not due before the paid period ends", () => {
    expect(dueReason(s, end - 1)).toBeNull();
  });

  it("is due from the moment the paid period ends", () => {
    expect(dueReason(s, end)).toBe("period_ended");
    expect(dueReason(s, end + 10 * DAY_MS)).toBe("period_ended");
  });

  it("is retried while past due, once the day of the last attempt is over", () => {
    const pastDue = { ...s, status: "past_due" as const, failedPayments: 1, lastAttemptAt: end };
    expect(dueReason(pastDue, end + 60_000)).toBeNull();
    expect(dueReason(pastDue, startOfUtcDay(end) + DAY_MS - 1)).toBeNull();
    expect(dueReason(pastDue, startOfUtcDay(end) + DAY_MS)).toBe("retry");
  });

  it("is never due once cancelled", () => {
    const cancelled = { ...s, status: "cancelled" as const, lastAttemptAt: null };
    expect(dueReason(cancelled, end + 100 * DAY_MS)).toBeNull();
  });

  it("is charged at most once a UTC day, so a second run on the same day finds nothing", () => {
    const triedToday = { ...s, lastAttemptAt: end + 1_000 };
    expect(dueReason(triedToday, end + 2_000)).toBeNull();
    expect(dueReason({ ...s, lastAttemptAt: null }, end)).toBe("period_ended");
  });

  it("walks every status: only active and past-due subscriptions whose period ended are due", () => {
    const now = end + DAY_MS;
    const expected: Record<SubscriptionStatus, string | null> = {
      active: "period_ended",
      past_due: "retry",
      paused: null,
      cancelled: null,
    };
    for (const status of STATUSES) {
      expect(dueReason({ ...s, status }, now), status).toBe(expected[status]);
      expect(dueReason({ ...s, status }, end - 1), `${status} before the end`).toBeNull();
    }
  });

  it("selects the due ones from a list, keeping their order", () => {
    const now = end + DAY_MS;
    const list = [
      { ...s, id: "a" },
      { ...s, id: "b", status: "cancelled" as const },
      { ...s, id: "c", currentPeriodEnd: now + 1 },
      { ...s, id: "d", status: "past_due" as const },
      { ...s, id: "e", lastAttemptAt: now },
    ];
    expect(dueSubscriptions(list, now).map((x) => x.id)).toEqual(["a", "d"]);
  });

  it("plans the next charge at the end of the period only while active", () => {
    expect(nextBillingAt({ status: "active", currentPeriodEnd: end })).toBe(end);
    expect(nextBillingAt({ status: "past_due", currentPeriodEnd: end })).toBeNull();
    expect(nextBillingAt({ status: "cancelled", currentPeriodEnd: end })).toBeNull();
  });
});

describe("period invoices", () => {
  const period = periodAt(at("2025-01-31T06:00:00Z"), 1);

  it("bills the plan's price as one line with tax by the orders' rule and no shipping", () => {
    const invoice = periodInvoice({ name: "Bracelet of the Month", priceCents: 2_900, currency: "EUR" }, period, 2000);
    expect(invoice).toEqual({
      lines: [
        {
          description: "Bracelet of the Month, 2025-02-28 to 2025-03-31",
          qty: 1,
          unitPriceCents: 2_900,
          lineTotalCents: 2_900,
        },
      ],
      subtotalCents: 2_900,
      shippingCents: 0,
      taxCents: 580,
      totalCents: 3_480,
      currency: "EUR",
      periodStart: period.start,
      periodEnd: period.end,
    });
  });

  it("rounds tax half up to a whole cent, like orders", () => {
    const plan = (priceCents: number) => ({ name: "Box", priceCents, currency: "EUR" });
    expect(periodInvoice(plan(1_999), period, 2000).taxCents).toBe(400); // 399.8
    expect(periodInvoice(plan(2_501), period, 1000).taxCents).toBe(250); // 250.1
    expect(periodInvoice(plan(25), period, 1000).taxCents).toBe(3); // 2.5
    expect(periodInvoice(plan(1_000), period, 0)).toMatchObject({ taxCents: 0, totalCents: 1_000 });
  });
});

describe("payment outcomes", () => {
  const s = sub("2024-01-31T06:00:00Z");
  const now = s.currentPeriodEnd + 3_600_000;

  it("advances to the next period, active with no failures, when the charge is captured", () => {
    for (const status of ["active", "past_due"] as const) {
      const change = afterPaymentCaptured({ ...s, status, failedPayments: status === "past_due" ? 2 : 0 });
      expect(change).toEqual({
        status: "active",
        currentPeriodStart: at("2024-02-29T06:00:00Z"),
        currentPeriodEnd: at("2024-03-31T06:00:00Z"),
        failedPayments: 0,
        cancelledAt: null,
        invoice: "paid",
      });
    }
  });

  it("goes past due, keeping the period and the open invoice, when a charge is declined", () => {
    expect(afterPaymentDeclined(s, now)).toEqual({
      status: "past_due",
      currentPeriodStart: s.currentPeriodStart,
      currentPeriodEnd: s.currentPeriodEnd,
      failedPayments: 1,
      cancelledAt: null,
      invoice: "open",
    });
  });

  it("cancels and voids the invoice on the third declined charge of a period, not before", () => {
    expect(MAX_PAYMENT_ATTEMPTS).toBe(3);
    const outcomes = [0, 1, 2].map((failed) =>
      afterPaymentDeclined({ ...s, status: failed ? "past_due" : "active", failedPayments: failed }, now),
    );
    expect(outcomes.map((o) => [o.status, o.failedPayments, o.invoice])).toEqual([
      ["past_due", 1, "open"],
      ["past_due", 2, "open"],
      ["cancelled", 3, "void"],
    ]);
    expect(outcomes[2]?.cancelledAt).toBe(now);
  });

  it("lets a customer cancel an active or past-due subscription, running to the end of the paid period", () => {
    for (const status of ["active", "past_due"] as const) {
      expect(afterCancel({ ...s, status }, now), status).toEqual({
        status: "cancelled",
        currentPeriodStart: s.currentPeriodStart,
        currentPeriodEnd: s.currentPeriodEnd,
        failedPayments: 0,
        cancelledAt: now,
        invoice: "void",
      });
    }
  });

  it("changes nothing when cancelling a cancelled subscription", () => {
    expect(afterCancel({ ...s, status: "cancelled" }, now)).toBeNull();
  });
});
