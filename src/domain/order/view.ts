/**
 * An order as a viewer may see it (DESIGN.md, "Contract details"): the owner gets the order, its current
 * payment and timeline; staff also get the fraud assessment, every payment attempt and where it came from.
 */
import { HOLDS_RESERVATION, type TimelineEntry } from "../order-machine";
import type { Attempt, OrderDoc, OrderView, PaymentSummary, StaffOrderView, Viewer } from "./types";

export function orderView(
  doc: OrderDoc,
  attempts: readonly Attempt[],
  timeline: TimelineEntry[],
  viewer: Viewer,
): OrderView | StaffOrderView {
  const summary = (a: Attempt): PaymentSummary => ({
    id: a.id,
    attempt: a.seq,
    status: a.status,
    method: a.methodLabel,
    amountCents: a.amountCents,
    refundedCents: a.refundedCents,
    declineCode: a.declineCode,
  });
  const current = attempts.find((a) => a.id === doc.currentPaymentId);
  const view: OrderView = {
    id: doc.id,
    status: doc.status,
    version: doc.version,
    items: doc.items,
    totals: doc.totals,
    email: doc.email,
    shippingAddress: doc.shippingAddress,
    ...(doc.phone ? { phone: doc.phone } : {}),
    expiresAt: HOLDS_RESERVATION.includes(doc.status) ? doc.expiresAt : null,
    timeline,
    customerId: doc.customerId,
    trackingNumber: doc.trackingNumber,
    payment: current ? summary(current) : null,
    refundedCents: doc.refundedCents,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
  if (viewer !== "staff") return view;
  return { ...view, risk: doc.risk, payments: attempts.map(summary), ip: doc.ip, country: doc.country };
}
