/**
 * The notice before a renewal: `SubscriptionPaymentDue`, once per cycle, `SUBSCRIPTION_NOTICE_DAYS` ahead of the
 * charge (rules: src/domain/subscription-care.ts `noticeDue`). The daily run calls it before charging, so a
 * charge date already close gets its notice first. The event's id is derived from the subscription and the
 * charge date, and `notice_sent_for` records the date in the same batch: two runs racing log it once, and a
 * later run finds nothing left to send for that date. The Notifications service turns it into the e-mail
 * (`subscription_payment_due`).
 */
import { outboxInserts } from "../../adapters/event-bus";
import { config } from "../../config";
import { getDb } from "../../db/client";
import { markNoticeSent, unnoticedRenewalsPage } from "../../db/renewals";
import { billingOf } from "../../db/subscriptions";
import { nextPeriod, periodInvoice } from "../../domain/billing";
import { makeEvent } from "../../domain/events";
import { noticeDue, noticeLeadMs } from "../../domain/subscription-care";
import { publishLogged } from "../subscribers/invoices";

const PAGE = 100;

/** Sends every renewal notice due at `now`; answers how many went out. */
export async function sendRenewalNotices(env: Env, now: number): Promise<number> {
  const db = getDb(env.DB);
  const lead = noticeLeadMs(env.SUBSCRIPTION_NOTICE_DAYS);
  let sent = 0;
  let after = "";
  for (;;) {
    const page = await unnoticedRenewalsPage(db, now + lead, after, PAGE);
    for (const { sub, plan } of page) {
      if (!noticeDue(sub, now, lead)) continue;
      const billing = billingOf(sub);
      const draft = periodInvoice(plan, nextPeriod(billing.anchor, sub.currentPeriodEnd), config(env).taxRateBps);
      const event = makeEvent(
        "SubscriptionPaymentDue",
        `subscription:${sub.id}`,
        {
          subscriptionId: sub.id,
          customerId: sub.customerId,
          invoiceId: null,
          amountCents: draft.totalCents,
          currency: draft.currency,
          dueAt: Math.max(sub.currentPeriodEnd, now),
        },
        { id: `evt_due_${sub.id}_${sub.currentPeriodEnd}`, now },
      );
      await db.batch([markNoticeSent(db, sub), ...outboxInserts(db, [event])]);
      await publishLogged(env, [event.id]);
      sent++;
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE) break;
    after = last.sub.id;
  }
  return sent;
}
