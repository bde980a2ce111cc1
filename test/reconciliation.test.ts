import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type DriftKind, findDrift, mergeLedgers, type OrderTruth, type SkuLedger } from "../src/domain/reconciliation";
import { stockStub } from "../src/services/stock/stock";
import { RECONCILE_CRON, reconcile } from "../src/services/workflows/reconciliation";
import { runScheduled } from "../src/services/workflows/scheduled";
import { call } from "./helpers";
import { placeOrder, product, signedIn } from "./order-fixtures";

const NOW = 1_800_000_000_000;
const truth = (over: Partial<OrderTruth> = {}): OrderTruth => ({
  id: "ord_a",
  status: "confirmed",
  version: 3,
  updatedAt: NOW - 60_000,
  expiresAt: null,
  items: [{ sku: "S", qty: 2 }],
  refundedCents: 0,
  currentPaymentId: "pay_1",
  payments: [{ id: "pay_1", status: "captured", amountCents: 5000, refundedCents: 0 }],
  ...over,
});
const ledger = (over: Partial<SkuLedger> = {}): SkuLedger => ({
  sku: "S",
  level: { onHand: 8, reserved: 0, available: 8 },
  reservations: [],
  sales: [{ orderId: "ord_a", qty: 2, returned: false }],
  ...over,
});
const kinds = (t: OrderTruth, l: SkuLedger = ledger(), mirror?: { status: string; version: number }) =>
  findDrift({
    now: NOW,
    graceMs: 0,
    since: 0,
    orders: [
      {
        mirror: {
          id: t.id,
          status: mirror?.status ?? t.status,
          version: mirror?.version ?? t.version,
          payments: t.payments,
        },
        truth: t,
      },
    ],
    truthOf: new Map([[t.id, t]]),
    ledgers: [l],
  }).map((d) => d.kind);

describe("finding drift", () => {
  it("finds nothing when the order, its payment, the mirror and the ledger agree", () => {
    expect(kinds(truth())).toEqual([]);
  });

  it("names each disagreement with an action for a clerk", () => {
    const cases: [OrderTruth, SkuLedger, DriftKind[], { status: string; version: number }?][] = [
      [truth(), ledger(), ["mirror_stale"], { status: "payment_pending", version: 2 }],
      [
        truth({
          payments: [
            { id: "pay_1", status: "captured", amountCents: 5000, refundedCents: 0 },
            { id: "pay_2", status: "captured", amountCents: 5000, refundedCents: 0 },
          ],
        }),
        ledger(),
        ["double_capture"],
      ],
      [truth({ payments: [] }), ledger(), ["confirmed_without_capture"]],
      [
        truth({ status: "cancelled" }),
        ledger({ sales: [{ orderId: "ord_a", qty: 2, returned: true }] }),
        ["capture_on_cancelled_order"],
      ],
      [
        truth({
          status: "cancelled",
          payments: [{ id: "pay_1", status: "authorized", amountCents: 5000, refundedCents: 0 }],
        }),
        ledger({ sales: [] }),
        ["authorization_not_voided"],
      ],
      [truth(), ledger({ sales: [] }), ["sale_missing"]],
      [truth(), ledger({ sales: [{ orderId: "ord_a", qty: 3, returned: false }] }), ["sale_quantity"]],
      [
        truth({
          status: "cancelled",
          payments: [{ id: "pay_1", status: "refunded", amountCents: 5000, refundedCents: 5000 }],
        }),
        ledger(),
        ["sale_not_returned"],
      ],
      [
        truth(),
        ledger({
          level: { onHand: 8, reserved: 1, available: 7 },
          reservations: [{ orderId: "ord_a", qty: 1, expiresAt: NOW + 1 }],
        }),
        ["reservation_orphaned"],
      ],
      [truth(), ledger({ level: { onHand: 8, reserved: 0, available: 9 } }), ["ledger_arithmetic"]],
      [
        truth({ status: "reserved", expiresAt: NOW + 60_000, payments: [], currentPaymentId: null }),
        ledger({ sales: [] }),
        ["reservation_missing"],
      ],
    ];
    for (const [t, l, expected, mirror] of cases) expect(kinds(t, l, mirror), expected.join()).toEqual(expected);
  });

  it("reads a sharded SKU's parent and shards as one ledger, counting an order held in two of them once", () => {
    const merged = mergeLedgers("S", [
      {
        level: { onHand: 4, reserved: 1, available: 3 },
        reservations: [{ orderId: "o1", qty: 1, expiresAt: 5 }],
        sales: [],
      },
      {
        level: { onHand: 5, reserved: 2, available: 3 },
        reservations: [{ orderId: "o1", qty: 2, expiresAt: 9 }],
        sales: [{ orderId: "ord_a", qty: 2, returned: false }],
      },
    ]);
    expect(merged).toEqual({
      sku: "S",
      level: { onHand: 9, reserved: 3, available: 6 },
      reservations: [{ orderId: "o1", qty: 3, expiresAt: 9 }],
      sales: [{ orderId: "ord_a", qty: 2, returned: false }],
    });
  });

  it("leaves an order that changed within the grace period alone", () => {
    const fresh = truth({ updatedAt: NOW - 1_000, payments: [] });
    const drift = findDrift({
      now: NOW,
      graceMs: 60_000,
      since: 0,
      orders: [{ mirror: { id: "ord_a", status: "reserved", version: 1, payments: [] }, truth: fresh }],
      truthOf: new Map([["ord_a", fresh]]),
      ledgers: [ledger({ sales: [] })],
    });
    expect(drift).toEqual([]);
  });
});

describe("the reconciliation check", () => {
  it("reports a D1 mirror that fell behind its order object and a reservation no order holds", async () => {
    const sku = await product({ onHand: 5 });
    const o = await placeOrder([{ sku, qty: 1 }]);
    await env.DB.prepare("UPDATE orders SET status = 'payment_pending', version = 2 WHERE id = ?").bind(o.id).run();
    await stockStub(env, sku).reserve(sku, "ord_ghostghostghostghost", 2, 60_000);
    const report = await reconcile(env, { graceMs: 0 });
    expect(report.drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "mirror_stale", orderId: o.id }),
        expect.objectContaining({ kind: "reservation_orphaned", sku, orderId: "ord_ghostghostghostghost" }),
      ]),
    );
  });

  it("answers staff on GET /api/admin/reconciliation and refuses customers", async () => {
    const staff = await signedIn("staff");
    const res = await call("GET", "/api/admin/reconciliation?days=1", { headers: staff.headers });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      checkedAt: expect.any(Number),
      orders: expect.any(Number),
      drift: expect.any(Array),
    });
    expect((await call("GET", "/api/admin/reconciliation?days=99", { headers: staff.headers })).status).toBe(400);
    const customer = await signedIn("customer");
    expect((await call("GET", "/api/admin/reconciliation", { headers: customer.headers })).status).toBe(403);
  });

  it("runs from the hourly cron", async () => {
    await expect(runScheduled(RECONCILE_CRON, env, Date.now())).resolves.toBeUndefined();
  });
});
