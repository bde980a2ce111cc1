/** The payment webhooks already received (`webhook_events`): a redelivered event id is answered as such. */
import { sql } from "drizzle-orm";
import type { Db } from "./client";
import { preparedOnce } from "./prepared";
import { webhookEvents } from "./schema";

/** Records the event id once; true when this call recorded it, false when it was there already (a redelivery). */
export async function recordWebhookEvent(
  db: Db,
  event: { id: string; type: string; receivedAt: number },
): Promise<boolean> {
  const recorded = await preparedOnce(db, "webhook_events.record", () =>
    db
      .insert(webhookEvents)
      .values({ id: sql.placeholder("id"), type: sql.placeholder("type"), receivedAt: sql.placeholder("receivedAt") })
      .onConflictDoNothing()
      .returning({ id: webhookEvents.id }),
  ).all(event);
  return recorded.length > 0;
}
