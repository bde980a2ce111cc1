/**
 * The payment webhooks already received that no order's object answers for (`webhook_events`): event types the
 * shop does not handle, and outcomes the order refused (an unknown order or payment). A redelivered event id is
 * answered as such. A handled event's id is kept by its order's object instead, with the change it made
 * (src/durable/order-flow/store.ts, `webhooks`): that saved a D1 round trip per webhook, two per checkout.
 */
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
