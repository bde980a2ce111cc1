/**
 * The event bus: a transactional outbox in D1 (`events`), delivery through the `shop-events` queue, and a
 * cron sweep that re-sends anything the queue did not accept. Publishers put `outboxInsert(...)` in the same
 * `db.batch` as the change the events describe, then call `publish` once the batch committed.
 */

import { and, asc, inArray, isNull, lt } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, getDb } from "../db/client";
import { bound, fillRows, preparedOnce, rowPlaceholders } from "../db/prepared";
import { events } from "../db/schema";
import { type EventData, type EventEnvelope, type EventType, makeEvent } from "../domain/events";
import { newId } from "../lib/ids";

export function newEvent<T extends EventType>(
  type: T,
  subject: string,
  data: EventData<T>,
  now = Date.now(),
): EventEnvelope<T> {
  return makeEvent(type, subject, data, { id: newId("evt"), now });
}

/** D1 binds at most 100 parameters per statement; an event row binds 8. */
const EVENTS_PER_INSERT = 12;

/**
 * The outbox rows for `batch`, as statements to put in the same `db.batch` as the state change they describe
 * (one statement per 12 events, D1's bound-parameter limit). Inserting an id already there does nothing, so a
 * Durable Object re-delivering its own outbox after a half-finished attempt is safe.
 */
export function outboxInserts(
  db: Db,
  batch: readonly EventEnvelope[],
  publishedAt: number | null = null,
): BatchItem<"sqlite">[] {
  const statements: BatchItem<"sqlite">[] = [];
  for (let i = 0; i < batch.length; i += EVENTS_PER_INSERT) {
    const chunk = batch.slice(i, i + EVENTS_PER_INSERT);
    const values = fillRows(
      chunk.map((e) => ({
        id: e.id,
        type: e.type,
        version: e.version,
        occurredAt: e.occurredAt,
        source: e.source,
        subject: e.subject,
        data: e.data,
        publishedAt,
      })),
    );
    statements.push(bound(insertEvents(db, chunk.length), values));
  }
  return statements;
}

const EVENT_COLUMNS = ["id", "type", "version", "occurredAt", "source", "subject", "data", "publishedAt"] as const;

/** The insert of `n` event rows, rendered once per isolate (src/db/prepared.ts). */
const insertEvents = (db: Db, n: number) =>
  preparedOnce(db, `events.insert.${n}`, () =>
    db
      .insert(events)
      .values(rowPlaceholders(EVENT_COLUMNS, n) as unknown as (typeof events.$inferInsert)[])
      .onConflictDoNothing(),
  );

/** Hands events to the queue, 100 a call. Throws when the queue refuses them: the caller decides who retries. */
export async function sendToQueue(env: Env, batch: readonly EventEnvelope[]): Promise<void> {
  for (let i = 0; i < batch.length; i += 100) {
    await env.EVENTS.sendBatch(batch.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
  }
}

/**
 * For publishers whose events were committed in a D1 batch (routes): hands them to the queue and marks them
 * published. A failure here loses nothing: the rows stay unpublished and the sweep sends them again
 * (consumers deduplicate by id).
 */
export async function publish(env: Env, batch: readonly EventEnvelope[], now = Date.now()): Promise<void> {
  if (batch.length === 0) return;
  try {
    await sendToQueue(env, batch);
    const ids = batch.map((e) => e.id);
    const db = getDb(env.DB);
    for (let i = 0; i < ids.length; i += 90) {
      await db
        .update(events)
        .set({ publishedAt: now })
        .where(inArray(events.id, ids.slice(i, i + 90)));
    }
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", message: "event publish deferred to sweep", error: String(err) }));
  }
}

/**
 * For publishers that keep their own retry (a Durable Object's outbox, a queue consumer whose message is
 * retried): writes the events to the log already marked published, then hands them to the queue, throwing if
 * the queue refuses so the caller tries again. Saves the "mark published" write on the hot path; repeating
 * with the same events is safe (ids already logged are ignored, consumers deduplicate).
 */
export async function recordAndPublish(
  env: Env,
  batch: readonly EventEnvelope[],
  now = Date.now(),
  /** Statements to commit in the same D1 batch (a Durable Object's mirror of its own state). */
  alongside: readonly BatchItem<"sqlite">[] = [],
): Promise<void> {
  if (batch.length === 0) return;
  const db = getDb(env.DB);
  const [first, ...rest] = [...alongside, ...outboxInserts(db, batch, now)];
  if (first) await db.batch([first, ...rest]);
  await sendToQueue(env, batch);
}

/**
 * How a publisher whose events are already in the log hands them to the queue. "mark": logged unpublished, sent,
 * then marked published (the sweep re-sends what the queue refused). "redelivered": logged already marked
 * published and sent, saving the mark's D1 write; only for a queue consumer whose event the queue redelivers
 * when this throws, and whose redelivery sends the logged events again.
 */
export type Relay = "mark" | "redelivered";

/** The `published_at` to log events with under `relay`. */
export const loggedAs = (relay: Relay, now: number): number | null => (relay === "redelivered" ? now : null);

/** Hands logged events to the queue under `relay` (see `Relay`). */
export async function relayLogged(
  env: Env,
  batch: readonly EventEnvelope[],
  relay: Relay,
  now = Date.now(),
): Promise<void> {
  if (relay === "redelivered") await sendToQueue(env, batch);
  else await publish(env, batch, now);
}

/** Re-sends outbox rows older than `graceMs` that the queue never accepted. Run by the cron trigger. */
export async function sweepOutbox(env: Env, now = Date.now(), graceMs = 30_000): Promise<number> {
  const db = getDb(env.DB);
  const rows = await db
    .select()
    .from(events)
    .where(and(isNull(events.publishedAt), lt(events.occurredAt, now - graceMs)))
    .orderBy(asc(events.occurredAt))
    .limit(500);
  await publish(env, rows as EventEnvelope[], now);
  return rows.length;
}
