import { describe, expect, it } from "vitest";
import { creditNoteLabel, invoicePaymentState } from "../src/domain/credit-notes";
import type { PricedItem, Totals } from "../src/domain/pricing";
import {
  lineRefundCents,
  planRefund,
  type RefundRecord,
  refundNote,
  stockTargets,
  wholeRefundRecord,
} from "../src/domain/refunds";

const A: PricedItem = { sku: "A", name: "Amber", qty: 2, unitPriceCents: 2_500, lineTotalCents: 5_000 };
const B: PricedItem = { sku: "B", name: "Blue", qty: 1, unitPriceCents: 1_000, lineTotalCents: 1_000 };
// 6000 + 495 shipping, 20 % tax of 6495 = 1299.
const totals: Totals = {
  subtotalCents: 6_000,
  shippingCents: 495,
  taxCents: 1_299,
  totalCents: 7_794,
  currency: "EUR",
};
const order = (refunds: RefundRecord[] = [], refundedCents = 0) => ({
  items: [A, B],
  totals,
  refundedCents,
  paidCents: totals.totalCents,
  refunds,
});
const record = (lines: RefundRecord["lines"], amountCents: number, restocked = false): RefundRecord => ({
  id: `rfd_${amountCents}`,
  amountCents,
  currency: "EUR",
  lines,
  restocked,
  at: 1,
  by: "cus_staff",
});

describe("lineRefundCents", () => {
  it("is the price paid plus the line's share of the order's tax, rounded half up", () => {
    expect(lineRefundCents(A, 1, totals)).toBe(3_000);
    expect(lineRefundCents(B, 1, totals)).toBe(1_200);
  });
});

describe("planRefund", () => {
  it("refunds everything left when asked for neither lines nor an amount", () => {
    expect(planRefund(order([], 1_000), {})).toMatchObject({ ok: true, amountCents: 6_794, lines: [], full: true });
  });

  it("prices chosen lines with their tax and puts them back in stock only when asked", () => {
    const plan = planRefund(order(), { lines: [{ sku: "A", qty: 1 }], restock: true });
    expect(plan).toEqual({
      ok: true,
      amountCents: 3_000,
      lines: [{ sku: "A", name: "Amber", qty: 1, amountCents: 3_000 }],
      restock: [{ sku: "A", qty: 1 }],
      full: false,
    });
    expect(planRefund(order(), { lines: [{ sku: "A", qty: 1 }] })).toMatchObject({ restock: [] });
  });

  it("takes an amount as given, with or without lines", () => {
    expect(planRefund(order(), { amountCents: 495 })).toMatchObject({ ok: true, amountCents: 495, lines: [] });
    expect(planRefund(order(), { lines: [{ sku: "B", qty: 1 }], amountCents: 500 })).toMatchObject({
      amountCents: 500,
      lines: [{ sku: "B", qty: 1, amountCents: 1_200 }],
    });
  });

  it("never refunds more than what is left of the payment", () => {
    const over = planRefund(order([], 7_000), { amountCents: 795 });
    expect(over).toMatchObject({ ok: false, code: "validation_failed" });
    expect(planRefund(order([], 7_000), { amountCents: 794 })).toMatchObject({ ok: true, full: true });
    expect(planRefund(order([], 7_794), {})).toMatchObject({ ok: false, code: "invalid_state" });
  });

  it("refuses a line not in the order, or more units than are left to refund", () => {
    const earlier = record([{ sku: "A", name: "Amber", qty: 1, amountCents: 3_000 }], 3_000);
    expect(planRefund(order([earlier], 3_000), { lines: [{ sku: "A", qty: 2 }] })).toMatchObject({
      ok: false,
      code: "validation_failed",
      details: [{ sku: "A", message: "Only 1 of A can still be refunded" }],
    });
    expect(planRefund(order(), { lines: [{ sku: "Z", qty: 1 }] })).toMatchObject({ ok: false });
    expect(
      planRefund(order(), {
        lines: [
          { sku: "A", qty: 1 },
          { sku: "A", qty: 2 },
        ],
      }),
    ).toMatchObject({ ok: false });
  });

  it("needs lines to put stock back", () => {
    expect(planRefund(order(), { amountCents: 100, restock: true })).toMatchObject({ ok: false });
  });
});

describe("stockTargets", () => {
  it("keeps what was bought minus every unit put back, only for SKUs put back", () => {
    const refunds = [
      record([{ sku: "A", name: "Amber", qty: 1, amountCents: 3_000 }], 3_000, true),
      record([{ sku: "B", name: "Blue", qty: 1, amountCents: 1_200 }], 1_200, false),
    ];
    expect(stockTargets([A, B], refunds)).toEqual([{ sku: "A", keep: 1 }]);
    const again = [...refunds, record([{ sku: "A", name: "Amber", qty: 1, amountCents: 3_000 }], 3_000, true)];
    expect(stockTargets([A, B], again)).toEqual([{ sku: "A", keep: 0 }]);
  });
});

describe("wholeRefundRecord", () => {
  it("lists every unit not refunded before", () => {
    const earlier = record([{ sku: "A", name: "Amber", qty: 1, amountCents: 3_000 }], 3_000);
    const whole = wholeRefundRecord({
      id: "rfd_x",
      amountCents: 4_794,
      items: [A, B],
      totals,
      before: [earlier],
      restocked: true,
      at: 2,
      by: "customer",
    });
    expect(whole.lines.map((l) => [l.sku, l.qty])).toEqual([
      ["A", 1],
      ["B", 1],
    ]);
    expect(whole.amountCents).toBe(4_794);
  });
});

describe("refund notes, credit note labels and invoice states", () => {
  it("says the amount and what for, without free text", () => {
    expect(refundNote("€30.00", [{ sku: "A", name: "Amber", qty: 1, amountCents: 3_000 }], true)).toBe(
      "Refunded €30.00 (1 × Amber; back in stock)",
    );
    expect(refundNote("€4.95", [], false)).toBe("Refunded €4.95");
  });

  it("numbers credit notes CN-0001 and reads an invoice as paid, partly refunded or refunded", () => {
    expect(creditNoteLabel(7)).toBe("CN-0007");
    expect(invoicePaymentState(7_794, 0)).toBe("paid");
    expect(invoicePaymentState(7_794, 3_000)).toBe("partly_refunded");
    expect(invoicePaymentState(7_794, 7_794)).toBe("refunded");
  });
});
