/**
 * What a shopper is told about the shop's internal decisions. Staff-only facts (fraud scores, rules, review
 * notes, which staff member acted) never reach a shopper: every shopper-facing message asks here for its words.
 * (The `trust` work adds a fuller version of this; until the merge this is the one place.)
 */
const CANCELLATION: Record<string, string> = {
  cancelled_by_customer: "You cancelled this order.",
  expired: "The payment was not completed in time, so the reservation ended.",
  payment_timeout: "We could not confirm your payment in time.",
  stock_unavailable: "Some items sold out before we could reserve them.",
  refunded: "The order was refunded in full.",
};

/** One sentence on why an order was cancelled, safe to show its owner. */
export function cancellationForShopper(reason: string): string {
  return CANCELLATION[reason] ?? "We were unable to complete this order.";
}
