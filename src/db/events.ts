/** Reads of the append-only event log (`events`, the outbox the bus delivers from) for the console. */
import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { events } from "./schema";

export type EventRow = typeof events.$inferSelect;

/** Where a keyset page starts: strictly after this `(at, id)` in newest-first order. */
export type After = { at: number; id: string } | null;

/** One page of the event log, newest first; `more` when rows follow the page. */
export async function listEventLog(
  db: Db,
  q: { type?: string; subject?: string; from?: number; to?: number; after: After; limit: number },
): Promise<{ items: EventRow[]; more: boolean }> {
  const where: SQL[] = [];
  if (q.type) where.push(eq(events.type, q.type));
  if (q.subject) where.push(eq(events.subject, q.subject));
  if (q.from !== undefined) where.push(gte(events.occurredAt, q.from));
  if (q.to !== undefined) where.push(lt(events.occurredAt, q.to));
  if (q.after) {
    where.push(
      or(lt(events.occurredAt, q.after.at), and(eq(events.occurredAt, q.after.at), lt(events.id, q.after.id)))!,
    );
  }
  const rows = await db
    .select()
    .from(events)
    .where(and(...where))
    .orderBy(desc(events.occurredAt), desc(events.id))
    .limit(q.limit + 1);
  return { items: rows.slice(0, q.limit), more: rows.length > q.limit };
}
