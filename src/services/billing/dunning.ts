/**
 * What a renewal charge's outcome does (the dunning rule of src/domain/billing.ts): a capture pays the period's
 * invoice and advances the period; a decline makes the subscription past due, and the last allowed decline
 * cancels it and voids the invoice. The change, the payment row and the events are one D1 batch.
 */
import type { BatchItem } from "drizzle-orm/batch";
import { outboxInserts } from "../../adapters/event-bus";
import type { Db } from "../../db/client";
import {
  advancePaidPeriod,
  insertPayment,
  markInvoicePaid,
  recordDeclinedRenewal,
  voidInvoiceIfOpen,
} from "../../db/renewals";
import { billingOf, type SubscriptionRow } from "../../db/subscriptions";
import { afterPaymentCaptured, afterPaymentDeclined, type BillingChange } from "../../domain/billing";
import type { EventEnvelope } from "../../domain/events";
import { publishLogged } from "../subscribers/invoices";
import { cancelledEvent } from "./cancelled-event";
import { type ChargeOutcome, type ChargeRef, paymentProcessed, paymentRow } from "./charge";

export type RenewalOutcome = "charged" | "declined" | "cancelled";

/** Writes the outcome of one renewal charge of `sub` against its open invoice `invoiceId`. */
export async function applyRenewalOutcome(
  env: Env,
  db: Db,
  { sub, invoiceId, ref, outcome }: { sub: SubscriptionRow; invoiceId: string; ref: ChargeRef; outcome: ChargeOutcome },
  now: number,
): Promise<RenewalOutcome> {
  const change: BillingChange =
    outcome.status === "captured" ? afterPaymentCaptured(billingOf(sub)) : afterPaymentDeclined(billingOf(sub), now);
  const events: EventEnvelope[] = [paymentProcessed(ref, outcome, now)];
  const writes: BatchItem<"sqlite">[] = [insertPayment(db, paymentRow(ref, outcome, ref.token, now))];
  if (outcome.status === "captured") {
    // A customer who cancelled while this charge ran stays cancelled; the period they paid for still starts.
    writes.push(markInvoicePaid(db, invoiceId), advancePaidPeriod(db, sub, change));
  } else {
    writes.push(recordDeclinedRenewal(db, sub.id, change));
    if (change.invoice === "void") {
      writes.push(voidInvoiceIfOpen(db, invoiceId));
      events.push(cancelledEvent(sub, now));
    }
  }
  const [first, ...rest] = [...writes, ...outboxInserts(db, events)];
  if (first) await db.batch([first, ...rest]);
  await publishLogged(
    env,
    events.map((e) => e.id),
  );
  if (outcome.status === "captured") return "charged";
  return change.status === "cancelled" ? "cancelled" : "declined";
}
