/**
 * One subscription charge through the payment gateway (authorize, then capture at once), the payment row it
 * leaves and its PaymentProcessed event. The gateway's payment refs carry the subscription id where an order id
 * would be: its webhooks for these payments find no order and are recorded without effect (the synchronous
 * answer is what counts here).
 */

import { newEvent } from "../../adapters/event-bus";
import type { PaymentGateway } from "../../adapters/payment-gateway";
import type { payments } from "../../db/schema";

export type ChargeRef = {
  paymentId: string;
  subscriptionId: string;
  amountCents: number;
  currency: string;
  token: string;
};
export type ChargeOutcome = { status: "captured" } | { status: "declined"; declineCode: string };

/** Authorizes and at once captures `amountCents`; a decline is an outcome, not an error. */
export async function charge(gateway: PaymentGateway, ref: ChargeRef): Promise<ChargeOutcome> {
  const payment = {
    paymentId: ref.paymentId,
    orderId: ref.subscriptionId,
    amountCents: ref.amountCents,
    currency: ref.currency,
  };
  const authorized = await gateway.authorize({ ...payment, token: ref.token });
  if (authorized.status !== "authorized") {
    return { status: "declined", declineCode: authorized.declineCode ?? "declined" };
  }
  const captured = await gateway.capture(payment, `${ref.paymentId}:capture`);
  if (captured.status !== "captured") return { status: "declined", declineCode: "capture_failed" };
  return { status: "captured" };
}

export function paymentRow(
  ref: ChargeRef,
  outcome: ChargeOutcome,
  methodLabel: string,
  now: number,
): typeof payments.$inferInsert {
  return {
    id: ref.paymentId,
    orderId: null,
    subscriptionId: ref.subscriptionId,
    amountCents: ref.amountCents,
    currency: ref.currency,
    status: outcome.status,
    methodLabel,
    declineCode: outcome.status === "declined" ? outcome.declineCode : null,
    createdAt: now,
    updatedAt: now,
  };
}

export function paymentProcessed(ref: ChargeRef, outcome: ChargeOutcome, now: number) {
  return newEvent(
    "PaymentProcessed",
    `payment:${ref.paymentId}`,
    {
      paymentId: ref.paymentId,
      orderId: null,
      subscriptionId: ref.subscriptionId,
      status: outcome.status,
      amountCents: ref.amountCents,
      currency: ref.currency,
      ...(outcome.status === "declined" ? { declineCode: outcome.declineCode } : {}),
    },
    now,
  );
}
