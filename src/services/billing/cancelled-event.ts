import type { SubscriptionRow } from "../../db/subscriptions";
import { type EventEnvelope, makeEvent } from "../../domain/events";

/** The one UserSubscriptionCancelled a subscription ever has: its id is derived from the subscription's, so the
 * customer's cancel and the billing run's giving up, racing, log it once. */
export function cancelledEvent(row: SubscriptionRow, now: number): EventEnvelope<"UserSubscriptionCancelled"> {
  return makeEvent(
    "UserSubscriptionCancelled",
    `subscription:${row.id}`,
    { subscriptionId: row.id, customerId: row.customerId },
    { id: `evt_cancelled_${row.id}`, now },
  );
}
