/**
 * The bus's dedup marks (`processed_events`): which exactly-once subscribers have handled an event
 * (src/services/subscribers/event-consumer.ts).
 */
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "./client";
import { processedEvents } from "./schema";

/**
 * Which of `consumers` have handled event `eventId`. Asked by consumer and event, the primary key's order: by
 * event alone SQLite scans every mark ever written (the table has no index on `event_id`).
 */
export async function consumersThatProcessed(db: Db, eventId: string, consumers: readonly string[]) {
  if (consumers.length === 0) return [];
  return db
    .select({ consumer: processedEvents.consumer })
    .from(processedEvents)
    .where(and(inArray(processedEvents.consumer, [...consumers]), eq(processedEvents.eventId, eventId)));
}

/** Marks event `eventId` handled by each of `consumers` in one write (marks already there are kept). */
export async function markProcessed(db: Db, eventId: string, consumers: string[], now: number) {
  return db
    .insert(processedEvents)
    .values(consumers.map((consumer) => ({ consumer, eventId, processedAt: now })))
    .onConflictDoNothing();
}

/** The mark of `consumer` having handled `eventId`, if there is one. */
export async function processedMark(db: Db, consumer: string, eventId: string) {
  return db
    .select()
    .from(processedEvents)
    .where(and(eq(processedEvents.consumer, consumer), eq(processedEvents.eventId, eventId)))
    .get();
}
