/**
 * The customer's commands on their own subscription: cancel, pause, resume, skip a month and undo the skip. Each loads the row, asks the rules of
 * src/domain/billing.ts and writes the change with a conditional update, so a command racing the billing run (or
 * itself) changes the row once.
 */
import { outboxInserts } from "../../adapters/event-bus";
import { type Db, getDb } from "../../db/client";
import {
  cancelSubscriptionRow,
  moveSubscriptionChargeDate,
  pauseActiveSubscription,
  resumePausedSubscription,
  voidOpenSubscriptionInvoices,
} from "../../db/subscription-changes";
import {
  billingOf,
  ownSubscription,
  type PlanRow,
  type SubscriptionRow,
  type SubscriptionView,
  subscriptionView,
} from "../../db/subscriptions";
import { afterCancel, afterPause, afterResume } from "../../domain/billing";
import { endAfterCancel, skipNextMonth, undoSkip } from "../../domain/subscription-care";
import { publishLogged } from "../subscribers/invoices";
import { cancelledEvent } from "./cancelled-event";

/**
 * Cancels the customer's subscription `id`: no further charges, the box runs to the end of the paid period (no
 * refund), an open invoice is voided, UserSubscriptionCancelled is emitted once. Cancelling again answers the
 * same. Null when the customer has no such subscription.
 */
export async function cancelSubscription(
  env: Env,
  customerId: string,
  id: string,
  now = Date.now(),
): Promise<SubscriptionView | null> {
  const db = getDb(env.DB);
  const found = await ownSubscription(db, customerId, id);
  if (!found) return null;
  const change = afterCancel(billingOf(found.sub), now);
  if (!change) return subscriptionView(found.sub, found.plan);
  const event = cancelledEvent(found.sub, now);
  await db.batch([
    // A skip not yet begun is dropped: the box runs to the end of what was paid, not past the skipped month.
    cancelSubscriptionRow(db, id, found.sub.currentPeriodEnd, change, endAfterCancel(found.sub, now)),
    voidOpenSubscriptionInvoices(db, id),
    ...outboxInserts(db, [event]),
  ]);
  // Read back: a cancel racing this one (or the billing run giving up) may have written first.
  const after = await ownSubscription(db, customerId, id);
  await publishLogged(env, [event.id]);
  return after ? subscriptionView(after.sub, after.plan) : null;
}

export type CareResult =
  | { ok: true; subscription: SubscriptionView }
  | { ok: false; reason: "not_found" | "invalid_state" };

/** Pauses the customer's active subscription: no charge while paused (src/domain/billing.ts `afterPause`). */
export async function pauseSubscription(
  env: Env,
  customerId: string,
  id: string,
  now = Date.now(),
): Promise<CareResult> {
  const db = getDb(env.DB);
  const found = await ownSubscription(db, customerId, id);
  if (!found) return { ok: false, reason: "not_found" };
  if (found.sub.status === "paused") return { ok: true, subscription: subscriptionView(found.sub, found.plan) };
  if (!afterPause(found.sub)) return { ok: false, reason: "invalid_state" };
  const row = await pauseActiveSubscription(db, id, now);
  if (!row) return { ok: false, reason: "invalid_state" };
  return { ok: true, subscription: subscriptionView(row, found.plan) };
}

/** Resumes a paused subscription; months skipped are not charged (src/domain/billing.ts `afterResume`). */
export async function resumeSubscription(
  env: Env,
  customerId: string,
  id: string,
  now = Date.now(),
): Promise<CareResult> {
  const db = getDb(env.DB);
  const found = await ownSubscription(db, customerId, id);
  if (!found) return { ok: false, reason: "not_found" };
  if (found.sub.status === "active") return { ok: true, subscription: subscriptionView(found.sub, found.plan) };
  const change = afterResume(billingOf(found.sub), now);
  if (!change) return { ok: false, reason: "invalid_state" };
  const row = await resumePausedSubscription(db, id, change);
  if (!row) return { ok: false, reason: "invalid_state" };
  return { ok: true, subscription: subscriptionView(row, found.plan) };
}

/**
 * Skips the next month (src/domain/subscription-care.ts `skipNextMonth`): no charge and no box for it, the next
 * charge moves one month on. Skipping again while the skip is pending answers the same.
 */
export async function skipMonth(env: Env, customerId: string, id: string, now = Date.now()): Promise<CareResult> {
  const db = getDb(env.DB);
  const found = await ownSubscription(db, customerId, id);
  if (!found) return { ok: false, reason: "not_found" };
  const change = skipNextMonth(careOf(found.sub), now);
  if (!change.ok) return change;
  return moveChargeDate(db, found, change, now);
}

/** Undoes a pending skip before its month starts: the next charge goes back to the date it moved from. */
export async function unskipMonth(env: Env, customerId: string, id: string, now = Date.now()): Promise<CareResult> {
  const db = getDb(env.DB);
  const found = await ownSubscription(db, customerId, id);
  if (!found) return { ok: false, reason: "not_found" };
  const change = undoSkip(careOf(found.sub), now);
  if (!change.ok) return change;
  return moveChargeDate(db, found, change, now);
}

const careOf = (row: SubscriptionRow) => ({ ...billingOf(row), skippedFrom: row.skippedFrom });

/** Writes a skip or its undo, only if the billing run has not moved the charge date meanwhile. */
async function moveChargeDate(
  db: Db,
  found: { sub: SubscriptionRow; plan: Pick<PlanRow, "name" | "priceCents" | "currency"> },
  change: { currentPeriodEnd: number; skippedFrom: number | null },
  now: number,
): Promise<CareResult> {
  if (change.currentPeriodEnd === found.sub.currentPeriodEnd) {
    return { ok: true, subscription: subscriptionView(found.sub, found.plan, now) };
  }
  const row = await moveSubscriptionChargeDate(db, found.sub.id, found.sub.currentPeriodEnd, change);
  if (!row) return { ok: false, reason: "invalid_state" };
  return { ok: true, subscription: subscriptionView(row, found.plan, now) };
}
