/**
 * Credit notes and what they do to an invoice. A refund issues a credit note (its own gap-free number, the
 * invoice it corrects); the invoice then reads "partly refunded" or "refunded" with the amount. Pure.
 */

export type InvoicePaymentState = "paid" | "partly_refunded" | "refunded";

/** The invoice's state once `refundedCents` of its `totalCents` went back (an unpaid invoice keeps its own). */
export function invoicePaymentState(totalCents: number, refundedCents: number): InvoicePaymentState {
  if (refundedCents <= 0) return "paid";
  return refundedCents >= totalCents ? "refunded" : "partly_refunded";
}

/** `CN-0007`: a credit note's number as printed, distinct from an invoice's. */
export function creditNoteLabel(number: number): string {
  return `CN-${String(number).padStart(4, "0")}`;
}
