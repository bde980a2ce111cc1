/**
 * What the shopper is told about their order, as opposed to what staff see. The timeline the order keeps is the
 * staff's record: it names risk scores, the fraud check, private review notes ("Rejected after review: Address
 * mismatch"). The owner's view, the owner's live socket and every shopper message are projected through here.
 *
 * The rule is an allow-list: a note passes to the shopper only when it matches a form known to carry nothing
 * staff-only (or is rewritten into shopper wording); any other note is replaced by the wording of the entry's
 * state. A new staff note added elsewhere therefore stays with staff until someone words it for shoppers here.
 * Pure: called by the OrderFlow object, the order view and the notification templates.
 */

import { formatMoney } from "./message-layout";
import { type OrderMessage, type OrderStatus, orderMessage, type TimelineEntry } from "./order-machine";

const RELEASED = "Any hold on your card has been released.";

/** One sentence per state, used when a note is not one a shopper may read. */
export const SHOPPER_STATE_WORDING: Record<OrderStatus, string> = {
  pending: "We're reserving your bracelets",
  reserved: "Your bracelets are reserved",
  payment_pending: "We're confirming your payment",
  payment_failed: "Your payment didn't go through",
  on_hold: "We're checking your order. We'll e-mail you as soon as we're done",
  confirmed: "Your order is confirmed",
  shipped: "Your order is on its way",
  delivered: "Your order was delivered",
  cancelled: "This order was cancelled",
};

/** An amount as the object writes it: `€12.50` or `12.50 EUR`. */
const AMOUNT = "[^\\s()]{1,20}(?: [A-Z]{3})?";

/** `keep` passes the note as it is; a string replaces it. First match wins; no match → the state's wording. */
const NOTE_RULES: readonly { match: RegExp; say: "keep" | string }[] = [
  { match: /^Order placed; stock reserved$/, say: "keep" },
  // The shopper's own card ("card ending 4242"): theirs to see.
  { match: /^Payment \d+ started \([^()]{1,80}\)$/, say: "keep" },
  { match: /^Payment authorized and checks passed$/, say: "Payment accepted" },
  { match: /^Payment declined\b/, say: "Your card was declined" },
  { match: /^Payment timed out; reservation expired$/, say: "keep" },
  { match: /^Payment timed out$/, say: "keep" },
  { match: /^Held for review\b/, say: SHOPPER_STATE_WORDING.on_hold },
  { match: /^Approved after review\b/, say: "We've checked your order and it's confirmed" },
  { match: /^Rejected after review\b/, say: `We couldn't accept this order. ${RELEASED}` },
  { match: /^Cancelled: payment refused by the fraud check\b/, say: `We couldn't accept this order. ${RELEASED}` },
  { match: /^Review window expired$/, say: `We couldn't accept this order. ${RELEASED}` },
  { match: /^Cancelled: the reserved stock was no longer available$/, say: "keep" },
  { match: /^Cancelled by the customer$/, say: "You cancelled this order" },
  { match: /^Cancelled by staff$/, say: "The shop cancelled this order" },
  { match: /^Reservation expired$/, say: "keep" },
  { match: /^Shipped, tracking [A-Za-z0-9 ._/-]{1,64}$/, say: "keep" },
  { match: /^Delivered$/, say: "keep" },
  { match: /^Amended$/, say: "keep" },
  // Amounts the shopper gets back are theirs to know.
  { match: new RegExp(`^Amended; ${AMOUNT} refunded$`), say: "keep" },
  { match: /^Refunded in full$/, say: "keep" },
  { match: new RegExp(`^Refunded ${AMOUNT}$`), say: "keep" },
  // A partial refund's generated note (src/domain/refunds.ts refundNote): lines and whether stock went back.
  { match: new RegExp(`^Refunded ${AMOUNT} \\([^()]{1,400}\\)$`), say: "keep" },
];

/** The note a shopper reads for `entry` (undefined when the entry has none and its state says enough). */
export function shopperNote(entry: Pick<TimelineEntry, "status" | "note">): string | undefined {
  if (entry.note === undefined) return undefined;
  const rule = NOTE_RULES.find((r) => r.match.test(entry.note ?? ""));
  if (!rule) return SHOPPER_STATE_WORDING[entry.status];
  return rule.say === "keep" ? entry.note : rule.say;
}

/** A timeline entry as the shopper sees it. */
export function shopperEntry(entry: TimelineEntry): TimelineEntry {
  const { note: _staffNote, ...rest } = entry;
  const note = shopperNote(entry);
  return note === undefined ? rest : { ...rest, note };
}

export function shopperTimeline(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return entries.map(shopperEntry);
}

/** The live socket's message about `entry` for a viewer: the owner's in shopper wording, staff's as recorded. */
export function orderMessageFor(entry: TimelineEntry, viewer: "owner" | "staff"): OrderMessage {
  return orderMessage(viewer === "staff" ? entry : shopperEntry(entry));
}

/**
 * Why an order was cancelled, told to its shopper (OrderCancelled.reason is the staff's code: `fraud`,
 * `rejected_after_review`…). Unknown reasons get the plain sentence: a new code never leaks to shoppers.
 */
export function shopperCancelReason(reason: string): string {
  switch (reason) {
    case "cancelled_by_customer":
      return "You cancelled this order.";
    case "cancelled_by_staff":
      return "The shop cancelled this order. Reply to this message if you have questions.";
    case "fraud":
    case "rejected_after_review":
    case "review_expired":
      return `We couldn't accept this order. ${RELEASED}`;
    case "stock_unavailable":
      return "The bracelets you reserved were no longer available.";
    case "expired":
      return "The reservation ran out before the order was paid.";
    case "payment_timeout":
      return "We didn't receive a payment in time, so the reservation ended.";
    case "refunded":
      return "We refunded the order in full.";
    default:
      return "This order was cancelled.";
  }
}

/** Money for shoppers: `€12.50`, formatted by the platform (Intl), never `12.50 EUR`. */
export function shopperMoney(cents: number, currency: string): string {
  return formatMoney(cents, currency);
}

/**
 * The order's payment in words, as what happened to the attempt: "Paid with" only when money was taken.
 * `refundedCents` is the order's (refunds of a captured payment).
 */
export function paymentLine(
  p: { status: string; method: string; amountCents: number },
  refundedCents: number,
  currency: string,
): string {
  const amount = shopperMoney(p.amountCents, currency);
  switch (p.status) {
    case "pending":
      return `Payment of ${amount} with ${p.method} in progress`;
    case "authorized":
      return `${amount} authorized on ${p.method}; not taken yet`;
    case "declined":
      return `${capitalize(p.method)} was declined; nothing was taken`;
    case "voided":
      return `The hold of ${amount} on ${p.method} was released; nothing was taken`;
    case "refunded":
      return `Paid ${amount} with ${p.method}; refunded in full`;
    case "captured":
      return refundedCents > 0
        ? `Paid ${amount} with ${p.method}; ${shopperMoney(Math.min(refundedCents, p.amountCents), currency)} refunded`
        : `Paid ${amount} with ${p.method}`;
    default:
      return `Payment with ${p.method}`;
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const PLURAL = new Intl.PluralRules("en");

/** "1 bracelet", "3 bracelets" (Intl.PluralRules, so another language only needs its own forms). */
export function bracelets(n: number): string {
  return `${n} ${PLURAL.select(n) === "one" ? "bracelet" : "bracelets"}`;
}
