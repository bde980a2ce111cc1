/**
 * Staff refunds (DESIGN.md: `POST /api/admin/orders/:id/refund {lines?, amountCents?, restock?}`): what a refund
 * request comes to, checked against what is left of the payment. Pure: the OrderFlow object loads the order,
 * asks here, and carries out the plan (the gateway refund task, the stock going back).
 *
 * - No lines and no amount: everything left (the full refund of before).
 * - Lines: each line's price at what was paid, with its share of the order's tax (the order's own tax ratio);
 *   shipping is refunded only by an amount. A line cannot be refunded beyond what was bought minus what was
 *   refunded before.
 * - An amount: that amount, with or without lines (the lines then say what it was for).
 * - Never more than what is left of the payment (captured, or to be captured: tasks run in order).
 * - `restock` puts the refunded lines' units back in stock; it needs lines.
 */
import type { PricedItem, Totals } from "./pricing";

export type RefundLineRequest = { sku: string; qty: number };
export type RefundRequest = { lines?: RefundLineRequest[]; amountCents?: number; restock?: boolean };

export type RefundedLine = { sku: string; name: string; qty: number; amountCents: number };

/** One refund as the order keeps it (shown in the timeline, on the credit note). */
export type RefundRecord = {
  id: string;
  amountCents: number;
  currency: string;
  lines: RefundedLine[];
  restocked: boolean;
  at: number;
  /** The staff member's id: staff view only. */
  by: string;
};

export type RefundPlan =
  | {
      ok: true;
      amountCents: number;
      lines: RefundedLine[];
      /** Units going back to stock, by SKU (empty unless `restock`). */
      restock: RefundLineRequest[];
      /** Everything left of the payment is refunded by this one. */
      full: boolean;
    }
  | { ok: false; code: "validation_failed" | "invalid_state"; message: string; details?: unknown };

export type RefundableOrder = {
  items: readonly PricedItem[];
  totals: Totals;
  /** Refunded so far (partial refunds and amendments). */
  refundedCents: number;
  /** The payment's amount: nothing beyond it is ever refunded. */
  paidCents: number;
  refunds: readonly RefundRecord[];
};

/** The empty request: everything left, as the console's "Refund all" sends it. */
export const isWholeRefund = (r: RefundRequest) => r.lines === undefined && r.amountCents === undefined;

/** `qty` units of `item` at the price paid, with their share of the order's tax. */
export function lineRefundCents(item: PricedItem, qty: number, totals: Totals): number {
  const net = item.unitPriceCents * qty;
  const taxable = totals.subtotalCents + totals.shippingCents;
  const tax = taxable > 0 ? Math.floor((net * totals.taxCents + Math.floor(taxable / 2)) / taxable) : 0;
  return net + tax;
}

/** Units of each SKU refunded by earlier refunds. */
export function refundedUnits(refunds: readonly Pick<RefundRecord, "lines">[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const r of refunds) for (const l of r.lines) units.set(l.sku, (units.get(l.sku) ?? 0) + l.qty);
  return units;
}

/** Units of each SKU put back in stock by earlier refunds. */
export function restockedUnits(refunds: readonly RefundRecord[]): Map<string, number> {
  return refundedUnits(refunds.filter((r) => r.restocked));
}

export function planRefund(order: RefundableOrder, request: RefundRequest): RefundPlan {
  const left = order.paidCents - order.refundedCents;
  if (left <= 0) return { ok: false, code: "invalid_state", message: "Nothing left to refund on this order" };

  const merged = new Map<string, number>();
  for (const l of request.lines ?? []) merged.set(l.sku, (merged.get(l.sku) ?? 0) + l.qty);
  const before = refundedUnits(order.refunds);
  const problems: { path: string; sku: string; message: string }[] = [];
  const lines: RefundedLine[] = [];
  for (const [sku, qty] of merged) {
    const item = order.items.find((i) => i.sku === sku);
    if (!item) {
      problems.push({ path: "lines", sku, message: `${sku} is not in this order` });
      continue;
    }
    const open = item.qty - (before.get(sku) ?? 0);
    if (qty > open) {
      problems.push({ path: "lines", sku, message: `Only ${open} of ${sku} can still be refunded` });
      continue;
    }
    lines.push({ sku, name: item.name, qty, amountCents: lineRefundCents(item, qty, order.totals) });
  }
  if (problems.length > 0) {
    return { ok: false, code: "validation_failed", message: "Some lines cannot be refunded", details: problems };
  }
  if (request.restock && lines.length === 0) {
    return {
      ok: false,
      code: "validation_failed",
      message: "Choose the lines whose stock goes back",
      details: [{ path: "restock", message: "restock needs lines" }],
    };
  }

  const amountCents =
    request.amountCents ?? (lines.length > 0 ? lines.reduce((sum, l) => sum + l.amountCents, 0) : left);
  if (amountCents < 1 || amountCents > left) {
    return {
      ok: false,
      code: "validation_failed",
      message: `A refund is between 0.01 and what is left of the payment (${left} minor units)`,
      details: [{ path: "amountCents", message: "more than what is left", leftCents: left }],
    };
  }
  return {
    ok: true,
    amountCents,
    lines,
    restock: request.restock ? lines.map(({ sku, qty }) => ({ sku, qty })) : [],
    full: amountCents === left,
  };
}

/**
 * What a restock asks of each SKU's stock: the order's sale shrinks to what was bought minus every unit put
 * back so far (this refund's included); 0 returns the sale whole. Asking again changes nothing.
 */
export function stockTargets(
  items: readonly PricedItem[],
  refunds: readonly RefundRecord[],
): { sku: string; keep: number }[] {
  const back = restockedUnits(refunds);
  return items
    .filter((i) => back.has(i.sku))
    .map((i) => ({ sku: i.sku, keep: Math.max(0, i.qty - (back.get(i.sku) ?? 0)) }));
}

/** The timeline note of a refund: the amount, then what for (no free text, so the shopper may read it too). */
export function refundNote(amount: string, lines: readonly RefundedLine[], restocked: boolean): string {
  if (lines.length === 0) return `Refunded ${amount}`;
  const what = lines.map((l) => `${l.qty} × ${l.name}`).join(", ");
  return `Refunded ${amount} (${what}${restocked ? "; back in stock" : ""})`;
}

/**
 * The record of a refund of everything left (a paid order cancelled by staff or its shopper): every unit not
 * refunded before, at its price with tax; the amount may also hold shipping, so the lines need not add up to it.
 */
export function wholeRefundRecord(args: {
  id: string;
  amountCents: number;
  items: readonly PricedItem[];
  totals: Totals;
  before: readonly RefundRecord[];
  restocked: boolean;
  at: number;
  by: string;
}): RefundRecord {
  const done = refundedUnits(args.before);
  const lines = args.items
    .map((i) => ({ item: i, qty: i.qty - (done.get(i.sku) ?? 0) }))
    .filter(({ qty }) => qty > 0)
    .map(({ item, qty }) => ({
      sku: item.sku,
      name: item.name,
      qty,
      amountCents: lineRefundCents(item, qty, args.totals),
    }));
  return {
    id: args.id,
    amountCents: args.amountCents,
    currency: args.totals.currency,
    lines,
    restocked: args.restocked,
    at: args.at,
    by: args.by,
  };
}
