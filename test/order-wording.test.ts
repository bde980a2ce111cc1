import { describe, expect, it } from "vitest";
import { ORDER_STATUSES, type TimelineEntry } from "../src/domain/order-machine";
import {
  paymentLine,
  SHOPPER_STATE_WORDING,
  shopperCancelReason,
  shopperEntry,
  shopperNote,
  shopperTimeline,
} from "../src/domain/order-wording";

/** Words that are staff-only facts: scores, rules, the review, reason codes. */
const STAFF_ONLY = /risk|score|fraud|review note|mismatch|velocity|rule|rejected|cus_|staff_/i;

describe("shopperNote", () => {
  it.each([
    ["on_hold", "Held for review (risk score 45)", "We're checking your order. We'll e-mail you as soon as we're done"],
    [
      "cancelled",
      "Cancelled: payment refused by the fraud check (risk score 90)",
      "We couldn't accept this order. Any hold on your card has been released.",
    ],
    [
      "cancelled",
      "Rejected after review: Address mismatch",
      "We couldn't accept this order. Any hold on your card has been released.",
    ],
    ["confirmed", "Approved after review: Called the customer", "We've checked your order and it's confirmed"],
    ["confirmed", "Payment authorized and checks passed", "Payment accepted"],
    ["payment_failed", "Payment declined (card_declined)", "Your card was declined"],
    ["cancelled", "Cancelled by staff", "The shop cancelled this order"],
    ["cancelled", "Cancelled by the customer", "You cancelled this order"],
    ["cancelled", "Review window expired", "We couldn't accept this order. Any hold on your card has been released."],
  ] as const)("rewords a %s note %j for the shopper", (status, note, said) => {
    expect(shopperNote({ status, note })).toBe(said);
  });

  it.each([
    ["reserved", "Order placed; stock reserved"],
    ["payment_pending", "Payment 2 started (card ending 4242)"],
    ["shipped", "Shipped, tracking TRACK-1"],
    ["delivered", "Delivered"],
    ["confirmed", "Amended; €10.00 refunded"],
    ["confirmed", "Refunded €12.50"],
    ["confirmed", "Refunded 12.50 EUR"],
    ["confirmed", "Amended; 10.00 EUR refunded"],
    ["shipped", "Refunded 30.00 EUR (1 × Amber Glow; back in stock)"],
    ["cancelled", "Refunded in full"],
    ["cancelled", "Reservation expired"],
    ["cancelled", "Cancelled: the reserved stock was no longer available"],
    ["reserved", "Payment timed out"],
  ] as const)("keeps a %s note %j that carries nothing staff-only", (status, note) => {
    expect(shopperNote({ status, note })).toBe(note);
  });

  it("replaces any note it does not know by the wording of the state, for every state", () => {
    for (const status of ORDER_STATUSES) {
      const said = shopperNote({ status, note: "Staff: customer cus_123 flagged by rule ip_velocity, score 80" });
      expect(said).toBe(SHOPPER_STATE_WORDING[status]);
      expect(said).not.toMatch(STAFF_ONLY);
    }
  });

  it("does not let a staff note ride along after a known prefix", () => {
    expect(shopperNote({ status: "shipped", note: "Shipped, tracking X (risk score 45)" })).toBe(
      SHOPPER_STATE_WORDING.shipped,
    );
    expect(shopperNote({ status: "confirmed", note: "Refunded €5.00 because of fraud" })).toBe(
      SHOPPER_STATE_WORDING.confirmed,
    );
  });

  it("leaves an entry without a note without one", () => {
    const entry: TimelineEntry = { version: 1, status: "reserved", at: 5 };
    expect(shopperEntry(entry)).toEqual(entry);
    expect(shopperNote(entry)).toBeUndefined();
  });
});

describe("shopperTimeline", () => {
  it("keeps versions, states and times and only rewords notes", () => {
    const staff: TimelineEntry[] = [
      { version: 1, status: "reserved", at: 1, note: "Order placed; stock reserved" },
      { version: 2, status: "payment_pending", at: 2, note: "Payment 1 started (card ending 0341)" },
      { version: 3, status: "on_hold", at: 3, note: "Held for review (risk score 45)" },
      { version: 4, status: "cancelled", at: 4, note: "Rejected after review: Address mismatch" },
    ];
    const shopper = shopperTimeline(staff);
    expect(shopper.map(({ version, status, at }) => ({ version, status, at }))).toEqual(
      staff.map(({ version, status, at }) => ({ version, status, at })),
    );
    expect(JSON.stringify(shopper)).not.toMatch(STAFF_ONLY);
  });
});

describe("shopperCancelReason", () => {
  it.each([
    "fraud",
    "rejected_after_review",
    "review_expired",
    "cancelled_by_staff",
    "cancelled_by_customer",
    "stock_unavailable",
    "expired",
    "payment_timeout",
    "refunded",
    "some_new_code",
  ])("words %s as a sentence without staff-only facts or the code itself", (reason) => {
    const said = shopperCancelReason(reason);
    expect(said).toMatch(/\.$/);
    expect(said).not.toMatch(STAFF_ONLY);
    if (reason.includes("_")) expect(said).not.toContain(reason);
  });
});

describe("paymentLine", () => {
  const card = { method: "card ending 4242", amountCents: 10_674 };
  it.each([
    ["pending", 0, "Payment of €106.74 with card ending 4242 in progress"],
    ["authorized", 0, "€106.74 authorized on card ending 4242; not taken yet"],
    ["declined", 0, "Card ending 4242 was declined; nothing was taken"],
    ["voided", 0, "The hold of €106.74 on card ending 4242 was released; nothing was taken"],
    ["captured", 0, "Paid €106.74 with card ending 4242"],
    ["captured", 5_040, "Paid €106.74 with card ending 4242; €50.40 refunded"],
    ["refunded", 10_674, "Paid €106.74 with card ending 4242; refunded in full"],
  ] as const)("says what happened to a %s payment (refunded %i)", (status, refunded, said) => {
    expect(paymentLine({ ...card, status }, refunded, "EUR")).toBe(said);
  });

  it("says 'Paid with' only when money was taken", () => {
    for (const status of ["pending", "authorized", "declined", "voided"]) {
      expect(paymentLine({ ...card, status }, 0, "EUR")).not.toMatch(/^Paid/);
    }
  });
});
