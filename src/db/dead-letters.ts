/**
 * Dead letters (`dead_letters`) and the failures noted while an event is still being retried
 * (`event_failures`); the workflow around them is src/services/subscribers/dead-letters.ts.
 */
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "./client";
import { type DeadLetterStatus, deadLetters, eventFailures } from "./schema";

export type DeadLetterRow = typeof deadLetters.$inferSelect;
export type EventFailureRow = typeof eventFailures.$inferSelect;

/** Keeps the event's last failure (one row per event, replaced on each failure). */
export async function upsertEventFailure(db: Db, row: EventFailureRow): Promise<void> {
  await db
    .insert(eventFailures)
    .values(row)
    .onConflictDoUpdate({
      target: eventFailures.eventId,
      set: { subscribers: row.subscribers, error: row.error, attempts: row.attempts, failedAt: row.failedAt },
    });
}

export async function findEventFailure(db: Db, eventId: string): Promise<EventFailureRow | undefined> {
  return db.select().from(eventFailures).where(eq(eventFailures.eventId, eventId)).get();
}

/** Writes the dead letter and, for a readable event, forgets its noted failure, in one batch. */
export async function insertDeadLetter(
  db: Db,
  row: typeof deadLetters.$inferInsert,
  failureOf: string | null,
): Promise<void> {
  await db.batch([
    db.insert(deadLetters).values(row),
    ...(failureOf !== null ? [db.delete(eventFailures).where(eq(eventFailures.eventId, failureOf))] : []),
  ]);
}

/** The newest 200 dead letters, of one status or all. */
export async function listDeadLetterRows(db: Db, status?: DeadLetterStatus): Promise<DeadLetterRow[]> {
  return db
    .select()
    .from(deadLetters)
    .where(status ? eq(deadLetters.status, status) : undefined)
    .orderBy(desc(deadLetters.receivedAt), desc(deadLetters.id))
    .limit(200);
}

export async function findDeadLetter(db: Db, id: string): Promise<DeadLetterRow | undefined> {
  return db.select().from(deadLetters).where(eq(deadLetters.id, id)).get();
}

/** The oldest open dead letters (at most `limit`), with their bodies. */
export async function openDeadLetters(db: Db, limit: number): Promise<{ id: string; body: string }[]> {
  return db
    .select({ id: deadLetters.id, body: deadLetters.body })
    .from(deadLetters)
    .where(eq(deadLetters.status, "open"))
    .orderBy(deadLetters.receivedAt)
    .limit(limit);
}

/** Marks the rows among `ids` that are still open as `status`; answers those it changed (the claim). */
export async function closeOpenDeadLetters(
  db: Db,
  args: { ids: readonly string[]; status: "replayed" | "discarded"; by: string; at: number; note?: string },
): Promise<DeadLetterRow[]> {
  return db
    .update(deadLetters)
    .set({
      status: args.status,
      resolvedAt: args.at,
      resolvedBy: args.by,
      ...(args.note !== undefined ? { note: args.note } : {}),
    })
    .where(and(inArray(deadLetters.id, [...args.ids]), eq(deadLetters.status, "open")))
    .returning();
}

/** Undoes a claim: the rows are open again (their replay could not be sent). */
export async function reopenDeadLetters(db: Db, ids: readonly string[]): Promise<void> {
  await db
    .update(deadLetters)
    .set({ status: "open", resolvedAt: null, resolvedBy: null })
    .where(inArray(deadLetters.id, [...ids]));
}
