/**
 * The gateway event ids (payment webhooks) an order has taken, so that a redelivery is answered as one
 * (`duplicate: true`) by the order's own object instead of a D1 record per webhook. An order sees a handful of
 * webhooks (an authorization or decline per attempt, a capture or void, its refunds), so the list is short; it
 * is bounded all the same, because every event id the gateway signs for the order lands here.
 *
 * Forgetting an old id is safe: the order applies each outcome once whatever the event id
 * (`applyPaymentOutcome`), so a redelivery of a forgotten id changes nothing and is only answered
 * `duplicate: false`.
 */

/** The most event ids one order keeps (ids are at most 255 characters: a few KiB at worst). */
export const MAX_GATEWAY_EVENT_IDS = 32;

/** `ids` with `id` added as the newest, the oldest dropped beyond the bound; the same list when `id` is in it. */
export function rememberGatewayEvent(ids: readonly string[], id: string): readonly string[] {
  if (ids.includes(id)) return ids;
  const next = [...ids, id];
  return next.length > MAX_GATEWAY_EVENT_IDS ? next.slice(next.length - MAX_GATEWAY_EVENT_IDS) : next;
}
