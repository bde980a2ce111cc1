/**
 * Sockets die with their session. A WebSocket authorized by the session cookie is tagged with the session in the
 * object that holds it (OrderFlow or StaffFeed) and registered in D1 `session_sockets`; revoking a session
 * (logout, login rotation, password change, deactivation, role change) asks each registered object to close that
 * session's sockets before the revoking request answers.
 *
 * Why no socket escapes: the upgrade registers its row, lets the object accept the socket, and only then checks
 * that the session still exists (`confirmUpgrade`). A revocation deletes the session first and reads the rows
 * after. Either the upgrade's check ran before the delete, so its row was written before the revocation read the
 * rows and the object is told to close (after the accept, which came first); or the check sees the session gone
 * and the upgrade closes its own socket and answers 401. Once closed, a socket cannot be sent anything (the
 * runtime refuses `send` after `close`), so nothing reaches it after the revocation.
 */
import { getDb } from "../../db/client";
import {
  deleteSessionSockets,
  listSessionSockets,
  orphanSocketSessions,
  recordSessionSocket,
  type SocketOwners,
  sessionExists,
} from "../../db/session-sockets";

/** "feed" (the staff console's StaffFeed) or "order:<id>" (that order's OrderFlow). */
export type SocketTarget = "feed" | `order:${string}`;

export const SESSION_CLOSE_CODE = 4001;
export const sessionTag = (sessionHash: string) => `session:${sessionHash}`;

/** Records that the session is about to hold a socket on `target` (before the object accepts it). */
export async function registerSocket(
  env: Env,
  socket: { sessionHash: string; customerId: string; target: SocketTarget },
  now = Date.now(),
): Promise<void> {
  await recordSessionSocket(getDb(env.DB), { ...socket, openedAt: now });
}

/** After the object accepted: true while the session lives; otherwise closes what was just accepted. */
export async function confirmUpgrade(env: Env, sessionHash: string, target: SocketTarget): Promise<boolean> {
  if (await sessionExists(getDb(env.DB), sessionHash)) return true;
  await closeOn(env, target, [sessionHash]);
  return false;
}

/**
 * Closes every socket of the sessions named (or of every session of `customerId`) and forgets their rows. Call it
 * after the sessions were revoked in D1. Returns how many sockets were closed.
 */
export async function closeSessionSockets(env: Env, who: SocketOwners): Promise<number> {
  const db = getDb(env.DB);
  const rows = await listSessionSockets(db, who);
  const byTarget = new Map<SocketTarget, string[]>();
  for (const r of rows) {
    const target = r.target as SocketTarget;
    byTarget.set(target, [...(byTarget.get(target) ?? []), r.sessionHash]);
  }
  const results = await Promise.allSettled([...byTarget].map(([target, hashes]) => closeOn(env, target, hashes)));
  let closed = 0;
  for (const r of results) {
    if (r.status === "fulfilled") closed += r.value;
    else
      console.error(
        JSON.stringify({ level: "error", message: "closing session sockets failed", error: String(r.reason) }),
      );
  }
  // Rows whose object could not be reached stay, so the next revocation or the sweep's caller can try again.
  if (results.every((r) => r.status === "fulfilled")) await deleteSessionSockets(db, who);
  return closed;
}

async function closeOn(env: Env, target: SocketTarget, hashes: readonly string[]): Promise<number> {
  const tags = hashes.map(sessionTag);
  if (target === "feed") return env.STAFF_FEED.getByName("console").closeTagged(tags);
  return env.ORDER_FLOW.getByName(target.slice("order:".length)).closeTagged(tags);
}

/**
 * Cron: closes the sockets of sessions that ended without a revocation we saw (expiry, or a close that failed)
 * and forgets their rows.
 */
export async function sweepSessionSockets(env: Env): Promise<number> {
  const orphans = await orphanSocketSessions(getDb(env.DB));
  return orphans.length > 0 ? closeSessionSockets(env, { sessionHashes: orphans }) : 0;
}
