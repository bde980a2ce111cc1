/**
 * Cron Triggers (wrangler.toml `triggers.crons`): the outbox sweep, notification retries and housekeeping;
 * daily subscription billing; the hourly reconciliation check.
 */
import { sweepOutbox } from "../../adapters/event-bus";
import { getDb } from "../../db/client";
import { deleteExpiredSessions, deleteIdempotencyKeysBefore } from "../../db/housekeeping";
import { sweepSessionSockets } from "../accounts/session-sockets";
import { runBilling } from "../billing/renewals";
import { pruneCacheTags } from "../catalog/catalog-cache";
import { retryDueNotifications } from "../notifications/notifications";
import { RECONCILE_CRON, runReconciliation } from "./reconciliation";

export const SWEEP_CRON = "*/5 * * * *";
export const DAILY_CRON = "0 6 * * *";

const DAY = 24 * 60 * 60_000;

export async function runScheduled(cron: string, env: Env, now: number): Promise<void> {
  if (cron === SWEEP_CRON) {
    await sweepOutbox(env, now);
    // Messages whose last attempt failed (or whose sender crashed) get their next try with backoff.
    await retryDueNotifications(env, now);
    const db = getDb(env.DB);
    await db.batch([deleteExpiredSessions(db, now), deleteIdempotencyKeysBefore(db, now - DAY)]);
    await sweepSessionSockets(env);
    await pruneCacheTags(env, now);
  }
  if (cron === DAILY_CRON) await runBilling(env, now);
  if (cron === RECONCILE_CRON) await runReconciliation(env, now);
}
