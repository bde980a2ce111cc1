/** Partial refunds and credit notes through the API (DESIGN.md "Contract additions (second round)"). */
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { creditNotes, payments } from "../src/db/schema";
import { call, waitFor } from "./helpers";
import { getOrder, pay, placeOrder, product, signedIn, stockOf, waitForStatus } from "./order-fixtures";

async function confirmedOrder() {
  const a = await product({ priceCents: 2_500 });
  const b = await product({ priceCents: 1_000 });
  const o = await placeOrder([
    { sku: a, qty: 2 },
    { sku: b, qty: 1 },
  ]);
  const paid = await pay(o, "tok_visa");
  await waitForStatus(o, "confirmed");
  return { o, a, b, paymentId: paid.body.paymentId as string };
}

const refund = (id: string, headers: Record<string, string>, body?: unknown) =>
  call("POST", `/api/admin/orders/${id}/refund`, { headers, body });

describe("a partial refund", () => {
  it("refunds chosen lines with their tax, puts them back in stock, keeps the order and issues a numbered credit note", async () => {
    const { o, a, paymentId } = await confirmedOrder();
    expect(o.body.totals.totalCents).toBe(7_794);
    const staff = await signedIn("staff");
    const res = await refund(o.id, staff.headers, { lines: [{ sku: a, qty: 1 }], restock: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "confirmed", refundedCents: 3_000 });
    expect(res.body.refunds).toEqual([
      expect.objectContaining({
        amountCents: 3_000,
        restocked: true,
        by: staff.id,
        lines: [expect.objectContaining({ sku: a, qty: 1 })],
      }),
    ]);
    expect(res.body.timeline.at(-1).note).toBe(`Refunded 30.00 EUR (1 × Bracelet ${a}; back in stock)`);
    expect(await stockOf(a)).toMatchObject({ onHand: 9, reserved: 0 });

    const notes = await getDb(env.DB).select().from(creditNotes).where(eq(creditNotes.orderId, o.id));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ amountCents: 3_000, refundId: res.body.refunds[0].id, restocked: true });
    expect(notes[0]?.invoiceNumber).toEqual(expect.any(Number));

    await waitFor("the partial refund at the gateway", async () => {
      const row = await getDb(env.DB).select().from(payments).where(eq(payments.id, paymentId)).get();
      return row?.refundedCents === 3_000 ? row : undefined;
    });

    // The owner sees what was refunded, not who refunded it.
    const owner = await getOrder(o);
    expect(owner.body.refunds[0]).toMatchObject({ amountCents: 3_000 });
    expect(owner.body.refunds[0]).not.toHaveProperty("by");
    expect(owner.body.timeline.at(-1).note).toBe(`Refunded 30.00 EUR (1 × Bracelet ${a}; back in stock)`);
  });

  it("takes an amount, numbers credit notes without gaps, and shows them on the invoice", async () => {
    const { o, b } = await confirmedOrder();
    const staff = await signedIn("staff");
    const first = await refund(o.id, staff.headers, { amountCents: 495 });
    expect(first.status).toBe(200);
    const second = await refund(o.id, staff.headers, { lines: [{ sku: b, qty: 1 }] });
    expect(second.body.refundedCents).toBe(495 + 1_200);
    const invoice = await call("GET", `/api/orders/${o.id}/invoice`, { headers: o.auth });
    expect(invoice.status).toBe(200);
    expect(invoice.body).toMatchObject({ refundedCents: 1_695, paymentState: "partly_refunded" });
    const [n1, n2] = invoice.body.creditNotes;
    expect(n2.number).toBe(n1.number + 1);
    expect(invoice.body.creditNotes.map((n: any) => [n.amountCents, n.invoiceNumber])).toEqual([
      [495, invoice.body.number],
      [1_200, invoice.body.number],
    ]);
  });

  it("never refunds more than was paid, nor a line twice, and changes nothing when refused", async () => {
    const { o, a } = await confirmedOrder();
    const staff = await signedIn("staff");
    const over = await refund(o.id, staff.headers, { amountCents: 7_795 });
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe("validation_failed");
    const tooMany = await refund(o.id, staff.headers, { lines: [{ sku: a, qty: 3 }] });
    expect(tooMany.status).toBe(400);
    const unknown = await refund(o.id, staff.headers, { lines: [{ sku: "NOPE", qty: 1 }] });
    expect(unknown.status).toBe(400);
    const restockAlone = await refund(o.id, staff.headers, { amountCents: 100, restock: true });
    expect(restockAlone.status).toBe(400);
    const bad = await refund(o.id, staff.headers, { amountCents: 1.5 });
    expect(bad.status).toBe(400);
    expect((await getOrder(o)).body).toMatchObject({ refundedCents: 0, status: "confirmed" });
    expect(await getDb(env.DB).select().from(creditNotes).where(eq(creditNotes.orderId, o.id))).toEqual([]);
  });

  it("is applied once for one Idempotency-Key, and the rest of the money can then be refunded in full", async () => {
    const { o, a } = await confirmedOrder();
    const staff = await signedIn("staff");
    const headers = { ...staff.headers, "idempotency-key": crypto.randomUUID() };
    const first = await refund(o.id, headers, { lines: [{ sku: a, qty: 1 }] });
    const replay = await refund(o.id, headers, { lines: [{ sku: a, qty: 1 }] });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(replay.body.refunds).toHaveLength(1);

    const rest = await refund(o.id, staff.headers);
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ status: "cancelled", refundedCents: 7_794 });
    expect((await refund(o.id, staff.headers, { amountCents: 1 })).status).toBe(409);
    const invoice = await call("GET", `/api/orders/${o.id}/invoice`, { headers: o.auth });
    expect(invoice.body).toMatchObject({ refundedCents: 7_794, paymentState: "refunded" });
    expect(invoice.body.creditNotes.map((n: any) => n.amountCents)).toEqual([3_000, 4_794]);
  });
});

describe("a shopper cancelling a paid order", () => {
  it("gets a credit note for the refund too", async () => {
    const { o } = await confirmedOrder();
    expect((await call("POST", `/api/orders/${o.id}/cancel`, { headers: o.auth })).status).toBe(200);
    const invoice = await call("GET", `/api/orders/${o.id}/invoice`, { headers: o.auth });
    expect(invoice.body).toMatchObject({ paymentState: "refunded", refundedCents: 7_794 });
    expect(invoice.body.creditNotes).toHaveLength(1);
  });
});
