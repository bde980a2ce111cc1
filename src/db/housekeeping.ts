/**
 * The sweep cron's housekeeping (src/services/workflows/scheduled.ts): statements, for one D1 batch, that drop
 * rows past their use.
 */
import { lt } from "drizzle-orm";
import type { Db } from "./client";
import { idempotencyKeys, sessions } from "./schema";

/** For a batch: deletes the sessions expired before `now`. */
export function deleteExpiredSessions(db: Db, now: number) {
  return db.delete(sessions).where(lt(sessions.expiresAt, now));
}

/** For a batch: deletes the idempotency keys created before `before`. */
export function deleteIdempotencyKeysBefore(db: Db, before: number) {
  return db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, before));
}
