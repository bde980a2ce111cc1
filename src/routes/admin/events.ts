/**
 * The console's window on the event bus: the append-only event log and the messages sent (dead letters are in
 * ./dead-letters.ts). Filters come from allow-lists; paging is keyset on (occurred_at, id).
 */
import { Hono } from "hono";
import * as v from "valibot";
import { getDb } from "../../db/client";
import { listEventLog } from "../../db/events";
import { findNotification, listNotificationLog } from "../../db/notifications";
import { EVENT_TYPES } from "../../domain/events";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { validate } from "../../http/validate";
import { messagePreviews } from "../../services/notifications/message-previews";
import { resendNotification, shopUrl } from "../../services/notifications/notifications";
import { EventPage, NotificationPage } from "../shapes";

const Limit = v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1), v.maxValue(200)), "50");

const Millis = v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(0)));

export const EventLogQuery = v.strictObject({
  type: v.optional(v.picklist(EVENT_TYPES)),
  /** The entity, exactly as the events name it: `order:<id>`, `sku:<sku>`, `customer:<id>`, `payment:<id>`. */
  subject: v.optional(v.pipe(v.string(), v.maxLength(200))),
  /** Occurred at or after (ms since the epoch). */
  from: Millis,
  /** Occurred before (ms since the epoch). */
  to: Millis,
  cursor: v.optional(v.string()),
  limit: Limit,
});

export const NotificationLogQuery = v.strictObject({
  audience: v.optional(v.picklist(["customer", "staff"])),
  channel: v.optional(v.picklist(["email", "console"])),
  status: v.optional(v.picklist(["pending", "sent", "failed", "suppressed"])),
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

const NotificationRow = v.looseObject({ id: v.string(), status: v.string(), channel: v.string() });
const NotificationPreviews = v.looseObject({ items: v.array(v.looseObject({})) });
const Resent = v.looseObject({ id: v.string(), status: v.string() });

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /events": doc({ tag: "admin", who: "staff", summary: "The event log, newest first", body: EventPage }),
  "GET /notifications": doc({
    tag: "admin",
    who: "staff",
    summary: "Messages sent and staff alerts",
    body: NotificationPage,
  }),
  "GET /notifications/previews": doc({
    tag: "admin",
    who: "staff",
    summary: "Every customer message template rendered with sample data",
    body: NotificationPreviews,
  }),
  "GET /notifications/:id": doc({
    tag: "admin",
    who: "staff",
    summary: "One message with its HTML and text parts and delivery state (the console Mailbox)",
    body: NotificationRow,
    errors: { 404: "No such notification" },
  }),
  "POST /notifications/:id/resend": doc({
    tag: "admin",
    who: "staff",
    summary: "Send a failed message again with a fresh retry budget",
    body: Resent,
    errors: { 404: "No such notification", 409: "invalid_state: only a failed notification" },
  }),
};

export const adminEvents = new Hono<AppEnv>()
  .get("/events", spec["GET /events"], validate("query", EventLogQuery), async (c) => {
    const q = c.req.valid("query");
    const page = await listEventLog(getDb(c.env.DB), { ...q, after: decodeCursor(q.cursor) });
    const last = page.items.at(-1);
    return c.json({
      items: page.items,
      nextCursor: page.more && last ? encodeCursor(last.occurredAt, last.id) : null,
    });
  })
  .get("/notifications", spec["GET /notifications"], validate("query", NotificationLogQuery), async (c) => {
    const q = c.req.valid("query");
    const page = await listNotificationLog(getDb(c.env.DB), { ...q, after: decodeCursor(q.cursor) });
    const last = page.items.at(-1);
    return c.json({
      items: page.items,
      nextCursor: page.more && last ? encodeCursor(last.createdAt, last.id) : null,
    });
  })
  // Every customer template rendered with sample data (console Mailbox → Templates); nothing is sent.
  .get("/notifications/previews", spec["GET /notifications/previews"], (c) =>
    c.json({ items: messagePreviews(shopUrl(c.env)) }),
  )
  .get("/notifications/:id", spec["GET /notifications/:id"], async (c) => {
    const row = await findNotification(getDb(c.env.DB), c.req.param("id"));
    if (!row) throw new ApiError("not_found", "No such notification");
    return c.json(row);
  })
  // Send a message given up as failed again, with a fresh retry budget (the first attempt runs now).
  .post("/notifications/:id/resend", spec["POST /notifications/:id/resend"], async (c) => {
    const result = await resendNotification(c.env, c.req.param("id"));
    if (!result.ok) {
      throw result.reason === "not_found"
        ? new ApiError("not_found", "No such notification")
        : new ApiError("invalid_state", "Only a failed notification can be sent again");
    }
    return c.json({ id: c.req.param("id"), status: result.status });
  });
