/**
 * Monthly-box billing rules. Pure: times are UTC milliseconds passed in by the caller, money integer minor units.
 *
 * Periods. A subscription's periods are counted in whole months from its anchor (the moment it started):
 * period n runs from `anchor + n months` to `anchor + (n+1) months`, where adding months keeps the anchor's
 * day of month and time of day and clamps the day to the last day of a shorter month. An anchor of 31 January
 * gives 28 February (29 in a leap year), then 31 March, 30 April, 31 May... Counting from the anchor, never
 * from the previous (clamped) end, is what brings the 31st back after February. Days are UTC days.
 *
 * Due. A subscription that is not cancelled, paused or held for a fraud review is due when its current period
 * has ended and the billing run has not tried to charge it yet on the same UTC day: the daily cron may run twice
 * (retries, a manual trigger) and the second run of a day changes nothing.
 *
 * Invoices. One invoice per period: the plan's price as one line, no shipping (boxes ship free), and tax by
 * the orders' rule (`applyBps` of src/domain/pricing.ts: TAX_RATE_BPS basis points, rounded half up). Plan
 * prices are net, like catalog prices.
 *
 * Payment outcome (the dunning rule):
 * - a captured charge marks the period's invoice paid, advances to the next period, makes the subscription
 *   `active` and clears the failure count;
 * - a declined charge leaves the invoice open and the period where it is, makes the subscription `past_due`
 *   and counts the failure; the daily run tries again the next day;
 * - the MAX_PAYMENT_ATTEMPTS-th declined charge of the same period (the first attempt plus two daily retries)
 *   cancels the subscription and voids the open invoice.
 *
 * Cancelling by the customer stops future charges at once; the box keeps coming until the end of the period
 * already paid (no refund). An invoice still open (a past-due period) is voided. Cancelling twice changes nothing.
 */
import { applyBps } from "./pricing";

export type SubscriptionStatus = "active" | "past_due" | "paused" | "cancelled";

export type Period = { start: number; end: number };

/** What the billing rules read of a subscription. */
export type BillingSubscription = {
  status: SubscriptionStatus;
  /** When the subscription started: the first period's start, from which every period is counted. */
  anchor: number;
  currentPeriodStart: number;
  currentPeriodEnd: number;
  /** Declined charges of the current period. */
  failedPayments: number;
  /** The last time the billing run (or the first charge) tried to charge, or null. */
  lastAttemptAt: number | null;
  /** A renewal the fraud check held for staff review (src/domain/renewal-fraud.ts): not due until decided. */
  held?: boolean;
};

/** Declined charges of one period after which the subscription is cancelled. */
export const MAX_PAYMENT_ATTEMPTS = 3;

export const DAY_MS = 24 * 60 * 60_000;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (0 = January) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** `anchor` moved `months` months on: same time of day, same day of month clamped to the month's last day. */
export function addMonths(anchor: number, months: number): number {
  const a = new Date(anchor);
  const target = a.getUTCMonth() + months;
  const year = a.getUTCFullYear() + Math.floor(target / 12);
  const month = ((target % 12) + 12) % 12;
  const day = Math.min(a.getUTCDate(), daysInMonth(year, month));
  return Date.UTC(year, month, day, a.getUTCHours(), a.getUTCMinutes(), a.getUTCSeconds(), a.getUTCMilliseconds());
}

/** Whole calendar months from `anchor` to `at` (by year and month only). */
export function monthsBetween(anchor: number, at: number): number {
  const a = new Date(anchor);
  const b = new Date(at);
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
}

/** Period `index` (0 is the first) of a subscription anchored at `anchor`. */
export function periodAt(anchor: number, index: number): Period {
  return { start: addMonths(anchor, index), end: addMonths(anchor, index + 1) };
}

/** The period after the one ending at `currentEnd`. */
export function nextPeriod(anchor: number, currentEnd: number): Period {
  return periodAt(anchor, monthsBetween(anchor, currentEnd));
}

/** The UTC day number of a time: two attempts with the same day number were made on the same day. */
export function utcDay(at: number): number {
  return Math.floor(at / DAY_MS);
}

/** The first millisecond of the UTC day of `at`. */
export function startOfUtcDay(at: number): number {
  return utcDay(at) * DAY_MS;
}

export type DueReason = "period_ended" | "retry";

/** Why the billing run at `now` should charge `sub`, or null when it should leave it alone. */
export function dueReason(sub: BillingSubscription, now: number): DueReason | null {
  if (sub.status === "cancelled" || sub.status === "paused") return null;
  if (sub.held) return null;
  if (sub.currentPeriodEnd > now) return null;
  if (sub.lastAttemptAt !== null && utcDay(sub.lastAttemptAt) >= utcDay(now)) return null;
  return sub.status === "past_due" ? "retry" : "period_ended";
}

/** The subscriptions the billing run at `now` charges, in the order given. */
export function dueSubscriptions<T extends BillingSubscription>(subs: readonly T[], now: number): T[] {
  return subs.filter((sub) => dueReason(sub, now) !== null);
}

/** When the next charge is planned: the end of the current period while active, else none. */
export function nextBillingAt(sub: Pick<BillingSubscription, "status" | "currentPeriodEnd">): number | null {
  return sub.status === "active" ? sub.currentPeriodEnd : null;
}

export type PlanPrice = { name: string; priceCents: number; currency: string };

export type InvoiceLine = { description: string; qty: number; unitPriceCents: number; lineTotalCents: number };

export type PeriodInvoice = {
  lines: InvoiceLine[];
  subtotalCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
  currency: string;
  periodStart: number;
  periodEnd: number;
};

const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/** The invoice of one period of `plan`: one line, free shipping, tax by the orders' rule. */
export function periodInvoice(plan: PlanPrice, period: Period, taxRateBps: number): PeriodInvoice {
  const subtotalCents = plan.priceCents;
  const taxCents = applyBps(subtotalCents, taxRateBps);
  return {
    lines: [
      {
        description: `${plan.name}, ${isoDay(period.start)} to ${isoDay(period.end)}`,
        qty: 1,
        unitPriceCents: plan.priceCents,
        lineTotalCents: plan.priceCents,
      },
    ],
    subtotalCents,
    shippingCents: 0,
    taxCents,
    totalCents: subtotalCents + taxCents,
    currency: plan.currency,
    periodStart: period.start,
    periodEnd: period.end,
  };
}

/** What a charge outcome or a cancellation changes: the subscription's new fields and the invoice's status. */
export type BillingChange = {
  status: SubscriptionStatus;
  currentPeriodStart: number;
  currentPeriodEnd: number;
  failedPayments: number;
  cancelledAt: number | null;
  /** What becomes of the period's open invoice (paid, left open, or void). */
  invoice: "paid" | "open" | "void";
};

/**
 * Pause: only an active subscription (a past-due one settles its payment first). Nothing is charged while
 * paused; the box already paid for still comes.
 */
export function afterPause(sub: Pick<BillingSubscription, "status">): { status: "paused" } | null {
  return sub.status === "active" ? { status: "paused" } : null;
}

export type ResumeChange = { status: "active"; anchor: number; currentPeriodEnd: number };

/**
 * Resume a paused subscription at `now`. Within the paid period nothing moves: the next charge stays at its end.
 * After it, the months skipped are not charged: billing re-anchors at `now` and the next daily run charges the
 * period starting now (the paid period is marked as ending now, so `nextPeriod(now, now)` is `[now, now + 1 month)`).
 */
export function afterResume(
  sub: Pick<BillingSubscription, "status" | "anchor" | "currentPeriodEnd">,
  now: number,
): ResumeChange | null {
  if (sub.status !== "paused") return null;
  if (now < sub.currentPeriodEnd)
    return { status: "active", anchor: sub.anchor, currentPeriodEnd: sub.currentPeriodEnd };
  return { status: "active", anchor: now, currentPeriodEnd: now };
}

/** A captured charge: the invoice is paid and the next period starts where the paid one ended. */
export function afterPaymentCaptured(sub: BillingSubscription): BillingChange {
  const next = nextPeriod(sub.anchor, sub.currentPeriodEnd);
  return {
    status: "active",
    currentPeriodStart: next.start,
    currentPeriodEnd: next.end,
    failedPayments: 0,
    cancelledAt: null,
    invoice: "paid",
  };
}

/** A declined charge: past due, or cancelled with the invoice voided once MAX_PAYMENT_ATTEMPTS have failed. */
export function afterPaymentDeclined(sub: BillingSubscription, now: number): BillingChange {
  const failedPayments = sub.failedPayments + 1;
  const giveUp = failedPayments >= MAX_PAYMENT_ATTEMPTS;
  return {
    status: giveUp ? "cancelled" : "past_due",
    currentPeriodStart: sub.currentPeriodStart,
    currentPeriodEnd: sub.currentPeriodEnd,
    failedPayments,
    cancelledAt: giveUp ? now : null,
    invoice: giveUp ? "void" : "open",
  };
}

/**
 * The customer cancels: null when already cancelled (nothing changes), else cancelled now, running to the end
 * of the paid period. An invoice still open (a past-due period, or one a billing run left unfinished) is voided.
 */
export function afterCancel(
  sub: Pick<BillingSubscription, "status" | "currentPeriodStart" | "currentPeriodEnd" | "failedPayments">,
  now: number,
): BillingChange | null {
  if (sub.status === "cancelled") return null;
  return {
    status: "cancelled",
    currentPeriodStart: sub.currentPeriodStart,
    currentPeriodEnd: sub.currentPeriodEnd,
    failedPayments: sub.failedPayments,
    cancelledAt: now,
    invoice: "void",
  };
}
