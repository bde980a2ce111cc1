/**
 * Which session holds a socket on which object (`session_sockets`), so that revoking a session can close its
 * sockets (src/services/accounts/session-sockets.ts has the argument why none escapes).
 */
import { eq, inArray, notInArray, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { sessionSockets, sessions } from "./schema";

export type SessionSocketRow = typeof sessionSockets.$inferSelect;

/** The sessions named, or every session of one account. */
export type SocketOwners = { sessionHashes: readonly string[] } | { customerId: string };

function ownedBy(who: SocketOwners): SQL | undefined {
  if ("customerId" in who) return eq(sessionSockets.customerId, who.customerId);
  return who.sessionHashes.length > 0 ? inArray(sessionSockets.sessionHash, [...who.sessionHashes]) : undefined;
}

/** Records (or renews) the session's socket on `target`. */
export async function recordSessionSocket(
  db: Db,
  socket: { sessionHash: string; customerId: string; target: string; openedAt: number },
): Promise<void> {
  await db
    .insert(sessionSockets)
    .values(socket)
    .onConflictDoUpdate({
      target: [sessionSockets.sessionHash, sessionSockets.target],
      set: { openedAt: socket.openedAt },
    });
}

/** True while the session exists (not revoked, not swept). */
export async function sessionExists(db: Db, idHash: string): Promise<boolean> {
  return (
    (await db.select({ idHash: sessions.idHash }).from(sessions).where(eq(sessions.idHash, idHash)).get()) !== undefined
  );
}

export async function listSessionSockets(db: Db, who: SocketOwners): Promise<SessionSocketRow[]> {
  const where = ownedBy(who);
  return where ? db.select().from(sessionSockets).where(where) : [];
}

export async function deleteSessionSockets(db: Db, who: SocketOwners): Promise<void> {
  const where = ownedBy(who);
  if (where) await db.delete(sessionSockets).where(where);
}

/** The sessions that still have socket rows but no longer exist (expired and swept, or a close that failed). */
export async function orphanSocketSessions(db: Db): Promise<string[]> {
  const rows = await db
    .selectDistinct({ h: sessionSockets.sessionHash })
    .from(sessionSockets)
    .where(notInArray(sessionSockets.sessionHash, db.select({ h: sessions.idHash }).from(sessions)));
  return rows.map((r) => r.h);
}
