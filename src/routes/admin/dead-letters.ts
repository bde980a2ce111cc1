/**
 * /api/admin/dead-letters (staff and admins): events the queue gave up on, with the subscribers that failed and
 * their last error; replay one or every open one back through the queue, or discard one with a note
 * (src/services/dead-letters.ts). Both are recorded on the row: who, when, and the note.
 */
import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../http/app-env";
import { ApiError } from "../../http/errors";
import { requirePermission } from "../../http/session";
import { validate } from "../../http/validate";
import {
  type DeadLetterResult,
  discardDeadLetter,
  listDeadLetters,
  replayAllDeadLetters,
  replayDeadLetter,
} from "../../services/dead-letters";

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

export const adminDeadLetters = new Hono<AppEnv>()
  .get("/", requirePermission("events:read"), validate("query", DeadLetterQuery), async (c) => {
    return c.json({ items: await listDeadLetters(c.env, c.req.valid("query").status) }, 200);
  })
  .post("/replay", requirePermission("orders:manage"), async (c) => {
    return c.json(await replayAllDeadLetters(c.env, c.get("user")?.id ?? "unknown"), 200);
  })
  .post("/:id/replay", requirePermission("orders:manage"), async (c) => {
    const deadLetter = unwrap(await replayDeadLetter(c.env, c.req.param("id"), c.get("user")?.id ?? "unknown"));
    return c.json({ deadLetter }, 200);
  })
  .post("/:id/discard", requirePermission("orders:manage"), validate("json", DiscardSchema), async (c) => {
    const { note } = c.req.valid("json");
    const deadLetter = unwrap(await discardDeadLetter(c.env, c.req.param("id"), c.get("user")?.id ?? "unknown", note));
    return c.json({ deadLetter }, 200);
  });
