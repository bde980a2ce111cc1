/**
 * Server-side sessions in D1. The browser holds a random 32-byte token; `sessions.id_hash` holds its SHA-256,
 * so the table alone cannot be replayed as cookies. Every login and signup mints a new token (rotation);
 * revocation is deleting rows. Expired rows are ignored by the middleware and removed by the cron sweep.
 */
import type { Db } from "../../db/client";
import {
  deleteSession,
  deleteSessionsOf,
  insertSession,
  type NewSessionRow,
  touchSessionSeenBefore,
} from "../../db/sessions";
import { randomToken, sha256Hex } from "../../lib/ids";

export const SESSION_TTL_MS = 30 * 24 * 60 * 60_000;
/** `last_seen_at` is refreshed at most this often, so reading a session is not a write on every request. */
export const SESSION_TOUCH_INTERVAL_MS = 60 * 60_000;

export type NewSession = { token: string; row: NewSessionRow };

/** Mints a session for `customerId`; nothing is stored until `sessionInsert` runs in a batch. */
export async function newSession(customerId: string, now: number, userAgent?: string | null): Promise<NewSession> {
  const token = randomToken(32);
  return {
    token,
    row: {
      idHash: await sha256Hex(token),
      customerId,
      createdAt: now,
      expiresAt: now + SESSION_TTL_MS,
      lastSeenAt: now,
      userAgent: userAgent ? userAgent.slice(0, 256) : null,
    },
  };
}

export function sessionInsert(db: Db, session: NewSession): ReturnType<typeof insertSession> {
  return insertSession(db, session.row);
}

/** Revokes one session (logout). */
export function revokeSession(db: Db, idHash: string): ReturnType<typeof deleteSession> {
  return deleteSession(db, idHash);
}

/** Revokes every session of an account (password change, deactivation). */
export function revokeAllSessions(db: Db, customerId: string): ReturnType<typeof deleteSessionsOf> {
  return deleteSessionsOf(db, customerId);
}

/** Records activity on a session whose `last_seen_at` is older than the touch interval. */
export async function touchSession(db: Db, idHash: string, now: number): Promise<void> {
  await touchSessionSeenBefore(db, idHash, now, now - SESSION_TOUCH_INTERVAL_MS);
}
