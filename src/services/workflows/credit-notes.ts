/**
 * Credit notes: every refund an order keeps (src/domain/refunds.ts) gets one in D1 `credit_notes`, once (unique
 * `refund_id`), with its own sequential, gap-free number taken inside the INSERT (MAX+1, retried when another
 * writer took it first, as invoices are), referring to the order's invoice (made first if the invoice service
 * has not yet). Issued right after the refund by the route, and again (a no-op, or a repair after a crash in
 * between) whenever the invoice is read.
 */
import { asc, eq, sql } from "drizzle-orm";
import { type Db, getDb } from "../../db/client";
import { creditNotes, invoices } from "../../db/schema";
import { type InvoicePaymentState, invoicePaymentState } from "../../domain/credit-notes";
import type { RefundRecord } from "../../domain/refunds";
import { newId } from "../../lib/ids";
import { createOrderInvoice, type InvoiceView, orderInvoice } from "../subscribers/invoices";

const MAX_ATTEMPTS = 5;

export type CreditNoteView = {
  id: string;
  number: number;
  refundId: string;
  orderId: string;
  invoiceId: string | null;
  invoiceNumber: number | null;
  lines: { sku: string; name: string; qty: number; amountCents: number }[];
  amountCents: number;
  currency: string;
  restocked: boolean;
  issuedAt: number;
};

type Order = { id: string; email: string; customerId: string | null; refunds: readonly Omit<RefundRecord, "by">[] };

function insertNumbered(
  db: Db,
  order: Order,
  refund: Omit<RefundRecord, "by">,
  invoice: { id: string; number: number } | null,
) {
  const numbered = db
    .select({
      id: sql`${newId("crn")}`.as("id"),
      number: sql`COALESCE(MAX(${creditNotes.number}), 0) + 1`.as("number"),
      refundId: sql`${refund.id}`.as("refundId"),
      orderId: sql`${order.id}`.as("orderId"),
      invoiceId: sql`${invoice?.id ?? null}`.as("invoiceId"),
      invoiceNumber: sql`${invoice?.number ?? null}`.as("invoiceNumber"),
      customerId: sql`${order.customerId}`.as("customerId"),
      email: sql`${order.email}`.as("email"),
      lines: sql`${JSON.stringify(refund.lines)}`.as("lines"),
      amountCents: sql`${refund.amountCents}`.as("amountCents"),
      currency: sql`${refund.currency}`.as("currency"),
      restocked: sql`${refund.restocked ? 1 : 0}`.as("restocked"),
      issuedAt: sql`${refund.at}`.as("issuedAt"),
    })
    .from(creditNotes)
    .where(sql`true`);
  return db.insert(creditNotes).select(numbered).onConflictDoNothing({ target: creditNotes.refundId });
}

/** Issues the credit note of each of the order's refunds that has none yet. */
export async function issueCreditNotes(env: Env, order: Order): Promise<void> {
  if (order.refunds.length === 0) return;
  const db = getDb(env.DB);
  const issued = new Set(
    (
      await db.select({ refundId: creditNotes.refundId }).from(creditNotes).where(eq(creditNotes.orderId, order.id))
    ).map((r) => r.refundId),
  );
  const missing = order.refunds.filter((r) => !issued.has(r.id));
  if (missing.length === 0) return;
  await createOrderInvoice(env, order.id);
  const invoice =
    (await db
      .select({ id: invoices.id, number: invoices.number })
      .from(invoices)
      .where(eq(invoices.orderId, order.id))
      .get()) ?? null;
  // Oldest refund first, so the numbers follow the order of the refunds.
  for (const refund of missing) {
    for (let attempt = 1; ; attempt++) {
      try {
        await insertNumbered(db, order, refund, invoice).run();
        break;
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !/UNIQUE constraint failed: credit_notes\.number/.test(String(err))) throw err;
      }
    }
  }
}

export async function creditNotesOf(env: Env, orderId: string): Promise<CreditNoteView[]> {
  const rows = await getDb(env.DB)
    .select()
    .from(creditNotes)
    .where(eq(creditNotes.orderId, orderId))
    .orderBy(asc(creditNotes.number));
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    refundId: r.refundId,
    orderId: r.orderId,
    invoiceId: r.invoiceId,
    invoiceNumber: r.invoiceNumber,
    lines: r.lines,
    amountCents: r.amountCents,
    currency: r.currency,
    restocked: r.restocked,
    issuedAt: r.issuedAt,
  }));
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
