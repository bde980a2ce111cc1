/**
 * Credit notes: every refund an order keeps (src/domain/refunds.ts) gets one in D1 `credit_notes`, once (unique
 * `refund_id`), with its own sequential, gap-free number taken inside the INSERT (MAX+1, retried when another
 * writer took it first, as invoices are), referring to the order's invoice (made first if the invoice service
 * has not yet). Issued right after the refund by the route, and again (a no-op, or a repair after a crash in
 * between) whenever the invoice is read.
 */
import { getDb } from "../../db/client";
import {
  type CreditNoteOrder,
  type CreditNoteView,
  insertNumberedCreditNote,
  listCreditNotes,
  orderInvoiceNumber,
  refundsWithCreditNotes,
} from "../../db/credit-notes";
import type { InvoiceView } from "../../db/invoices";
import { type InvoicePaymentState, invoicePaymentState } from "../../domain/credit-notes";
import { createOrderInvoice, orderInvoice } from "../subscribers/invoices";

export type { CreditNoteView };

const MAX_ATTEMPTS = 5;

/** Issues the credit note of each of the order's refunds that has none yet. */
export async function issueCreditNotes(env: Env, order: CreditNoteOrder): Promise<void> {
  if (order.refunds.length === 0) return;
  const db = getDb(env.DB);
  const issued = await refundsWithCreditNotes(db, order.id);
  const missing = order.refunds.filter((r) => !issued.has(r.id));
  if (missing.length === 0) return;
  await createOrderInvoice(env, order.id);
  const invoice = await orderInvoiceNumber(db, order.id);
  // Oldest refund first, so the numbers follow the order of the refunds.
  for (const refund of missing) {
    for (let attempt = 1; ; attempt++) {
      try {
        await insertNumberedCreditNote(db, order, refund, invoice);
        break;
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !/UNIQUE constraint failed: credit_notes\.number/.test(String(err))) throw err;
      }
    }
  }
}

export async function creditNotesOf(env: Env, orderId: string): Promise<CreditNoteView[]> {
  return listCreditNotes(getDb(env.DB), orderId);
}

/** An order's invoice with what was refunded against it: its credit notes, their sum and the state it leaves. */
export type InvoiceWithRefunds = InvoiceView & {
  refundedCents: number;
  paymentState: InvoicePaymentState;
  creditNotes: CreditNoteView[];
};

export async function invoiceWithRefunds(env: Env, orderId: string): Promise<InvoiceWithRefunds | null> {
  const invoice = await orderInvoice(env, orderId);
  if (!invoice) return null;
  const notes = await creditNotesOf(env, orderId);
  const refundedCents = notes.reduce((sum, n) => sum + n.amountCents, 0);
  return {
    ...invoice,
    refundedCents,
    paymentState: invoicePaymentState(invoice.totalCents, refundedCents),
    creditNotes: notes,
  };
}
