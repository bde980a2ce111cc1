/**
 * `idempotency_keys`: one row per `Idempotency-Key` in its scope (src/http/idempotency.ts decides what the rows
 * answer; the cron's sweep drops old ones, ./housekeeping.ts). The primary key (scope, key) makes a claim atomic.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "./client";
import { idempotencyKeys } from "./schema";

export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;

const keyIs = (scope: string, key: string) => and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key));

/** The key's row, or undefined when nobody has claimed or recorded it. */
export async function readIdempotencyKey(db: Db, scope: string, key: string): Promise<IdempotencyKeyRow | undefined> {
  return db.select().from(idempotencyKeys).where(keyIs(scope, key)).get();
}

/** Claims the key as `in_progress` at `now`; true when this call inserted the row, false when it existed. */
export async function claimIdempotencyKey(
  db: Db,
  k: { scope: string; key: string; requestHash: string; now: number },
): Promise<boolean> {
  const claimed = await db
    .insert(idempotencyKeys)
    .values({ scope: k.scope, key: k.key, requestHash: k.requestHash, state: "in_progress", createdAt: k.now })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return claimed.length > 0;
}

/**
 * Takes over an abandoned claim: moves its `created_at` to `now` only if the row is still the `in_progress`
 * claim that was read (same `created_at`), so of two requests taking it over at once exactly one wins. True
 * for the winner.
 */
export async function takeOverIdempotencyKey(db: Db, row: IdempotencyKeyRow, now: number): Promise<boolean> {
  const taken = await db
    .update(idempotencyKeys)
    .set({ createdAt: now })
    .where(
      and(
        eq(idempotencyKeys.scope, row.scope),
        eq(idempotencyKeys.key, row.key),
        eq(idempotencyKeys.state, "in_progress"),
        eq(idempotencyKeys.createdAt, row.createdAt),
      ),
    )
    .returning({ key: idempotencyKeys.key });
  return taken.length > 0;
}

/** Releases the key (deletes its row), so a retry runs again. */
export async function releaseIdempotencyKey(db: Db, scope: string, key: string): Promise<void> {
  await db.delete(idempotencyKeys).where(keyIs(scope, key));
}

/** Records the response of the request holding the key: the key is `done` and replays this answer. */
export async function finishIdempotencyKey(
  db: Db,
  k: { scope: string; key: string; status: number; body: string },
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({ state: "done", responseStatus: k.status, responseBody: k.body })
    .where(keyIs(k.scope, k.key));
}

/**
 * Records an answer as `done` for a key nobody claimed (an answer that changed nothing); true when recorded,
 * false when the key already had a row (which then answers instead).
 */
export async function recordIdempotencyKeyDone(
  db: Db,
  k: { scope: string; key: string; requestHash: string; status: number; body: string; now: number },
): Promise<boolean> {
  const recorded = await db
    .insert(idempotencyKeys)
    .values({
      scope: k.scope,
      key: k.key,
      requestHash: k.requestHash,
      state: "done",
      responseStatus: k.status,
      responseBody: k.body,
      createdAt: k.now,
    })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return recorded.length > 0;
}
