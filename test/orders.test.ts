import { listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { events, idempotencyKeys, orderItems, orders } from "../src/db/schema";
import { idempotencyScope, requestFingerprint } from "../src/http/idempotency";
import { sha256Hex } from "../src/lib/ids";
import { call } from "./helpers";
import {
  ADDRESS,
  eventsOf,
  freshEmail,
  getOrder,
  mirrorOf,
  openLive,
  placeOrder,
  product,
  signedIn,
  stockOf,
  typesOf,
} from "./order-fixtures";

const orderBody = (items: unknown, email = freshEmail()) => ({ items, email, shippingAddress: ADDRESS });
const ordersByEmail = (email: string) => getDb(env.DB).select().from(orders).where(eq(orders.email, email));

describe("placing an order", () => {
  it("answers 201 with server prices, totals, expiry, timeline and an access token, and reserves the stock", async () => {
    const a = await product({ priceCents: 2_500 });
    const b = await product({ priceCents: 1_000 });
    const email = freshEmail();
    const before = Date.now();
    const res = await call("POST", "/api/orders", {
      body: {
        items: [
          { sku: a, qty: 2 },
          { sku: b, qty: 1 },
          { sku: a, qty: 1 },
        ],
        email: `  ${email.toUpperCase()} `,
        shippingAddress: { ...ADDRESS, country: "de" },
        phone: "+49 30 1234567",
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^ord_/),
      status: "reserved",
      version: 1,
      items: [
        { sku: a, name: `Bracelet ${a}`, qty: 3, unitPriceCents: 2_500, lineTotalCents: 7_500 },
        { sku: b, name: `Bracelet ${b}`, qty: 1, unitPriceCents: 1_000, lineTotalCents: 1_000 },
      ],
      // 8500 + 495 shipping; tax 20% of 8995 = 1799
      totals: { subtotalCents: 8_500, shippingCents: 495, taxCents: 1_799, totalCents: 10_794, currency: "EUR" },
      email,
      shippingAddress: { ...ADDRESS, country: "DE" },
      phone: "+49 30 1234567",
      timeline: [{ version: 1, status: "reserved", at: expect.any(Number), note: expect.any(String) }],
      accessToken: expect.any(String),
    });
    expect(res.body.expiresAt).toBeGreaterThanOrEqual(before + 15 * 60_000);
    expect(res.body.expiresAt).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
    expect(await stockOf(a)).toMatchObject({ onHand: 10, reserved: 3, available: 7 });
    expect(await stockOf(b)).toMatchObject({ onHand: 10, reserved: 1, available: 9 });

    const row = await mirrorOf(res.body.id);
    expect(row).toMatchObject({ status: "reserved", version: 1, totalCents: 10_794, email, customerId: null });
    expect(row?.accessTokenHash).toBe(await sha256Hex(res.body.accessToken));
    expect(JSON.stringify(row)).not.toContain(res.body.accessToken);
    const lines = await getDb(env.DB).select().from(orderItems).where(eq(orderItems.orderId, res.body.id));
    expect(lines.map((l) => [l.sku, l.qty]).sort()).toEqual(
      [
        [a, 3],
        [b, 1],
      ].sort(),
    );
    const placed = (await eventsOf(res.body.id)).filter((e) => e.type === "OrderPlaced");
    expect(placed).toHaveLength(1);
    expect(placed[0]?.data).toMatchObject({ sequence: 1, totalCents: 10_794, customerId: null });
  });

  it("makes the signed-in customer the owner, who then reads it without the token", async () => {
    const sku = await product();
    const me = await signedIn();
    const o = await placeOrder([{ sku, qty: 1 }], { headers: me.headers });
    expect(o.body.customerId).toBe(me.id);
    const res = await call("GET", `/api/orders/${o.id}`, { headers: me.headers });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(o.id);
    expect((await mirrorOf(o.id))?.customerId).toBe(me.id);
  });

  it("refuses a client-sent price or total with 400 and reserves nothing", async () => {
    const sku = await product();
    const email = freshEmail();
    for (const body of [
      orderBody([{ sku, qty: 1, priceCents: 1 }], email),
      orderBody([{ sku, qty: 1, unitPriceCents: 1 }], email),
      { ...orderBody([{ sku, qty: 1 }], email), totals: { totalCents: 1 } },
      { ...orderBody([{ sku, qty: 1 }], email), totalCents: 1 },
    ]) {
      const res = await call("POST", "/api/orders", { body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, available: 10 });
    expect(await ordersByEmail(email)).toEqual([]);
  });

  it("refuses a quantity that is zero, negative, fractional, 100, huge or not a number, reserving nothing", async () => {
    const sku = await product();
    for (const qty of [0, -1, 1.5, 100, 1e12, Number.MAX_SAFE_INTEGER + 2, "1", null]) {
      const res = await call("POST", "/api/orders", { body: orderBody([{ sku, qty }]) });
      expect(res.status, `qty ${qty}`).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: "items.0.qty" })]),
      );
    }
    const huge = await call("POST", "/api/orders", {
      raw: `{"items":[{"sku":"${sku}","qty":1e400}],"email":"a@example.com","shippingAddress":${JSON.stringify(ADDRESS)}}`,
      headers: { "content-type": "application/json" },
    });
    expect(huge.status).toBe(400);
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, available: 10 });
  });

  it("refuses more than 99 of one SKU across lines", async () => {
    const sku = await product({ onHand: 500 });
    const res = await call("POST", "/api/orders", {
      body: orderBody([
        { sku, qty: 60 },
        { sku, qty: 40 },
      ]),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ sku, reason: "qty_too_large" })]);
    expect(await stockOf(sku)).toMatchObject({ reserved: 0 });
  });

  it("refuses unknown and inactive SKUs with 400 naming each, and reserves none of the valid lines", async () => {
    const good = await product();
    const retired = await product({ active: false });
    const email = freshEmail();
    const res = await call("POST", "/api/orders", {
      body: orderBody(
        [
          { sku: good, qty: 1 },
          { sku: "NO-SUCH-SKU", qty: 1 },
          { sku: retired, qty: 1 },
        ],
        email,
      ),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ sku: "NO-SUCH-SKU", reason: "unknown_sku" }),
      expect.objectContaining({ sku: retired, reason: "inactive" }),
    ]);
    expect(await stockOf(good)).toMatchObject({ reserved: 0, available: 10 });
    expect(await ordersByEmail(email)).toEqual([]);
  });

  it("refuses an empty order, more than 50 lines, a bad email, a bad country or a missing address", async () => {
    const sku = await product();
    const cases = [
      orderBody([]),
      orderBody(Array.from({ length: 51 }, () => ({ sku, qty: 1 }))),
      orderBody([{ sku, qty: 1 }], "not-an-email"),
      { items: [{ sku, qty: 1 }], email: freshEmail(), shippingAddress: { ...ADDRESS, country: "Germany" } },
      { items: [{ sku, qty: 1 }], email: freshEmail() },
      { items: [{ sku, qty: 1 }], email: freshEmail(), shippingAddress: { ...ADDRESS, extra: "x" } },
    ];
    for (const body of cases) {
      const res = await call("POST", "/api/orders", { body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect(await stockOf(sku)).toMatchObject({ reserved: 0 });
  });

  it("answers 409 out_of_stock with per-SKU details and leaves nothing reserved", async () => {
    const plenty = await product({ onHand: 5 });
    const scarce = await product({ onHand: 1 });
    const none = await product({ onHand: 0 });
    const email = freshEmail();
    const res = await call("POST", "/api/orders", {
      body: orderBody(
        [
          { sku: plenty, qty: 3 },
          { sku: scarce, qty: 2 },
          { sku: none, qty: 1 },
        ],
        email,
      ),
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("out_of_stock");
    expect(res.body.error.details).toEqual([
      { sku: scarce, requested: 2, available: 1 },
      { sku: none, requested: 1, available: 0 },
    ]);
    expect(await stockOf(plenty)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(await stockOf(scarce)).toMatchObject({ onHand: 1, reserved: 0, available: 1 });
    expect(await ordersByEmail(email)).toEqual([]);
  });
});

describe("concurrent checkouts", () => {
  it("never sells more than is on hand when shoppers race for the last units", async () => {
    const sku = await product({ onHand: 3 });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => call("POST", "/api/orders", { body: orderBody([{ sku, qty: 1 }]) })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body.error.details).toEqual([{ sku, requested: 1, available: 0 }]);
    }
    expect(await stockOf(sku)).toMatchObject({ onHand: 3, reserved: 3, available: 0 });
  });

  it("creates one order when the same Idempotency-Key is sent several times at once", async () => {
    const sku = await product();
    const body = orderBody([{ sku, qty: 1 }]);
    const key = crypto.randomUUID();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => call("POST", "/api/orders", { body, headers: { "idempotency-key": key } })),
    );
    for (const r of results) expect([201, 409]).toContain(r.status);
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body.error.code).toBe("idempotency_in_progress");
    }
    expect(await ordersByEmail(body.email)).toHaveLength(1);
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });
  });
});

describe("Idempotency-Key on order creation", () => {
  it("replays the first response for the same key and body and creates one order", async () => {
    const sku = await product();
    const body = orderBody([{ sku, qty: 2 }]);
    const key = crypto.randomUUID();
    const first = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    const again = await call("POST", "/api/orders", {
      // same body with its keys in another order
      body: { shippingAddress: body.shippingAddress, email: body.email, items: body.items },
      headers: { "idempotency-key": key },
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await ordersByEmail(body.email)).toHaveLength(1);
    expect(await stockOf(sku)).toMatchObject({ reserved: 2 });
  });

  it("answers 422 idempotency_key_reused for the same key with a different body", async () => {
    const sku = await product();
    const key = crypto.randomUUID();
    const email = freshEmail();
    const first = await call("POST", "/api/orders", {
      body: orderBody([{ sku, qty: 1 }], email),
      headers: { "idempotency-key": key },
    });
    const other = await call("POST", "/api/orders", {
      body: orderBody([{ sku, qty: 3 }], email),
      headers: { "idempotency-key": key },
    });
    expect(first.status).toBe(201);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });
    expect(await ordersByEmail(email)).toHaveLength(1);
  });

  // A multi-line order claims its key in D1 (a single-line one is held by its SKU's stock: the tests below).
  it("answers 409 idempotency_in_progress while the first request with the key still runs", async () => {
    const [sku, other] = [await product(), await product()];
    const body = orderBody([
      { sku, qty: 1 },
      { sku: other, qty: 1 },
    ]);
    const key = crypto.randomUUID();
    // The first request has claimed the key and is still working.
    await getDb(env.DB)
      .insert(idempotencyKeys)
      .values({
        scope: idempotencyScope("orders.create", "/api/orders", "anon"),
        key,
        requestHash: await requestFingerprint("POST", "/api/orders", JSON.stringify(body)),
        state: "in_progress",
        createdAt: Date.now(),
      });
    const res = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("idempotency_in_progress");
    expect(await stockOf(sku)).toMatchObject({ reserved: 0 });
  });

  it("runs a request whose earlier attempt crashed and left its claim abandoned", async () => {
    const [sku, other] = [await product(), await product()];
    const body = orderBody([
      { sku, qty: 1 },
      { sku: other, qty: 1 },
    ]);
    const key = crypto.randomUUID();
    await getDb(env.DB)
      .insert(idempotencyKeys)
      .values({
        scope: idempotencyScope("orders.create", "/api/orders", "anon"),
        key,
        requestHash: await requestFingerprint("POST", "/api/orders", JSON.stringify(body)),
        state: "in_progress",
        createdAt: Date.now() - 120_000,
      });
    const res = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(res.status).toBe(201);
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });
  });

  /** What the stock remembers an anonymous order request's key by (the ticket's id). */
  const stockKey = async (key: string, body: unknown) => ({
    id: await sha256Hex(`${idempotencyScope("orders.create", "/api/orders", "anon")}\n${key}`),
    requestHash: await requestFingerprint("POST", "/api/orders", JSON.stringify(body)),
  });

  it("replays the created order for its key even once the stock is gone", async () => {
    const sku = await product({ onHand: 1 });
    const body = orderBody([{ sku, qty: 1 }]);
    const key = crypto.randomUUID();
    const first = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(first.status).toBe(201);
    // The order gives its stock back and someone else takes the last unit.
    const cancelled = await call("POST", `/api/orders/${first.body.id}/cancel`, {
      headers: { authorization: `Bearer ${first.body.accessToken}` },
    });
    expect(cancelled.status).toBe(200);
    expect((await call("POST", "/api/orders", { body: orderBody([{ sku, qty: 1 }]) })).status).toBe(201);
    const again = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("keeps a single-line order's key out of D1: its stock holds the key and the order keeps the answer", async () => {
    const sku = await product();
    const body = orderBody([{ sku, qty: 1 }]);
    const key = crypto.randomUUID();
    const first = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(first.status).toBe(201);
    const rows = await getDb(env.DB).select().from(idempotencyKeys);
    expect(rows.filter((r) => r.key === key)).toEqual([]);
    const again = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const other = await call("POST", "/api/orders", {
      body: orderBody([{ sku, qty: 2 }], body.email),
      headers: { "idempotency-key": key },
    });
    expect(other.status).toBe(422);
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });
  });

  it("answers 409 idempotency_in_progress while a request with the key holds stock but has not recorded it", async () => {
    const sku = await product({ onHand: 3 });
    const body = orderBody([{ sku, qty: 1 }]);
    const key = crypto.randomUUID();
    // The first request has reserved and is still on its way to D1.
    const held = await env.PRODUCT_STOCK.getByName(sku).reserve(sku, "ord_first", 1, 60_000, await stockKey(key, body));
    expect(held.ok).toBe(true);
    const res = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("idempotency_in_progress");
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });
  });

  it("runs a request again whose first attempt took stock and died before recording its key", async () => {
    const sku = await product({ onHand: 3 });
    const body = orderBody([{ sku, qty: 1 }]);
    const key = crypto.randomUUID();
    const stock = env.PRODUCT_STOCK.getByName(sku);
    expect((await stock.reserve(sku, "ord_crashed", 1, 60_000, await stockKey(key, body))).ok).toBe(true);
    // Its reservation ends (as at expiry); nothing in D1 names the key.
    await stock.release(sku, "ord_crashed", "expire");
    const res = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(res.status).toBe(201);
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });
    const again = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(again.body.id).toBe(res.body.id);
  });

  it("scopes keys by caller: another shopper's key never replays their order", async () => {
    const sku = await product();
    const key = crypto.randomUUID();
    const alice = await signedIn();
    const bob = await signedIn();
    const body = orderBody([{ sku, qty: 1 }]);
    const a = await call("POST", "/api/orders", { body, headers: { ...alice.headers, "idempotency-key": key } });
    const b = await call("POST", "/api/orders", { body, headers: { ...bob.headers, "idempotency-key": key } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.body.accessToken).not.toBe(a.body.accessToken);
  });
});

describe("a refused shopper", () => {
  const eventCount = async () => (await getDb(env.DB).select({ n: count() }).from(events))[0]?.n ?? 0;
  const keyRows = () => getDb(env.DB).select().from(idempotencyKeys);

  it("is answered by the stock alone: no order object, no order, no idempotency record, no event in D1", async () => {
    const sku = await product({ onHand: 0 });
    await stockOf(sku); // adopted beforehand, so only the order request itself is measured
    const email = freshEmail();
    const key = crypto.randomUUID();
    const eventsBefore = await eventCount();
    const orderObjectsBefore = (await listDurableObjectIds(env.ORDER_FLOW)).length;
    const res = await call("POST", "/api/orders", {
      body: orderBody([{ sku, qty: 1 }], email),
      headers: { "idempotency-key": key },
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "out_of_stock", details: [{ sku, requested: 1, available: 0 }] });
    expect(await ordersByEmail(email)).toEqual([]);
    expect((await keyRows()).filter((r) => r.key === key)).toEqual([]);
    expect(await eventCount()).toBe(eventsBefore);
    expect((await listDurableObjectIds(env.ORDER_FLOW)).length).toBe(orderObjectsBefore);
  });

  it("gets the same refusal again for the same Idempotency-Key, even once stock has arrived", async () => {
    const sku = await product({ onHand: 1 });
    const body = orderBody([{ sku, qty: 2 }]);
    const key = crypto.randomUUID();
    const first = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(first.status).toBe(409);
    await env.PRODUCT_STOCK.getByName(sku).adjust(sku, 5, "restock", "test");
    const again = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const other = await call("POST", "/api/orders", {
      body: orderBody([{ sku, qty: 1 }], body.email),
      headers: { "idempotency-key": key },
    });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_key_reused");
    // A new key is a new request: the stock is there now.
    const fresh = await call("POST", "/api/orders", { body, headers: { "idempotency-key": crypto.randomUUID() } });
    expect(fresh.status).toBe(201);
    expect(await stockOf(sku)).toMatchObject({ onHand: 6, reserved: 2 });
  });

  it("of a multi-line order keeps all or nothing and replays the refusal for the same key", async () => {
    const plenty = await product({ onHand: 5 });
    const none = await product({ onHand: 0 });
    const body = orderBody([
      { sku: plenty, qty: 1 },
      { sku: none, qty: 1 },
    ]);
    const key = crypto.randomUUID();
    const orderObjectsBefore = (await listDurableObjectIds(env.ORDER_FLOW)).length;
    const first = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(first.status).toBe(409);
    expect(first.body.error.details).toEqual([{ sku: none, requested: 1, available: 0 }]);
    expect(await stockOf(plenty)).toMatchObject({ reserved: 0, available: 5 });
    await env.PRODUCT_STOCK.getByName(none).adjust(none, 5, "restock", "test");
    const again = await call("POST", "/api/orders", { body, headers: { "idempotency-key": key } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await stockOf(plenty)).toMatchObject({ reserved: 0, available: 5 });
    expect(await ordersByEmail(body.email)).toEqual([]);
    expect((await listDurableObjectIds(env.ORDER_FLOW)).length).toBe(orderObjectsBefore);
  });
});

describe("who may see an order", () => {
  it("answers a wrong token, no token, another customer and a missing order with the same 404", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const stranger = await signedIn();
    const missing = await call("GET", "/api/orders/ord_AAAAAAAAAAAAAAAAAAAAAA", { headers: o.auth });
    expect(missing.status).toBe(404);
    const callers: Record<string, string>[] = [{ authorization: "Bearer wrong-token" }, {}, stranger.headers];
    for (const headers of callers) {
      const res = await call("GET", `/api/orders/${o.id}`, { headers });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(missing.body);
    }
    expect((await getOrder(o)).status).toBe(200);
  });

  it("refuses the live socket and the invoice of someone else's order with 404", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const stranger = await signedIn();
    const live = await call("GET", `/api/orders/${o.id}/live?token=wrong`, { headers: { upgrade: "websocket" } });
    expect(live.status).toBe(404);
    const liveAsStranger = await call("GET", `/api/orders/${o.id}/live`, {
      headers: { ...stranger.headers, upgrade: "websocket" },
    });
    expect(liveAsStranger.status).toBe(404);
    for (const headers of [{ authorization: "Bearer wrong" }, stranger.headers]) {
      const invoice = await call("GET", `/api/orders/${o.id}/invoice`, { headers });
      expect(invoice.status).toBe(404);
      expect(invoice.body.error.code).toBe("not_found");
    }
  });

  it("refuses changes by another customer or a wrong token with 404 and changes nothing", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const stranger = await signedIn();
    for (const headers of [{ authorization: "Bearer wrong" }, stranger.headers]) {
      expect((await call("POST", `/api/orders/${o.id}/cancel`, { headers })).status).toBe(404);
      expect(
        (await call("POST", `/api/orders/${o.id}/pay`, { headers, body: { paymentMethod: { token: "tok_visa" } } }))
          .status,
      ).toBe(404);
      expect((await call("PATCH", `/api/orders/${o.id}`, { headers, body: { items: [{ sku, qty: 2 }] } })).status).toBe(
        404,
      );
    }
    expect((await getOrder(o)).body).toMatchObject({ status: "reserved", version: 1 });
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });
  });

  it("lets staff read any order but not pay it", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const staff = await signedIn("staff");
    const read = await call("GET", `/api/orders/${o.id}`, { headers: staff.headers });
    expect(read.status).toBe(200);
    const payRes = await call("POST", `/api/orders/${o.id}/pay`, {
      headers: staff.headers,
      body: { paymentMethod: { token: "tok_visa" } },
    });
    expect(payRes.status).toBe(403);
    expect((await getOrder(o)).body.status).toBe("reserved");
  });

  it("lets a signed-in customer holding the token claim a guest order; a matching email alone never does", async () => {
    const sku = await product();
    const me = await signedIn();
    const o = await placeOrder([{ sku, qty: 1 }], { email: me.email });
    const byEmail = await call("POST", `/api/orders/${o.id}/claim`, { headers: me.headers });
    expect(byEmail.status).toBe(404);
    expect((await call("GET", `/api/orders/${o.id}`, { headers: me.headers })).status).toBe(404);
    const anonymous = await call("POST", `/api/orders/${o.id}/claim`, { headers: o.auth });
    expect(anonymous.status).toBe(401);

    const claimed = await call("POST", `/api/orders/${o.id}/claim`, { headers: { ...me.headers, ...o.auth } });
    expect(claimed.status).toBe(200);
    expect(claimed.body.customerId).toBe(me.id);
    expect((await call("GET", `/api/orders/${o.id}`, { headers: me.headers })).status).toBe(200);
    expect((await mirrorOf(o.id))?.customerId).toBe(me.id);

    const other = await signedIn();
    const stolen = await call("POST", `/api/orders/${o.id}/claim`, {
      headers: other.headers,
      body: { token: o.accessToken },
    });
    expect(stolen.status).toBe(404);
    expect((await mirrorOf(o.id))?.customerId).toBe(me.id);
  });
});

describe("cancelling and amending before payment", () => {
  it("cancels a reserved order, releases its stock, and answers the same final state when cancelled again", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 3 }]);
    const first = await call("POST", `/api/orders/${o.id}/cancel`, { headers: o.auth });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: "cancelled", version: 2, expiresAt: null });
    expect(await stockOf(sku)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    const second = await call("POST", `/api/orders/${o.id}/cancel`, { headers: o.auth });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect((await typesOf(o.id)).filter((t) => t === "OrderCancelled")).toHaveLength(1);
    expect((await mirrorOf(o.id))?.status).toBe("cancelled");
    const pay = await call("POST", `/api/orders/${o.id}/pay`, {
      headers: o.auth,
      body: { paymentMethod: { token: "tok_visa" } },
    });
    expect(pay.status).toBe(409);
    expect(pay.body.error.code).toBe("invalid_state");
  });

  it("amends a reserved order: grows, adds and drops lines, moves the reservations and reprices", async () => {
    const a = await product({ priceCents: 1_000 });
    const b = await product({ priceCents: 2_000 });
    const c = await product({ priceCents: 3_000 });
    const o = await placeOrder([
      { sku: a, qty: 1 },
      { sku: b, qty: 2 },
    ]);
    const res = await call("PATCH", `/api/orders/${o.id}`, {
      headers: o.auth,
      body: {
        items: [
          { sku: a, qty: 4 },
          { sku: c, qty: 1 },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "reserved",
      version: 2,
      items: [
        { sku: a, qty: 4, lineTotalCents: 4_000 },
        { sku: c, qty: 1, lineTotalCents: 3_000 },
      ],
      totals: { subtotalCents: 7_000, shippingCents: 495, taxCents: 1_499, totalCents: 8_994 },
    });
    expect(await stockOf(a)).toMatchObject({ reserved: 4 });
    expect(await stockOf(b)).toMatchObject({ reserved: 0, available: 10 });
    expect(await stockOf(c)).toMatchObject({ reserved: 1 });
    const amended = (await eventsOf(o.id)).find((e) => e.type === "OrderAmended");
    expect(amended?.data).toMatchObject({
      sequence: 2,
      previousTotalCents: o.body.totals.totalCents,
      totalCents: 8_994,
    });
    expect((await mirrorOf(o.id))?.totalCents).toBe(8_994);
  });

  it("refuses an amendment beyond the stock with 409 out_of_stock and changes nothing", async () => {
    const a = await product({ onHand: 3 });
    const b = await product({ onHand: 1 });
    const o = await placeOrder([{ sku: a, qty: 1 }]);
    const res = await call("PATCH", `/api/orders/${o.id}`, {
      headers: o.auth,
      body: {
        items: [
          { sku: a, qty: 3 },
          { sku: b, qty: 2 },
        ],
      },
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "out_of_stock", details: [{ sku: b, requested: 2, available: 1 }] });
    expect(await stockOf(a)).toMatchObject({ reserved: 1, available: 2 });
    expect(await stockOf(b)).toMatchObject({ reserved: 0, available: 1 });
    expect((await getOrder(o)).body).toMatchObject({ version: 1, items: [{ sku: a, qty: 1 }] });
  });
});

describe("alarms", () => {
  it("delivers a change whose delivery was lost when the alarm runs, without touching a live reservation", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const stub = env.ORDER_FLOW.getByName(o.id);
    // As if the object died between saving the change and delivering it.
    await getDb(env.DB).delete(orders).where(eq(orders.id, o.id));
    await runInDurableObject(stub, (instance, state) => {
      state.storage.kv.put("dirty", 1);
      instance.reread();
    });
    expect(await mirrorOf(o.id)).toBeUndefined();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await mirrorOf(o.id)).toMatchObject({ status: "reserved", version: 1 });
    expect((await getOrder(o)).body.status).toBe("reserved");
    expect(await stockOf(sku)).toMatchObject({ reserved: 1 });
  });

  it("cancels the order and releases its stock when the alarm finds the reservation over, once", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 2 }]);
    const live = await openLive(o);
    const stub = env.ORDER_FLOW.getByName(o.id);
    // Travel past the reservation's end: the deadline row and the order's expiry.
    await runInDurableObject(stub, (instance, state) => {
      const past = Date.now() - 1;
      const kv = state.storage.kv;
      kv.put("doc", { ...kv.get<object>("doc"), expiresAt: past });
      instance.reread();
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const res = await getOrder(o);
    expect(res.body).toMatchObject({ status: "cancelled", version: 2, expiresAt: null });
    expect(res.body.timeline.at(-1)).toMatchObject({ status: "cancelled", note: "Reservation expired" });
    expect(await stockOf(sku)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    expect((await mirrorOf(o.id))?.status).toBe("cancelled");
    const cancelled = (await eventsOf(o.id)).filter((e) => e.type === "OrderCancelled");
    expect(cancelled.map((e) => e.data)).toEqual([expect.objectContaining({ reason: "expired", by: "system" })]);
    expect((await live.until(1))[0]).toMatchObject({ type: "order", status: "cancelled", version: 2 });
    // A second run (alarms are at least once) changes nothing.
    await runInDurableObject(stub, (instance) => instance.alarm());
    expect((await getOrder(o)).body.version).toBe(2);
    expect((await eventsOf(o.id)).filter((e) => e.type === "OrderCancelled")).toHaveLength(1);
    live.ws.close();
  });
});
