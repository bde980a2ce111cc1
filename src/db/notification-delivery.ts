/**
 * Writes and claims of the messages the shop sends (`notifications`) for src/services/notifications/
 * notifications.ts: rows are written leased, claimed by moving `next_attempt_at` past a lease, and finished
 * with their outcome. Statements that go into the service's D1 batches are returned unawaited.
 */
import { and, asc, eq, isNull, lte, or } from "drizzle-orm";
import type { Db } from "./client";
import { notifications } from "./schema";

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotificationRow = typeof notifications.$inferInsert;

const dueAt = (now: number) => or(isNull(notifications.nextAttemptAt), lte(notifications.nextAttemptAt, now));

/** The statement that writes `rows` (those already written are skipped) and returns the new ones, for a batch. */
export function insertNewNotifications(db: Db, rows: NewNotificationRow[]) {
  return db.insert(notifications).values(rows).onConflictDoNothing().returning();
}

/** The event's pending messages that are due at `now`. */
export async function dueNotificationsOfEvent(db: Db, eventId: string, now: number): Promise<NotificationRow[]> {
  return db
    .select()
    .from(notifications)
    .where(and(eq(notifications.eventId, eventId), eq(notifications.status, "pending"), dueAt(now)));
}

/** The first `limit` pending messages due at `now`, oldest first. */
export async function dueNotifications(db: Db, now: number, limit: number): Promise<NotificationRow[]> {
  return db
    .select()
    .from(notifications)
    .where(and(eq(notifications.status, "pending"), dueAt(now)))
    .orderBy(asc(notifications.createdAt), asc(notifications.id))
    .limit(limit);
}

/** Makes a `failed` message pending again with a fresh budget, due at `now`; undefined unless it was failed. */
export async function reopenFailedNotification(db: Db, id: string, now: number): Promise<NotificationRow | undefined> {
  return db
    .update(notifications)
    .set({ status: "pending", attempts: 0, nextAttemptAt: now, lastError: null })
    .where(and(eq(notifications.id, id), eq(notifications.status, "failed")))
    .returning()
    .get();
}

/** True when the message exists. */
export async function notificationExists(db: Db, id: string): Promise<boolean> {
  return (
    (await db.select({ id: notifications.id }).from(notifications).where(eq(notifications.id, id)).get()) !== undefined
  );
}

/** The message's status, or undefined when there is no such message. */
export async function notificationStatus(
  db: Db,
  id: string,
): Promise<{ status: NotificationRow["status"] } | undefined> {
  return db.select({ status: notifications.status }).from(notifications).where(eq(notifications.id, id)).get();
}

/**
 * Claims a pending message due at `now` by leasing it until `leasedUntil`; its attempts so far, or undefined
 * when another worker holds it or it is no longer pending.
 */
export async function claimDueNotification(
  db: Db,
  id: string,
  now: number,
  leasedUntil: number,
): Promise<{ attempts: number } | undefined> {
  return db
    .update(notifications)
    .set({ nextAttemptAt: leasedUntil })
    .where(and(eq(notifications.id, id), eq(notifications.status, "pending"), dueAt(now)))
    .returning({ attempts: notifications.attempts })
    .get();
}

/** Records a failed attempt that will be tried again at `nextAttemptAt`. */
export async function recordRetry(
  db: Db,
  id: string,
  retry: { attempts: number; lastError: string; nextAttemptAt: number },
): Promise<void> {
  await db.update(notifications).set(retry).where(eq(notifications.id, id));
}

/** The statement that records a message's final outcome at `now`, to put in a D1 batch. */
export function finishNotification(
  db: Db,
  id: string,
  outcome: { status: "sent" | "failed" | "suppressed"; attempts: number; providerId?: string; error?: string },
  now: number,
) {
  return db
    .update(notifications)
    .set({
      status: outcome.status,
      attempts: outcome.attempts,
      providerId: outcome.providerId ?? null,
      lastError: outcome.error ?? null,
      nextAttemptAt: null,
      sentAt: outcome.status === "sent" ? now : null,
    })
    .where(eq(notifications.id, id));
}
