/**
 * Subscription care rules (issue 13): skipping one month and the notice before a renewal. Pure: times are UTC
 * milliseconds passed in by the caller.
 *
 * Skip. An active subscription's next charge is at `currentPeriodEnd` (E). Skipping the month moves it one
 * month on: the period starting at E is neither charged nor shipped, and billing resumes at the period after it
 * (counted from the anchor, so the day of month is kept). `skippedFrom` remembers E: until E comes the customer
 * may undo the skip and the next charge goes back to E. One month at a time: skipping again while a skip is
 * pending answers the same. A cancel before E also drops a pending skip (the subscription then runs to E, the
 * end of what was paid).
 *
 * Notice. `SubscriptionPaymentDue` is sent once per cycle, `leadMs` ahead of the charge date: the first daily run
 * at or after `currentPeriodEnd - leadMs` sends it. A charge date that is already close when it is set (a resume
 * after the paid period charges the same day) gets its notice from that run, before the charge. Paused and
 * cancelled subscriptions get none; a skipped month moves the charge date, so its notice waits for the new one.
 */
import { addMonths, type BillingSubscription, DAY_MS, monthsBetween } from "./billing";

export type CareSubscription = Pick<BillingSubscription, "status" | "anchor" | "currentPeriodEnd"> & {
  skippedFrom: number | null;
};

export type SkipChange = { currentPeriodEnd: number; skippedFrom: number | null };

export type CareRefusal = { ok: false; reason: "invalid_state" };

/** Skip the next month at `now`: the next charge moves one month on. */
export function skipNextMonth(sub: CareSubscription, now: number): ({ ok: true } & SkipChange) | CareRefusal {
  if (sub.status !== "active") return { ok: false, reason: "invalid_state" };
  if (pendingSkip(sub, now)) return { ok: true, currentPeriodEnd: sub.currentPeriodEnd, skippedFrom: sub.skippedFrom };
  // A charge date that has passed belongs to the billing run (it is charging or about to): too late to skip it.
  if (sub.currentPeriodEnd <= now) return { ok: false, reason: "invalid_state" };
  const from = sub.currentPeriodEnd;
  return { ok: true, currentPeriodEnd: addMonths(sub.anchor, monthsBetween(sub.anchor, from) + 1), skippedFrom: from };
}

/** Undo a pending skip before its date: the next charge goes back to it. */
export function undoSkip(sub: CareSubscription, now: number): ({ ok: true } & SkipChange) | CareRefusal {
  if (sub.status !== "active" || !pendingSkip(sub, now) || sub.skippedFrom === null) {
    return { ok: false, reason: "invalid_state" };
  }
  return { ok: true, currentPeriodEnd: sub.skippedFrom, skippedFrom: null };
}

/** A skip the customer may still undo: its month has not started. */
export function pendingSkip(sub: Pick<CareSubscription, "skippedFrom">, now: number): boolean {
  return sub.skippedFrom !== null && now < sub.skippedFrom;
}

/** The paid period's end a cancel at `now` keeps: a pending skip is dropped, so nothing unpaid runs on. */
export function endAfterCancel(sub: Pick<CareSubscription, "currentPeriodEnd" | "skippedFrom">, now: number): number {
  return pendingSkip(sub, now) && sub.skippedFrom !== null ? sub.skippedFrom : sub.currentPeriodEnd;
}

/** Days ahead of a renewal its notice goes out, unless configured (`SUBSCRIPTION_NOTICE_DAYS`). */
export const DEFAULT_NOTICE_DAYS = 3;

/** `SUBSCRIPTION_NOTICE_DAYS` as milliseconds: a whole number of days from 0 to 27, else the default. */
export function noticeLeadMs(configured: string | undefined): number {
  const days = configured === undefined || configured.trim() === "" ? Number.NaN : Number(configured);
  const valid = Number.isInteger(days) && days >= 0 && days <= 27;
  return (valid ? days : DEFAULT_NOTICE_DAYS) * DAY_MS;
}

/** Whether the daily run at `now` sends the renewal notice for the charge at `currentPeriodEnd`. */
export function noticeDue(
  sub: Pick<BillingSubscription, "status" | "currentPeriodEnd"> & { noticeSentFor: number | null },
  now: number,
  leadMs: number,
): boolean {
  if (sub.status !== "active" && sub.status !== "past_due") return false;
  if (sub.noticeSentFor === sub.currentPeriodEnd) return false;
  return sub.currentPeriodEnd - leadMs <= now;
}
