/**
 * Credit notes in D1 (`credit_notes`): one per refund (unique `refund_id`), with their own gap-free sequence of
 * numbers taken inside the INSERT (MAX+1; a unique conflict on the number means another writer took it first).
 */
import { asc, eq, sql } from "drizzle-orm";
import type { RefundRecord } from "../domain/refunds";
import { newId } from "../lib/ids";
import type { Db } from "./client";
import { creditNotes, invoices } from "./schema";

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

export type CreditNoteOrder = {
  id: string;
  email: string;
  customerId: string | null;
  refunds: readonly Omit<RefundRecord, "by">[];
};

/**
 * Writes the refund's credit note with the next number, unless the refund has one. Fails on a unique conflict
 * of the number (another writer took it between MAX() and the insert): the caller tries again.
 */
export async function insertNumberedCreditNote(
  db: Db,
  order: CreditNoteOrder,
  refund: Omit<RefundRecord, "by">,
  invoice: { id: string; number: number } | null,
): Promise<void> {
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
  await db.insert(creditNotes).select(numbered).onConflictDoNothing({ target: creditNotes.refundId }).run();
}

/** The ids of the refunds of the order that have a credit note. */
export async function refundsWithCreditNotes(db: Db, orderId: string): Promise<Set<string>> {
  const rows = await db
    .select({ refundId: creditNotes.refundId })
    .from(creditNotes)
    .where(eq(creditNotes.orderId, orderId));
  return new Set(rows.map((r) => r.refundId));
}

/** The id and number of the order's invoice, or null when it has none (yet). */
export async function orderInvoiceNumber(db: Db, orderId: string): Promise<{ id: string; number: number } | null> {
  return (
    (await db
      .select({ id: invoices.id, number: invoices.number })
      .from(invoices)
      .where(eq(invoices.orderId, orderId))
      .get()) ?? null
  );
}

/** The order's credit notes, by number. */
export async function listCreditNotes(db: Db, orderId: string): Promise<CreditNoteView[]> {
  const rows = await db
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
