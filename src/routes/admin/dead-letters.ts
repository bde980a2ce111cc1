/**
 * /api/admin/dead-letters (staff and admins): events the queue gave up on, with the subscribers that failed and
 * their last error; replay one or every open one back through the queue, or discard one with a note
 * (src/services/subscribers/dead-letters.ts). Both are recorded on the row: who, when, and the note.
 */
import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { requirePermission } from "../../http/session";
import { validate } from "../../http/validate";
import {
  type DeadLetterResult,
  discardDeadLetter,
  listDeadLetters,
  replayAllDeadLetters,
  replayDeadLetter,
} from "../../services/subscribers/dead-letters";
import { DeadLetters } from "../shapes";

export const DeadLetterQuery = v.strictObject({
  status: v.optional(v.picklist(["open", "replayed", "discarded"])),
});

export const DiscardSchema = v.strictObject({
  note: v.pipe(v.string(), v.trim(), v.minLength(1, "Say why it is discarded"), v.maxLength(500)),
});

function unwrap(result: DeadLetterResult) {
  if (!result.ok) throw new ApiError(result.reason, result.message);
  return result.deadLetter;
}

const DeadLetterEnvelope = v.looseObject({ deadLetter: v.looseObject({ id: v.string(), status: v.string() }) });
const DeadLetterIssue = { 404: "No such dead letter", 409: "invalid_state: already replayed or discarded" };

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /": doc({
    tag: "admin",
    who: "staff",
    summary: "Events the queue gave up on, with the failing subscribers and their last error",
    body: DeadLetters,
  }),
  "POST /replay": doc({
    tag: "admin",
    who: "staff",
    summary: "Send every open dead letter back through the queue",
    body: v.looseObject({ replayed: v.number(), skipped: v.number() }),
  }),
  "POST /:id/replay": doc({
    tag: "admin",
    who: "staff",
    summary: "Send one dead letter back through the queue (subscribers still deduplicate)",
    body: DeadLetterEnvelope,
    errors: DeadLetterIssue,
  }),
  "POST /:id/discard": doc({
    tag: "admin",
    who: "staff",
    summary: "Close a dead letter without replaying it; the note is recorded",
    body: DeadLetterEnvelope,
    errors: DeadLetterIssue,
  }),
};

export const adminDeadLetters = new Hono<AppEnv>()
  .get("/", spec["GET /"], requirePermission("events:read"), validate("query", DeadLetterQuery), async (c) => {
    return c.json({ items: await listDeadLetters(c.env, c.req.valid("query").status) }, 200);
  })
  .post("/replay", spec["POST /replay"], requirePermission("orders:manage"), async (c) => {
    return c.json(await replayAllDeadLetters(c.env, c.get("user")?.id ?? "unknown"), 200);
  })
  .post("/:id/replay", spec["POST /:id/replay"], requirePermission("orders:manage"), async (c) => {
    const deadLetter = unwrap(await replayDeadLetter(c.env, c.req.param("id"), c.get("user")?.id ?? "unknown"));
    return c.json({ deadLetter }, 200);
  })
  .post(
    "/:id/discard",
    spec["POST /:id/discard"],
    requirePermission("orders:manage"),
    validate("json", DiscardSchema),
    async (c) => {
      const { note } = c.req.valid("json");
      const deadLetter = unwrap(
        await discardDeadLetter(c.env, c.req.param("id"), c.get("user")?.id ?? "unknown", note),
      );
      return c.json({ deadLetter }, 200);
    },
  );
