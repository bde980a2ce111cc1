/**
 * The console's window on the event bus: the append-only event log, the messages sent, and the dead letters
 * the queue gave up on. Filters come from allow-lists; paging is keyset on (occurred_at, id).
 */
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import * as v from "valibot";
import { getDb } from "../../db/client";
import { deadLetters, events, notifications } from "../../db/schema";
import { EVENT_TYPES } from "../../domain/events";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { validate } from "../../http/validate";
import { DeadLetters, EventPage, NotificationPage } from "../shapes";

const Limit = v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1), v.maxValue(200)), "50");

export const EventLogQuery = v.strictObject({
  type: v.optional(v.picklist(EVENT_TYPES)),
  subject: v.optional(v.pipe(v.string(), v.maxLength(200))),
  cursor: v.optional(v.string()),
  limit: Limit,
});

export const NotificationLogQuery = v.strictObject({
  audience: v.optional(v.picklist(["customer", "staff"])),
  cursor: v.optional(v.string()),
  limit: Limit,
});

/** Cursor = base64url("<ms>|<id>") of the last row returned. */
function encodeCursor(at: number, id: string): string {
  return btoa(`${at}|${id}`).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function decodeCursor(cursor: string | undefined): { at: number; id: string } | null {
  if (!cursor) return null;
  try {
    const [at, id] = atob(cursor.replaceAll("-", "+").replaceAll("_", "/")).split("|");
    const n = Number(at);
    if (!id || !Number.isSafeInteger(n)) throw new Error("bad cursor");
    return { at: n, id };
  } catch {
    throw new ApiError("validation_failed", "The cursor is not valid", [{ path: "cursor", message: "Invalid" }]);
  }
}

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /events": doc({ tag: "admin", who: "staff", summary: "The event log, newest first", body: EventPage }),
  "GET /notifications": doc({
    tag: "admin",
    who: "staff",
    summary: "Messages sent and staff alerts",
    body: NotificationPage,
  }),
  "GET /dead-letters": doc({ tag: "admin", who: "staff", summary: "Events the queue gave up on", body: DeadLetters }),
};

export const adminEvents = new Hono<AppEnv>()
  .get("/events", spec["GET /events"], validate("query", EventLogQuery), async (c) => {
    const q = c.req.valid("query");
    const after = decodeCursor(q.cursor);
    const where: SQL[] = [];
    if (q.type) where.push(eq(events.type, q.type));
    if (q.subject) where.push(eq(events.subject, q.subject));
    if (after) {
      where.push(or(lt(events.occurredAt, after.at), and(eq(events.occurredAt, after.at), lt(events.id, after.id)))!);
    }
    const rows = await getDb(c.env.DB)
      .select()
      .from(events)
      .where(and(...where))
      .orderBy(desc(events.occurredAt), desc(events.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return c.json({
      items: page,
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.occurredAt, last.id) : null,
    });
  })
  .get("/notifications", spec["GET /notifications"], validate("query", NotificationLogQuery), async (c) => {
    const q = c.req.valid("query");
    const after = decodeCursor(q.cursor);
    const where: SQL[] = [];
    if (q.audience) where.push(eq(notifications.audience, q.audience));
    if (after) {
      where.push(
        or(
          lt(notifications.createdAt, after.at),
          and(eq(notifications.createdAt, after.at), lt(notifications.id, after.id)),
        )!,
      );
    }
    const rows = await getDb(c.env.DB)
      .select()
      .from(notifications)
      .where(and(...where))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return c.json({
      items: page,
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    });
  })
  .get("/dead-letters", spec["GET /dead-letters"], async (c) => {
    const rows = await getDb(c.env.DB).select().from(deadLetters).orderBy(desc(deadLetters.receivedAt)).limit(200);
    return c.json({ items: rows });
  });
