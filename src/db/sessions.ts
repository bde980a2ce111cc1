/**
 * Server-side sessions (`sessions`): the rows behind the cookie, keyed by the SHA-256 of the browser's token
 * (src/services/accounts/sessions.ts mints them; src/http/session.ts resolves them on every request).
 */
import { and, eq, gt, lt } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";
import { customers, sessions } from "./schema";

export type NewSessionRow = typeof sessions.$inferInsert;

/** The statement that stores a minted session, to put in a D1 batch. */
export function insertSession(db: Db, row: NewSessionRow): BatchItem<"sqlite"> {
  return db.insert(sessions).values(row);
}

/** The statement that deletes one session, to put in a D1 batch. */
export function deleteSession(db: Db, idHash: string): BatchItem<"sqlite"> {
  return db.delete(sessions).where(eq(sessions.idHash, idHash));
}

/** The statement that deletes every session of one account, to put in a D1 batch. */
export function deleteSessionsOf(db: Db, customerId: string): BatchItem<"sqlite"> {
  return db.delete(sessions).where(eq(sessions.customerId, customerId));
}

/** Sets `last_seen_at` to `now` when it is older than `staleBefore` (so a fresh session is not written again). */
export async function touchSessionSeenBefore(db: Db, idHash: string, now: number, staleBefore: number): Promise<void> {
  await db
    .update(sessions)
    .set({ lastSeenAt: now })
    .where(and(eq(sessions.idHash, idHash), lt(sessions.lastSeenAt, staleBefore)));
}

/**
 * The person signed in by the session `idHash` and when the session was last seen, or undefined when the
 * session is unknown, expired at `now`, or its account is deactivated.
 */
export async function signedInPerson(db: Db, idHash: string, now: number) {
  return db
    .select({
      id: customers.id,
      email: customers.email,
      name: customers.name,
      role: customers.role,
      lastSeenAt: sessions.lastSeenAt,
    })
    .from(sessions)
    .innerJoin(customers, eq(customers.id, sessions.customerId))
    .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, now), eq(customers.active, true)))
    .get();
}
