/**
 * Delivery rules for one notification: how long to wait before the next attempt and when to give up. Pure, so
 * the service, the cron sweep and the tests share one answer.
 */

/** Attempts before a message is given up as `failed` (the first try counts). */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** Waits after the 1st, 2nd, 3rd… failed attempt. The cron sweep runs every 5 minutes, so shorter waits round up. */
const BACKOFF_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];

/** How long an attempt in progress holds its row before another worker may take it over (a crashed send). */
export const ATTEMPT_LEASE_MS = 2 * 60_000;

export type AfterFailure = { status: "pending"; nextAttemptAt: number } | { status: "failed" };

/** What happens after attempt number `attempts` (1-based) failed at `now`. */
export function afterFailure(attempts: number, now: number, maxAttempts = DEFAULT_MAX_ATTEMPTS): AfterFailure {
  if (attempts >= maxAttempts) return { status: "failed" };
  const wait = BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length) - 1] ?? BACKOFF_MS[0]!;
  return { status: "pending", nextAttemptAt: now + wait };
}
