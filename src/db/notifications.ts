/** Reads of the messages the shop sent or will send (`notifications`) for the console's Mailbox. */
import { and, desc, eq, inArray, lt, ne, or, type SQL, sql } from "drizzle-orm";
import { type EventEnvelope, parseEnvelope } from "../domain/events";
import type { Db } from "./client";
import type { After } from "./events";
import { events, notifications } from "./schema";

export type NotificationRow = typeof notifications.$inferSelect;

/** One page of the notification log, newest first; `more` when rows follow the page. */
export async function listNotificationLog(
  db: Db,
  q: {
    audience?: NotificationRow["audience"];
    channel?: NotificationRow["channel"];
    status?: NotificationRow["status"];
    after: After;
    limit: number;
  },
): Promise<{ items: NotificationRow[]; more: boolean }> {
  const where: SQL[] = [];
  if (q.audience) where.push(eq(notifications.audience, q.audience));
  if (q.channel) where.push(eq(notifications.channel, q.channel));
  if (q.status) where.push(eq(notifications.status, q.status));
  if (q.after) {
    where.push(
      or(
        lt(notifications.createdAt, q.after.at),
        and(eq(notifications.createdAt, q.after.at), lt(notifications.id, q.after.id)),
      )!,
    );
  }
  const rows = await db
    .select()
    .from(notifications)
    .where(and(...where))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(q.limit + 1);
  return { items: rows.slice(0, q.limit), more: rows.length > q.limit };
}

export async function findNotification(db: Db, id: string): Promise<NotificationRow | undefined> {
  return db.select().from(notifications).where(eq(notifications.id, id)).get();
}

/** The NotificationSent events logged for the finished messages of one event (to send again on its redelivery). */
export async function loggedNotificationSent(db: Db, eventId: string): Promise<EventEnvelope[]> {
  const finished = db
    .select({ subject: sql<string>`'notification:' || ${notifications.id}` })
    .from(notifications)
    .where(and(eq(notifications.eventId, eventId), ne(notifications.status, "pending")));
  const rows = await db
    .select()
    .from(events)
    .where(and(eq(events.type, "NotificationSent"), inArray(events.subject, finished)));
  return rows.map((row) => parseEnvelope(row)).filter((e): e is EventEnvelope => e !== null);
}
