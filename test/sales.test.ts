import { createMessageBatch } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newEvent } from "../src/adapters/event-bus";
import { HELD_ORDERS_SQL } from "../src/db/sales";
import type { EventEnvelope } from "../src/domain/events";
import { addDays, buildSeries, localSlot, salesFactOf, slotStart } from "../src/domain/sales";
import { consumeEvents } from "../src/services/subscribers/event-consumer";
import { salesRollupSubscriber } from "../src/services/subscribers/sales-rollup";
import { call, sessionFor, waitFor } from "./helpers";
import { pay, placeOrder, product, waitForStatus } from "./order-fixtures";

const PARIS = "Europe/Paris";

/** Delivers `events` to the rollup alone, as the queue would (each call is one delivery). */
async function deliver(...events: EventEnvelope[]) {
  const batch = createMessageBatch(
    "shop-events",
    events.map((body, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  await consumeEvents(batch, env, [salesRollupSubscriber]);
}

function at<E extends EventEnvelope>(event: E, occurredAt: number): E {
  return { ...event, occurredAt };
}

const confirmed = (orderId: string, totalCents: number, items = [{ sku: "BR-A", qty: 2, unitPriceCents: 1_000 }]) =>
  newEvent("OrderConfirmed", `order:${orderId}`, {
    orderId,
    customerId: null,
    email: "a@example.com",
    items,
    totalCents,
    currency: "EUR",
  });

const refunded = (orderId: string, amountCents: number) =>
  newEvent("PaymentProcessed", `payment:pay_${orderId}`, {
    paymentId: `pay_${orderId}`,
    orderId,
    subscriptionId: null,
    status: "refunded",
    amountCents,
    currency: "EUR",
  });

const cancelled = (orderId: string, refundedCents: number) =>
  newEvent("OrderCancelled", `order:${orderId}`, {
    orderId,
    email: "a@example.com",
    customerId: null,
    reason: "customer",
    by: "customer",
    refundedCents,
  });

describe("sales calendar (pure)", () => {
  it("puts an instant in the shop's local day and hour, not UTC's", () => {
    // 23:30 UTC on 27 November is 00:30 on the 28th in Paris (UTC+1 in winter).
    expect(localSlot(Date.UTC(2026, 10, 27, 23, 30), PARIS)).toEqual({ day: "2026-11-28", hour: 0 });
    expect(localSlot(Date.UTC(2026, 5, 1, 21, 59), PARIS)).toEqual({ day: "2026-06-01", hour: 23 });
  });

  it("finds the instant a local hour starts, on both sides of a daylight-saving change", () => {
    expect(slotStart("2026-11-28", 0, PARIS)).toBe(Date.UTC(2026, 10, 27, 23));
    expect(slotStart("2026-07-01", 0, PARIS)).toBe(Date.UTC(2026, 5, 30, 22));
    // 29 March 2026: clocks go from 02:00 to 03:00 in Paris, so 03:00 local is 01:00 UTC.
    expect(slotStart("2026-03-29", 3, PARIS)).toBe(Date.UTC(2026, 2, 29, 1));
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("zero-fills a series and keeps the shop's currency first", () => {
    const series = buildSeries(
      [
        { day: "2026-11-02", hour: 0, currency: "USD", orders: 1, grossCents: 500, refundCents: 0, cancellations: 0 },
        {
          day: "2026-11-01",
          hour: 0,
          currency: "EUR",
          orders: 2,
          grossCents: 3000,
          refundCents: 1000,
          cancellations: 1,
        },
      ],
      { from: "2026-11-01", to: "2026-11-03", interval: "day", timeZone: PARIS, shopCurrency: "EUR" },
    );
    expect(series.map((s) => s.currency)).toEqual(["EUR", "USD"]);
    expect(series[0]?.points.map((p) => [p.bucket, p.orders, p.netCents])).toEqual([
      ["2026-11-01", 2, 2000],
      ["2026-11-02", 0, 0],
      ["2026-11-03", 0, 0],
    ]);
    expect(series[0]?.totals).toMatchObject({ orders: 2, grossCents: 3000, averageOrderCents: 1500 });
  });

  it("counts a confirmation as a sale, a refund and a paid cancellation against their own day, and ignores the rest", () => {
    expect(salesFactOf(confirmed("o1", 2_400), "EUR")?.fact).toMatchObject({ orders: 1, grossCents: 2_400 });
    expect(salesFactOf(refunded("o1", 700), "EUR")?.fact).toMatchObject({ orders: 0, refundCents: 700 });
    expect(salesFactOf(cancelled("o1", 2_400), "EUR")?.fact).toMatchObject({ cancellations: 1, refundCents: 0 });
    expect(salesFactOf(cancelled("o2", 0), "EUR")).toBeNull();
    const captured = newEvent("PaymentProcessed", "payment:p", {
      paymentId: "p",
      orderId: "o1",
      subscriptionId: null,
      status: "captured",
      amountCents: 2_400,
      currency: "EUR",
    });
    expect(salesFactOf(captured, "EUR")).toBeNull();
  });
});

describe("the overview's order counts", () => {
  it("reads the held orders' count and oldest hold from an index alone, never from the orders' rows", async () => {
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${HELD_ORDERS_SQL}`).all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail);
    expect(details).toEqual([expect.stringContaining("USING COVERING INDEX orders_status_updated_idx")]);
  });
});

describe("GET /api/admin/sales and /api/admin/overview", () => {
  it("refuses anonymous callers and customers", async () => {
    expect((await call("GET", "/api/admin/overview")).status).toBe(401);
    const customer = await sessionFor("customer");
    const res = await call("GET", "/api/admin/sales", { headers: { cookie: customer.cookie } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
  });

  it("rolls each event up once however often it is delivered, and counts refunds on the day they happen", async () => {
    const staff = await sessionFor("staff");
    const orderId = `ord_${crypto.randomUUID()}`;
    const sale = at(confirmed(orderId, 2_400), Date.UTC(2026, 2, 28, 23, 30)); // 00:30 on the 29th, Paris
    const refund = at(refunded(orderId, 2_400), Date.UTC(2026, 2, 30, 9, 0)); // 11:00 on the 30th (summer time)
    const cancel = at(cancelled(orderId, 2_400), Date.UTC(2026, 2, 30, 9, 0));
    await deliver(sale, sale);
    await deliver(sale, refund, cancel);
    await deliver(refund);

    const byDay = await call("GET", "/api/admin/sales?from=2026-03-28&to=2026-03-30&interval=day", {
      headers: { cookie: staff.cookie },
    });
    expect(byDay.status).toBe(200);
    expect(byDay.body).toMatchObject({ timeZone: PARIS, interval: "day", from: "2026-03-28", to: "2026-03-30" });
    const eur = byDay.body.series.find((s: { currency: string }) => s.currency === "EUR");
    expect(
      eur.points.map((p: any) => [p.bucket, p.orders, p.grossCents, p.refundCents, p.cancellations, p.netCents]),
    ).toEqual([
      ["2026-03-28", 0, 0, 0, 0, 0],
      ["2026-03-29", 1, 2_400, 0, 0, 2_400],
      ["2026-03-30", 0, 0, 2_400, 1, -2_400],
    ]);
    expect(eur.points[1].at).toBe(Date.UTC(2026, 2, 28, 23));

    const byHour = await call("GET", "/api/admin/sales?from=2026-03-29&to=2026-03-29&interval=hour", {
      headers: { cookie: staff.cookie },
    });
    const hours = byHour.body.series.find((s: { currency: string }) => s.currency === "EUR").points;
    expect(hours).toHaveLength(24);
    expect(hours[0]).toMatchObject({ bucket: "2026-03-29T00", orders: 1, grossCents: 2_400 });
  });

  it("folds a delivery of several orders' sales at once, each order and product line counted once", async () => {
    const staff = await sessionFor("staff");
    const noon = Date.UTC(2026, 3, 14, 10, 0); // 12:00 on 14 April, Paris
    const sales = [1_000, 2_000, 3_000].map((cents, i) =>
      at(confirmed(`ord_${crypto.randomUUID()}`, cents, [{ sku: "BR-BATCH", qty: i + 1, unitPriceCents: 500 }]), noon),
    );
    await deliver(...sales);
    await deliver(sales[2] as EventEnvelope, ...sales);

    const res = await call("GET", "/api/admin/sales?from=2026-04-14&to=2026-04-14&interval=day", {
      headers: { cookie: staff.cookie },
    });
    const eur = res.body.series.find((s: { currency: string }) => s.currency === "EUR");
    expect(eur.points[0]).toMatchObject({ bucket: "2026-04-14", orders: 3, grossCents: 6_000 });
  });

  it("answers a bad or too wide range with validation_failed", async () => {
    const staff = await sessionFor("admin");
    const headers = { cookie: staff.cookie };
    const backwards = await call("GET", "/api/admin/sales?from=2026-03-02&to=2026-03-01", { headers });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.code).toBe("validation_failed");
    expect((await call("GET", "/api/admin/sales?from=2026-02-30", { headers })).status).toBe(400);
    expect((await call("GET", "/api/admin/sales?interval=week", { headers })).status).toBe(400);
    const wide = await call("GET", "/api/admin/sales?from=2026-01-01&to=2026-03-01&interval=hour", { headers });
    expect(wide.status).toBe(400);
  });

  it("counts an order held for review in the fraud card, with the time the oldest hold has waited since", async () => {
    const headers = { cookie: (await sessionFor("staff")).cookie };
    const before = (await call("GET", "/api/admin/overview", { headers })).body.fraudReview;
    const order = await placeOrder([{ sku: await product(), qty: 1 }]);
    await pay(order, "tok_riskLevelElevated");
    await waitForStatus(order, "on_hold");
    const after = await waitFor("the overview to count the held order", async () => {
      const res = await call("GET", "/api/admin/overview", { headers });
      return res.body.fraudReview.count === before.count + 1 ? res.body.fraudReview : undefined;
    });
    const row = await env.DB.prepare("SELECT updated_at FROM orders WHERE id = ?")
      .bind(order.id)
      .first<{ updated_at: number }>();
    const heldAt = row?.updated_at as number;
    expect(after.oldestSince).toBe(before.count === 0 ? heldAt : Math.min(before.oldestSince, heldAt));
  });

  it("shows an order confirmed through the real checkout in today's figures, top products and orders to ship", async () => {
    const staff = await sessionFor("staff");
    const headers = { cookie: staff.cookie };
    const before = await call("GET", "/api/admin/overview", { headers });
    expect(before.status).toBe(200);
    const eurBefore = before.body.sales.find((s: { currency: string }) => s.currency === "EUR");

    const sku = await product({ priceCents: 4_000, name: "Overview bangle" });
    const order = await placeOrder([{ sku, qty: 2 }]);
    await pay(order, "tok_visa");
    const done = await waitForStatus(order, "confirmed");

    const after = await waitFor("the overview to count the confirmed order", async () => {
      const res = await call("GET", "/api/admin/overview", { headers });
      const eur = res.body.sales.find((s: { currency: string }) => s.currency === "EUR");
      return eur.today.orders === eurBefore.today.orders + 1 ? res.body : undefined;
    });
    expect(after.today).toBe(localSlot(Date.now(), PARIS).day);
    const eur = after.sales.find((s: { currency: string }) => s.currency === "EUR");
    expect(eur.today.grossCents - eurBefore.today.grossCents).toBe(done.totals.totalCents);
    expect(after.toShip.count).toBeGreaterThanOrEqual(1);
    expect(after.topProducts).toContainEqual({
      sku,
      name: "Overview bangle",
      currency: "EUR",
      qty: 2,
      revenueCents: 8_000,
    });
    for (const card of ["fraudReview", "lowStock", "failedPayments", "renewalsDue"]) {
      expect(after[card].count).toBeTypeOf("number");
    }
  });
});
