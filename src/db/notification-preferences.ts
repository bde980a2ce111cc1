/**
 * The recipients' message choices (`notification_preferences`), one row per (recipient, kind, channel); no row
 * means "yes" (src/services/notifications/unsubscribe.ts answers from these rows).
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./client";
import { bound, preparedOnce } from "./prepared";
import { notificationPreferences } from "./schema";

export type NotificationPreferenceRow = typeof notificationPreferences.$inferSelect;

/** Stores one choice, replacing the one stored before. */
export async function upsertNotificationPreference(
  db: Db,
  pref: { recipient: string; kind: string; channel: string; enabled: boolean },
  now: number,
): Promise<void> {
  await db
    .insert(notificationPreferences)
    .values({ ...pref, updatedAt: now })
    .onConflictDoUpdate({
      target: [notificationPreferences.recipient, notificationPreferences.kind, notificationPreferences.channel],
      set: { enabled: pref.enabled, updatedAt: now },
    });
}

/**
 * The stored choices of `recipients`, as one query to put in a D1 batch. Every notified event reads them:
 * rendered once per isolate and per number of recipients (./prepared.ts).
 */
export function preferencesOf(db: Db, recipients: readonly string[]) {
  const query = preparedOnce(db, `notification_preferences.of.${recipients.length}`, () =>
    db
      .select({
        recipient: notificationPreferences.recipient,
        kind: notificationPreferences.kind,
        channel: notificationPreferences.channel,
        enabled: notificationPreferences.enabled,
      })
      .from(notificationPreferences)
      .where(
        inArray(
          notificationPreferences.recipient,
          recipients.map((_, i) => sql.placeholder(`recipient${i}`)),
        ),
      ),
  );
  return bound(query, Object.fromEntries(recipients.map((r, i) => [`recipient${i}`, r])));
}

/** The stored choice of one (recipient, kind, channel), or undefined when none is stored. */
export async function storedPreference(
  db: Db,
  q: { recipient: string; kind: string; channel: string },
): Promise<{ enabled: boolean } | undefined> {
  return db
    .select({ enabled: notificationPreferences.enabled })
    .from(notificationPreferences)
    .where(
      and(
        eq(notificationPreferences.recipient, q.recipient),
        eq(notificationPreferences.kind, q.kind),
        eq(notificationPreferences.channel, q.channel),
      ),
    )
    .get();
}

/** Every stored choice of one recipient. */
export async function preferencesOfRecipient(db: Db, recipient: string): Promise<NotificationPreferenceRow[]> {
  return db.select().from(notificationPreferences).where(eq(notificationPreferences.recipient, recipient));
}
