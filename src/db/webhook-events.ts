/** The payment webhooks already received (`webhook_events`): a redelivered event id is answered, not applied. */
import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { webhookEvents } from "./schema";

export async function webhookEventSeen(db: Db, id: string): Promise<boolean> {
  return (
    (await db.select({ id: webhookEvents.id }).from(webhookEvents).where(eq(webhookEvents.id, id)).get()) !== undefined
  );
}

/** Records the event id once (a second record of the same id does nothing). */
export async function recordWebhookEvent(
  db: Db,
  event: { id: string; type: string; receivedAt: number },
): Promise<void> {
  await db.insert(webhookEvents).values(event).onConflictDoNothing();
}
