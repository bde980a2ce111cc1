/**
 * Writes and claims of the messages the shop sends (`notifications`) for src/services/notifications/
 * notifications.ts: rows are written leased, claimed by moving `next_attempt_at` past a lease, and finished
 * with their outcome. Statements that go into the service's D1 batches are returned unawaited.
 */
import { and, asc, eq, getTableColumns, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { bound, fillRows, preparedOnce, rowPlaceholders } from "./prepared";
import { notifications } from "./schema";

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotificationRow = typeof notifications.$inferInsert;

const dueAt = (now: number) => or(isNull(notifications.nextAttemptAt), lte(notifications.nextAttemptAt, now));

const NOTIFICATION_COLUMNS = Object.keys(getTableColumns(notifications)) as (keyof NewNotificationRow &
  keyof typeof notifications)[];
/** Every column skips its encoder: `insertNewNotifications` hands over values ready to store. */
const ALL_RAW: ReadonlySet<string> = new Set(NOTIFICATION_COLUMNS);

/** The insert of `n` rows (every column a placeholder, taken as it comes), rendered once per isolate. */
const insertNotifications = (db: Db, n: number) =>
  preparedOnce(db, `notifications.insert.${n}`, () =>
    db
      .insert(notifications)
      .values(rowPlaceholders(NOTIFICATION_COLUMNS, n, ALL_RAW) as unknown as NewNotificationRow[])
      .onConflictDoNothing()
      .returning(),
  );

/**
 * The statement that writes `rows` (those already written are skipped) and returns the new ones, for a batch.
 * Every notified event writes some: rendered once per isolate and per number of rows (./prepared.ts).
 */
export function insertNewNotifications(db: Db, rows: NewNotificationRow[]) {
  const values = rows.map((row) =>
    Object.fromEntries(
      NOTIFICATION_COLUMNS.map((c) => {
        // As drizzle writes a row without the key: the column's default, else NULL. Headers are JSON, encoded
        // here (the column's encoder would turn a missing value into the text 'null').
        const value = row[c];
        const filled = value === undefined ? (notifications[c].default ?? null) : value;
        return [c, c === "headers" && filled !== null ? JSON.stringify(filled) : filled];
      }),
    ),
  );
  return bound(insertNotifications(db, rows.length), fillRows(values));
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

/**
 * The statement that records a message's final outcome at `now`, to put in a D1 batch. Every message ends with
 * it: rendered once per isolate (./prepared.ts).
 */
export function finishNotification(
  db: Db,
  id: string,
  outcome: { status: "sent" | "failed" | "suppressed"; attempts: number; providerId?: string; error?: string },
  now: number,
) {
  const update = preparedOnce(db, "notifications.finish", () =>
    db
      .update(notifications)
      .set({
        status: sql`${sql.placeholder("status")}`,
        attempts: sql`${sql.placeholder("attempts")}`,
        providerId: sql`${sql.placeholder("providerId")}`,
        lastError: sql`${sql.placeholder("lastError")}`,
        nextAttemptAt: null,
        sentAt: sql`${sql.placeholder("sentAt")}`,
      })
      .where(eq(notifications.id, sql.placeholder("id"))),
  );
  return bound(update, {
    id,
    status: outcome.status,
    attempts: outcome.attempts,
    providerId: outcome.providerId ?? null,
    lastError: outcome.error ?? null,
    sentAt: outcome.status === "sent" ? now : null,
  });
}
