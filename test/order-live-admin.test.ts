import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { payments } from "../src/db/schema";
import { call, waitFor } from "./helpers";
import {
  eventsOf,
  getOrder,
  openLive,
  type Placed,
  pay,
  placeOrder,
  product,
  signedIn,
  stockOf,
  waitForStatus,
} from "./order-fixtures";

async function confirmedOrder(qty = 1) {
  const sku = await product();
  const o = await placeOrder([{ sku, qty }]);
  const paid = await pay(o, "tok_visa");
  await waitForStatus(o, "confirmed");
  return { o, sku, paymentId: paid.body.paymentId as string };
}

const admin = (path: string, headers: Record<string, string>, body?: unknown) =>
  call("POST", `/api/admin/orders/${path}`, { headers, body });

describe("the order's live socket", () => {
  it("sends every transition as {type, status, version, entry} as it happens", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const live = await openLive(o);
    expect((await pay(o, "tok_visa")).status).toBe(202);
    const messages = await live.until(2);
    expect(messages.slice(0, 2)).toEqual([
      {
        type: "order",
        status: "payment_pending",
        version: 2,
        entry: { version: 2, status: "payment_pending", at: expect.any(Number), note: expect.any(String) },
      },
      {
        type: "order",
        status: "confirmed",
        version: 3,
        entry: { version: 3, status: "confirmed", at: expect.any(Number), note: expect.any(String) },
      },
    ]);
    live.ws.close();
  });

  it("keeps a socket across hibernation: the evicted object wakes and still sends the next transition", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const live = await openLive(o);
    await evictDurableObject(env.ORDER_FLOW.getByName(o.id));
    const res = await call("POST", `/api/orders/${o.id}/cancel`, { headers: o.auth });
    expect(res.status).toBe(200);
    expect((await live.until(1))[0]).toMatchObject({ type: "order", status: "cancelled", version: 2 });
    live.ws.close();
  });

  it("replays every entry after ?since= first, then continues live", async () => {
    const { o } = await confirmedOrder();
    const all = await openLive(o, "since=0");
    expect((await all.until(3)).map((m) => [m.version, m.status])).toEqual([
      [1, "reserved"],
      [2, "payment_pending"],
      [3, "confirmed"],
    ]);
    const missed = await openLive(o, "since=1");
    expect((await missed.until(2)).map((m) => m.version)).toEqual([2, 3]);
    const staff = await signedIn("staff");
    expect((await admin(`${o.id}/ship`, staff.headers, { trackingNumber: "TRACK-1" })).status).toBe(200);
    expect((await missed.until(3))[2]).toMatchObject({ type: "order", status: "shipped", version: 4 });
    expect((await all.until(4))[3]).toMatchObject({ status: "shipped", version: 4 });
    all.ws.close();
    missed.ws.close();
  });

  it("lets staff watch any order and refuses a non-number since", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const staff = await signedIn("staff");
    const bad = await call("GET", `/api/orders/${o.id}/live?since=abc&token=${o.accessToken}`, {
      headers: { upgrade: "websocket" },
    });
    expect(bad.status).toBe(400);
    const plain = await call("GET", `/api/orders/${o.id}/live`, { headers: o.auth });
    expect(plain.status).toBe(400);
    const res = await call("GET", `/api/orders/${o.id}/live?since=0`, {
      headers: { ...staff.headers, upgrade: "websocket" },
    });
    expect(res.status).toBe(101);
  });
});

describe("staff fulfilment", () => {
  it("ships a confirmed order with a tracking number and then delivers it", async () => {
    const { o } = await confirmedOrder();
    const staff = await signedIn("staff");
    const early = await admin(`${o.id}/deliver`, staff.headers);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("invalid_state");

    const shipped = await admin(`${o.id}/ship`, staff.headers, { trackingNumber: "TRACK-42" });
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({ status: "shipped", trackingNumber: "TRACK-42", version: 4 });
    const cancel = await call("POST", `/api/orders/${o.id}/cancel`, { headers: o.auth });
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.code).toBe("invalid_state");

    const delivered = await admin(`${o.id}/deliver`, staff.headers);
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({ status: "delivered", version: 5 });
    expect((await getOrder(o)).body.status).toBe("delivered");
    const all = await eventsOf(o.id);
    expect(all.find((e) => e.type === "OrderShipped")?.data).toMatchObject({ trackingNumber: "TRACK-42", sequence: 4 });
    expect(all.find((e) => e.type === "OrderDelivered")?.data).toMatchObject({ sequence: 5 });
  });

  it("refuses a missing tracking number with 400 and an unknown order with 404", async () => {
    const { o } = await confirmedOrder();
    const staff = await signedIn("staff");
    expect((await admin(`${o.id}/ship`, staff.headers, {})).status).toBe(400);
    expect((await admin(`${o.id}/ship`, staff.headers, { trackingNumber: "" })).status).toBe(400);
    expect((await admin("ord_AAAAAAAAAAAAAAAAAAAAAA/ship", staff.headers, { trackingNumber: "X" })).status).toBe(404);
    expect((await getOrder(o)).body.status).toBe("confirmed");
  });

  it("keeps customers out of the admin routes with 403 and anonymous callers with 401", async () => {
    const { o } = await confirmedOrder();
    const customer = await signedIn();
    for (const [method, path, body] of [
      ["GET", "/api/admin/orders", undefined],
      ["GET", `/api/admin/orders/${o.id}`, undefined],
      ["POST", `/api/admin/orders/${o.id}/ship`, { trackingNumber: "X" }],
      ["POST", `/api/admin/orders/${o.id}/deliver`, undefined],
      ["POST", `/api/admin/orders/${o.id}/cancel`, undefined],
      ["POST", `/api/admin/orders/${o.id}/refund`, undefined],
    ] as const) {
      const asCustomer = await call(method, path, { headers: customer.headers, body });
      expect(asCustomer.status, `${method} ${path}`).toBe(403);
      const anonymous = await call(method, path, { body });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
    }
    expect((await getOrder(o)).body.status).toBe("confirmed");
  });

  it("refunds a delivered order in full once, honouring Idempotency-Key", async () => {
    const { o, paymentId, sku } = await confirmedOrder(2);
    const staff = await signedIn("staff");
    await admin(`${o.id}/ship`, staff.headers, { trackingNumber: "T" });
    await admin(`${o.id}/deliver`, staff.headers);
    const key = crypto.randomUUID();
    const headers = { ...staff.headers, "idempotency-key": key };
    const first = await admin(`${o.id}/refund`, headers);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: "delivered", refundedCents: o.body.totals.totalCents });
    const replay = await admin(`${o.id}/refund`, headers);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    const again = await admin(`${o.id}/refund`, staff.headers);
    expect(again.status).toBe(409);
    await waitFor("the refund", async () => {
      const row = await getDb(env.DB).select().from(payments).where(eq(payments.id, paymentId)).get();
      return row?.status === "refunded" ? row : undefined;
    });
    // The goods left the shop: a refund after shipping does not put them back in stock.
    expect(await stockOf(sku)).toMatchObject({ onHand: 8 });
  });

  it("cancels a confirmed order for staff with a refund and the stock back", async () => {
    const { o, sku } = await confirmedOrder(3);
    const staff = await signedIn("staff");
    const res = await admin(`${o.id}/cancel`, staff.headers);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "cancelled", refundedCents: o.body.totals.totalCents });
    expect(await stockOf(sku)).toMatchObject({ onHand: 10, reserved: 0 });
    const cancelled = (await eventsOf(o.id)).find((e) => e.type === "OrderCancelled");
    expect(cancelled?.data).toMatchObject({ reason: "cancelled_by_staff", by: staff.id });
  });
});

describe("the staff order list", () => {
  it("filters by status and customer and pages with a cursor", async () => {
    const sku = await product({ onHand: 50 });
    const shopper = await signedIn();
    const placed: Placed[] = [];
    for (let i = 0; i < 3; i++)
      placed.push(await placeOrder([{ sku, qty: 1 }], { headers: shopper.headers, email: shopper.email }));
    const staff = await signedIn("staff");
    await call("POST", `/api/orders/${placed[0]?.id}/cancel`, { headers: placed[0]?.auth });

    const mine = await call("GET", `/api/admin/orders?customer=${shopper.id}&limit=2`, { headers: staff.headers });
    expect(mine.status).toBe(200);
    expect(mine.body.orders).toHaveLength(2);
    expect(mine.body.nextCursor).toEqual(expect.any(String));
    const rest = await call("GET", `/api/admin/orders?customer=${shopper.id}&limit=2&cursor=${mine.body.nextCursor}`, {
      headers: staff.headers,
    });
    expect(rest.body.orders).toHaveLength(1);
    expect(rest.body.nextCursor).toBeNull();
    const ids = [...mine.body.orders, ...rest.body.orders].map((r: { id: string }) => r.id);
    expect(ids.sort()).toEqual(placed.map((p) => p.id).sort());
    expect(mine.body.orders[0]).toMatchObject({
      email: shopper.email,
      customerId: shopper.id,
      itemCount: 1,
      totals: { totalCents: expect.any(Number), currency: "EUR" },
    });

    const cancelled = await call("GET", `/api/admin/orders?status=cancelled&customer=${shopper.email}`, {
      headers: staff.headers,
    });
    expect(cancelled.body.orders.map((r: { id: string }) => r.id)).toEqual([placed[0]?.id]);

    const future = await call("GET", `/api/admin/orders?from=${Date.now() + 60_000}`, { headers: staff.headers });
    expect(future.body.orders).toEqual([]);
    const iso = await call("GET", `/api/admin/orders?customer=${shopper.id}&to=2000-01-01`, { headers: staff.headers });
    expect(iso.body.orders).toEqual([]);
  });

  it("refuses filters it does not know with 400", async () => {
    const staff = await signedIn("staff");
    for (const query of ["status=lost", "sort=email", "from=yesterday", "cursor=nope", "limit=500"]) {
      const res = await call("GET", `/api/admin/orders?${query}`, { headers: staff.headers });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
  });

  it("shows staff the risk assessment and every payment attempt of an order", async () => {
    const { o } = await confirmedOrder();
    const staff = await signedIn("staff");
    const res = await call("GET", `/api/admin/orders/${o.id}`, { headers: staff.headers });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: o.id,
      status: "confirmed",
      risk: { score: 0, decision: "pass", reasons: [] },
      payments: [{ attempt: 1, method: "tok_visa" }],
    });
    const owner = await getOrder(o);
    expect(owner.body.risk).toBeUndefined();
    expect(owner.body.payments).toBeUndefined();
  });
});
