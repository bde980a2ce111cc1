/** The payment webhooks already received (`webhook_events`): a redelivered event id is answered as such. */
import type { Db } from "./client";
import { webhookEvents } from "./schema";

/** Records the event id once; true when this call recorded it, false when it was there already (a redelivery). */
export async function recordWebhookEvent(
  db: Db,
  event: { id: string; type: string; receivedAt: number },
): Promise<boolean> {
  const recorded = await db
    .insert(webhookEvents)
    .values(event)
    .onConflictDoNothing()
    .returning({ id: webhookEvents.id });
  return recorded.length > 0;
}
