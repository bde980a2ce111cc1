/**
 * Notifications service: turns domain events into messages for shoppers and staff (templates in
 * src/domain/notifications.ts), records each in D1 `notifications` with a NotificationSent event in the same
 * batch, and hands it to the channel. The embedded channel is the table itself (an outbox a mail sender would
 * drain); the unique (event, template, recipient) index makes a redelivered event send nothing twice.
 */
import { eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { customers, notifications, orders, subscriptions } from "../db/schema";
import type { EventEnvelope } from "../domain/events";
import {
  draftNotifications,
  NOTIFIED_EVENT_TYPES,
  type NotificationContext,
  type NotificationDraft,
} from "../domain/notifications";
import { newId } from "../lib/ids";
import { newEvent, outboxInserts, publish } from "./event-bus";
import type { Subscriber } from "./subscriber";

/** Where a recorded notification goes next. Production would plug an email provider in here. */
export interface NotificationChannel {
  readonly name: string;
  deliver(draft: NotificationDraft & { id: string }, env: Env): Promise<void>;
}

/** The default channel: the D1 row is the message (shown in the account and the console); nothing leaves. */
export const outboxChannel: NotificationChannel = { name: "email", deliver: async () => {} };

async function lookupContext(event: EventEnvelope, env: Env): Promise<NotificationContext> {
  const db = getDb(env.DB);
  // Only a decline or a refund tells the shopper anything (src/domain/notifications.ts): an authorization or a
  // capture, two per checkout, needs no contact read.
  if (
    event.type === "PaymentProcessed" &&
    event.data.orderId &&
    (event.data.status === "declined" || event.data.status === "refunded")
  ) {
    const order = await db
      .select({ email: orders.email, customerId: orders.customerId })
      .from(orders)
      .where(eq(orders.id, event.data.orderId))
      .get();
    return { orderContact: order ?? null };
  }
  if (event.type === "SubscriptionPaymentDue") {
    const row = await db
      .select({ email: customers.email, customerId: customers.id })
      .from(subscriptions)
      .innerJoin(customers, eq(customers.id, subscriptions.customerId))
      .where(eq(subscriptions.id, event.data.subscriptionId))
      .get();
    return { subscriptionContact: row ?? null };
  }
  return {};
}

export async function notify(event: EventEnvelope, env: Env, channel = outboxChannel): Promise<number> {
  const drafts = draftNotifications(event, await lookupContext(event, env));
  if (drafts.length === 0) return 0;
  const db = getDb(env.DB);
  const already = await db
    .select({ template: notifications.template, recipient: notifications.recipient })
    .from(notifications)
    .where(eq(notifications.eventId, event.id));
  const seen = new Set(already.map((r) => `${r.template}|${r.recipient}`));
  const fresh = drafts
    .filter((d) => !seen.has(`${d.template}|${d.recipient}`))
    .map((d) => ({ ...d, id: newId("ntf") }));
  if (fresh.length === 0) return 0;
  const now = Date.now();
  const sent = fresh.map((d) =>
    newEvent(
      "NotificationSent",
      `notification:${d.id}`,
      {
        notificationId: d.id,
        audience: d.audience,
        recipient: d.recipient,
        template: d.template,
        channel: channel.name,
      },
      now,
    ),
  );
  await db.batch([
    db
      .insert(notifications)
      .values(fresh.map((d) => ({ ...d, channel: channel.name, eventId: event.id, createdAt: now })))
      .onConflictDoNothing(),
    ...outboxInserts(db, sent),
  ]);
  for (const d of fresh) await channel.deliver(d, env);
  await publish(env, sent);
  return fresh.length;
}

export const notificationsSubscriber: Subscriber = {
  name: "notifications",
  types: NOTIFIED_EVENT_TYPES,
  handle: async (event, env) => {
    await notify(event, env);
  },
};
