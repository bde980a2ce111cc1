/**
 * The daily billing run (the cron's renewals): each due subscription gets one charge attempt per UTC day,
 * claimed with a conditional update so two runs racing charge once; the period's invoice is written once
 * (unique `invoices(subscription_id, period_start)`), numbered in the shop's one invoice sequence. Before the
 * charge, the renewal goes through the orders' fraud rules (./renewal-fraud.ts): refused is a declined attempt
 * without a charge, review holds it until staff decide (./review.ts). What the charge's outcome does is
 * ./dunning.ts; the notices ahead of renewals are ./notices.ts.
 */
import { type PaymentGateway, paymentGateway } from "../../adapters/payment-gateway";
import { config } from "../../config";
import { type Db, getDb } from "../../db/client";
import { numberedInvoiceStatements, retryOnInvoiceNumber } from "../../db/invoices";
import {
  claimRenewalAttempt,
  dueSubscriptionsPage,
  holdRenewalForReview,
  subscriptionPeriodInvoice,
} from "../../db/renewals";
import { billingOf, type PlanRow, type SubscriptionRow } from "../../db/subscriptions";
import { dueReason, nextPeriod, periodInvoice, startOfUtcDay } from "../../domain/billing";
import { REFUSED_DECLINE_CODE } from "../../domain/renewal-fraud";
import { newId } from "../../lib/ids";
import { publishLogged } from "../subscribers/invoices";
import { type ChargeOutcome, type ChargeRef, charge } from "./charge";
import { applyRenewalOutcome, type RenewalOutcome } from "./dunning";
import { sendRenewalNotices } from "./notices";
import { checkRenewal } from "./renewal-fraud";

export type BillingRunSummary = {
  due: number;
  charged: number;
  declined: number;
  cancelled: number;
  /** Held by the fraud check for staff review: not charged. */
  held: number;
  skipped: number;
  /** Renewal notices sent ahead (src/services/billing/notices.ts). */
  notices: number;
};

/** Candidates are read this many at a time (by id), each charged before the next page is read. */
const PAGE = 100;

/**
 * The daily billing run at `now` (the cron's scheduled time): first the renewal notices due, then every
 * subscription the rules find due gets one charge attempt. A failure with one subscription is logged and does
 * not stop the others.
 */
export async function runBilling(env: Env, now: number): Promise<BillingRunSummary> {
  const db = getDb(env.DB);
  const webhooks: Promise<unknown>[] = [];
  const gateway = paymentGateway(env, (work) => webhooks.push(work));
  const summary: BillingRunSummary = {
    due: 0,
    charged: 0,
    declined: 0,
    cancelled: 0,
    held: 0,
    skipped: 0,
    notices: await sendRenewalNotices(env, now),
  };
  let after = "";
  for (;;) {
    const page = await dueSubscriptionsPage(db, now, after, PAGE);
    for (const row of page) {
      if (dueReason(billingOf(row.sub), now) === null) continue;
      summary.due++;
      try {
        const result = await renew(env, db, gateway, row, now);
        summary[result]++;
      } catch (err) {
        summary.skipped++;
        console.error(
          JSON.stringify({
            level: "error",
            message: "subscription renewal failed",
            id: row.sub.id,
            error: String(err),
          }),
        );
      }
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE) break;
    after = last.sub.id;
  }
  // Keep the invocation alive until the gateway's webhooks (recorded without effect) have landed.
  await Promise.allSettled(webhooks);
  if (summary.due > 0 || summary.notices > 0)
    console.log(JSON.stringify({ level: "info", message: "billing run", now, ...summary }));
  return summary;
}

type RenewalRow = { sub: SubscriptionRow; plan: PlanRow; email: string };

/** One charge attempt for a due subscription: claim today's attempt, make sure the invoice exists, check, charge. */
async function renew(
  env: Env,
  db: Db,
  gateway: PaymentGateway,
  { sub, plan, email }: RenewalRow,
  now: number,
): Promise<RenewalOutcome | "held" | "skipped"> {
  // Of two runs racing, one claims the day's attempt (the rule of `dueReason`: none yet today); the other finds
  // nothing to do. A renewal held for review is not claimed.
  const claimed = await claimRenewalAttempt(db, sub, now, startOfUtcDay(now));
  if (claimed.length === 0) return "skipped";

  const invoice = await periodInvoiceFor(env, db, { sub, plan, email }, now);
  if (invoice?.status !== "open") return "skipped";
  // Every subscription stores its token when it starts; a row without one is declined like an unknown token.
  const token = sub.paymentToken ?? "";

  const gate = await checkRenewal(db, sub, { amountCents: invoice.totalCents, token }, now);
  if (gate.action === "hold") {
    const held = await holdRenewalForReview(db, sub, gate.review);
    return held.length > 0 ? "held" : "skipped";
  }
  return chargeRenewal(env, db, gateway, { sub, invoice, token }, gate.action === "refuse" ? "refused" : "charge", now);
}

/**
 * The invoice of the period after the paid one, written once: an earlier attempt (declined, held or interrupted)
 * left it open, and this finds it.
 */
export async function periodInvoiceFor(env: Env, db: Db, { sub, plan, email }: RenewalRow, now: number) {
  const period = nextPeriod(sub.billingAnchor ?? sub.createdAt, sub.currentPeriodEnd);
  const draft = periodInvoice(plan, period, config(env).taxRateBps);
  const invoiceEventId = newId("evt");
  const statements = numberedInvoiceStatements(
    db,
    {
      id: newId("inv"),
      customerId: sub.customerId,
      orderId: null,
      subscriptionId: sub.id,
      email,
      ...draft,
      status: "open",
      issuedAt: now,
    },
    invoiceEventId,
  );
  await retryOnInvoiceNumber(() => db.batch(statements));
  await publishLogged(env, [invoiceEventId]);
  return subscriptionPeriodInvoice(db, sub.id, period.start);
}

/**
 * Charges the open `invoice` with `token`, or, for a renewal the fraud check refused, records the attempt as a
 * declined one (code `refused`) without calling the gateway; then applies the outcome (dunning).
 */
export async function chargeRenewal(
  env: Env,
  db: Db,
  gateway: PaymentGateway,
  {
    sub,
    invoice,
    token,
  }: { sub: SubscriptionRow; invoice: { id: string; totalCents: number; currency: string }; token: string },
  mode: "charge" | "refused",
  now: number,
): Promise<RenewalOutcome> {
  const ref: ChargeRef = {
    paymentId: newId("pay"),
    subscriptionId: sub.id,
    amountCents: invoice.totalCents,
    currency: invoice.currency,
    token,
  };
  const outcome: ChargeOutcome =
    mode === "refused" ? { status: "declined", declineCode: REFUSED_DECLINE_CODE } : await charge(gateway, ref);
  return applyRenewalOutcome(env, db, { sub, invoiceId: invoice.id, ref, outcome }, now);
}
