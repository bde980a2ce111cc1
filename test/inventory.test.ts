import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { newEvent } from "../src/adapters/event-bus";
import { getDb } from "../src/db/client";
import { cacheTags, events, orderItems, orders, products } from "../src/db/schema";
import { stockStub } from "../src/services/stock/stock";
import { inventorySubscriber } from "../src/services/subscribers/inventory";
import { call, sessionFor, waitFor } from "./helpers";

const HOUR = 60 * 60_000;

async function product(onHand: number, opts: { threshold?: number; name?: string } = {}): Promise<string> {
  const sku = `T-${crypto.randomUUID()}`;
  const now = Date.now();
  await getDb(env.DB)
    .insert(products)
    .values({
      sku,
      name: opts.name ?? `Inventory ${sku}`,
      material: "silver",
      colour: "green",
      priceCents: 2000,
      lowStockThreshold: opts.threshold ?? 3,
      stockOnHand: onHand,
      stockAvailable: onHand,
      createdAt: now,
      updatedAt: now,
    });
  return sku;
}

async function catalogRow(sku: string) {
  return getDb(env.DB).select().from(products).where(eq(products.sku, sku)).get();
}

/** Same-origin JSON POST with a session cookie, as the console sends it. */
const post = (path: string, cookie: string | null, body: unknown) =>
  call("POST", path, { body, headers: cookie ? { cookie, origin: "http://localhost" } : {} });

let staff: string;
let admin: string;
let adminId: string;
let customer: string;

beforeAll(async () => {
  staff = (await sessionFor("staff")).cookie;
  ({ cookie: admin, id: adminId } = await sessionFor("admin"));
  customer = (await sessionFor("customer")).cookie;
});

describe("POST /api/admin/inventory/:sku/adjustments", () => {
  it("refuses anonymous callers with 401 and customers with 403, changing nothing", async () => {
    const sku = await product(5);
    const anonymous = await post(`/api/admin/inventory/${sku}/adjustments`, null, { delta: 5, reason: "restock" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe("unauthorized");
    const shopper = await post(`/api/admin/inventory/${sku}/adjustments`, customer, { delta: 5, reason: "restock" });
    expect(shopper.status).toBe(403);
    expect(shopper.body.error.code).toBe("forbidden");
    expect(await stockStub(env, sku).snapshot(sku)).toMatchObject({ onHand: 5 });
  });

  it("applies a staff restock, answers the new level and brings the catalog snapshot up to date", async () => {
    const sku = await product(5);
    await stockStub(env, sku).reserve(sku, "o1", 2, HOUR);
    const res = await post(`/api/admin/inventory/${sku}/adjustments`, staff, { delta: 10, reason: "restock" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sku, onHand: 15, reserved: 2, available: 13 });
    const row = await waitFor("the catalog snapshot", async () => {
      const r = await catalogRow(sku);
      return r?.stockOnHand === 15 ? r : undefined;
    });
    expect(row).toMatchObject({ stockOnHand: 15, stockReserved: 2, stockAvailable: 13 });
  });

  it("lets an admin adjust too and records who did it", async () => {
    const sku = await product(5);
    const res = await post(`/api/admin/inventory/${sku}/adjustments`, admin, { delta: -1, reason: "damage" });
    expect(res.status).toBe(200);
    const event = await waitFor("the adjustment in the event log", async () =>
      getDb(env.DB)
        .select()
        .from(events)
        .where(eq(events.subject, `sku:${sku}`))
        .get(),
    );
    expect(event.data).toMatchObject({ reason: "damage", delta: -1, orderId: null, actor: adminId });
  });

  it("answers 409 below_reserved with the current level and leaves the stock unchanged", async () => {
    const sku = await product(4);
    await stockStub(env, sku).reserve(sku, "o1", 3, HOUR);
    const res = await post(`/api/admin/inventory/${sku}/adjustments`, staff, { delta: -2, reason: "correction" });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: "below_reserved",
      details: { sku, onHand: 4, reserved: 3, available: 1 },
    });
    const below = await post(`/api/admin/inventory/${sku}/adjustments`, staff, { delta: -5, reason: "damage" });
    expect(below.status).toBe(409);
    expect(await stockStub(env, sku).snapshot(sku)).toEqual({ sku, onHand: 4, reserved: 3, available: 1 });
    // The reservation's own event arrives; no adjustment event ever does.
    await waitFor("the reservation in the event log", async () =>
      (
        await getDb(env.DB)
          .select()
          .from(events)
          .where(eq(events.subject, `sku:${sku}`))
      ).length > 0
        ? true
        : undefined,
    );
    const logged = await getDb(env.DB)
      .select()
      .from(events)
      .where(eq(events.subject, `sku:${sku}`));
    const adjusted = logged.filter((e) => e.type === "InventoryAdjusted");
    expect(adjusted.map((e) => (e.data as { reason: string }).reason)).toEqual(["reserve"]);
  });

  it("answers 404 for an unknown SKU", async () => {
    const res = await post("/api/admin/inventory/NOPE-404/adjustments", staff, { delta: 1, reason: "restock" });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  it.each([
    [{ delta: 0, reason: "restock" }, "delta"],
    [{ delta: 1.5, reason: "restock" }, "delta"],
    [{ delta: 100_001, reason: "restock" }, "delta"],
    [{ delta: -100_001, reason: "damage" }, "delta"],
    [{ delta: "5", reason: "restock" }, "delta"],
    [{ delta: 5, reason: "theft" }, "reason"],
    [{ delta: 5 }, "reason"],
    [{ delta: 5, reason: "restock", actor: "someone-else" }, "actor"],
  ])("rejects %j with 400 validation_failed naming %s", async (body, field) => {
    const sku = await product(5);
    const res = await post(`/api/admin/inventory/${sku}/adjustments`, staff, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details.map((d: { path: string }) => d.path).join(",")).toContain(field);
    expect(await stockStub(env, sku).snapshot(sku)).toMatchObject({ onHand: 5 });
  });
});

describe("GET /api/admin/inventory", () => {
  it("lists products with their stock, filters by low stock and by text", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const plenty = await product(50, { name: `Plenty ${tag}` });
    const low = await product(2, { name: `Scarce ${tag}`, threshold: 3 });
    const all = await call("GET", `/api/admin/inventory?q=${tag}`, { headers: { cookie: staff } });
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { sku: string }) => i.sku).sort()).toEqual([plenty, low].sort());
    expect(all.body.items.find((i: { sku: string }) => i.sku === low)).toEqual({
      sku: low,
      name: `Scarce ${tag}`,
      active: true,
      onHand: 2,
      reserved: 0,
      available: 2,
      lowStockThreshold: 3,
      lowStock: true,
    });
    const onlyLow = await call("GET", `/api/admin/inventory?low=1&q=${tag.toUpperCase()}`, {
      headers: { cookie: staff },
    });
    expect(onlyLow.body.items.map((i: { sku: string }) => i.sku)).toEqual([low]);
  });

  it("pages through every product by SKU", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const skus = [await product(1, { name: tag }), await product(1, { name: tag }), await product(1, { name: tag })];
    const first = await call("GET", `/api/admin/inventory?q=${tag}&limit=2`, { headers: { cookie: staff } });
    expect(first.body.items).toHaveLength(2);
    const second = await call("GET", `/api/admin/inventory?q=${tag}&limit=2&cursor=${first.body.nextCursor}`, {
      headers: { cookie: staff },
    });
    expect(second.body.nextCursor).toBeNull();
    expect([...first.body.items, ...second.body.items].map((i: { sku: string }) => i.sku)).toEqual(skus.sort());
  });

  it("is for staff only", async () => {
    expect((await call("GET", "/api/admin/inventory")).status).toBe(401);
    expect((await call("GET", "/api/admin/inventory", { headers: { cookie: customer } })).status).toBe(403);
  });
});

describe("GET /api/admin/inventory/:sku/history", () => {
  it("pages through the SKU's InventoryAdjusted events newest first", async () => {
    const sku = await product(10);
    const stub = stockStub(env, sku);
    for (const delta of [1, 2, 3]) await stub.adjust(sku, delta, "restock", "staff_x");
    await waitFor("three adjustments in the event log", async () =>
      (
        await getDb(env.DB)
          .select()
          .from(events)
          .where(eq(events.subject, `sku:${sku}`))
      ).length === 3
        ? true
        : undefined,
    );
    const first = await call("GET", `/api/admin/inventory/${sku}/history?limit=2`, { headers: { cookie: staff } });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: { data: { delta: number } }) => e.data.delta)).toEqual([3, 2]);
    expect(first.body.items[0]).toMatchObject({ type: "InventoryAdjusted", subject: `sku:${sku}` });
    const second = await call("GET", `/api/admin/inventory/${sku}/history?limit=2&cursor=${first.body.nextCursor}`, {
      headers: { cookie: staff },
    });
    expect(second.body.items.map((e: { data: { delta: number } }) => e.data.delta)).toEqual([1]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("names the staff member behind each adjustment, and no one behind an order's movement", async () => {
    const sku = await product(10);
    const dana = await sessionFor("staff", { name: "Dana Stockroom" });
    const adjusted = await call("POST", `/api/admin/inventory/${sku}/adjustments`, {
      headers: { cookie: dana.cookie },
      body: { delta: 4, reason: "restock" },
    });
    expect(adjusted.status).toBe(200);
    await stockStub(env, sku).adjust(sku, -1, "damage", "order:ord_x");
    const history = await waitFor("both movements in the history", async () => {
      const res = await call("GET", `/api/admin/inventory/${sku}/history`, { headers: { cookie: staff } });
      return res.body.items.length === 2 ? res.body.items : undefined;
    });
    expect(
      history.map((e: { data: { actor: string }; actorName: string | null }) => [e.data.actor, e.actorName]),
    ).toEqual([
      ["order:ord_x", null],
      [dana.id, "Dana Stockroom"],
    ]);
  });

  it("answers 404 for an unknown SKU and 400 for a cursor it never handed out", async () => {
    const unknown = await call("GET", "/api/admin/inventory/NOPE-404/history", { headers: { cookie: staff } });
    expect(unknown.status).toBe(404);
    const sku = await product(1);
    const bad = await call("GET", `/api/admin/inventory/${sku}/history?cursor=zzz`, { headers: { cookie: staff } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
  });
});

describe("inventory subscriber", () => {
  async function order(items: { sku: string; qty: number }[]) {
    const id = `ord_${crypto.randomUUID()}`;
    const now = Date.now();
    const db = getDb(env.DB);
    await db.insert(orders).values({
      id,
      email: "shopper@example.com",
      status: "confirmed",
      version: 1,
      subtotalCents: 0,
      shippingCents: 0,
      taxCents: 0,
      totalCents: 0,
      currency: "EUR",
      shippingAddress: { name: "A", line1: "1 Road", city: "Town", postalCode: "1000", country: "FR" },
      accessTokenHash: "x",
      createdAt: now,
      updatedAt: now,
    });
    await db
      .insert(orderItems)
      .values(items.map((i) => ({ orderId: id, ...i, name: i.sku, unitPriceCents: 100, lineTotalCents: 100 * i.qty })));
    return id;
  }

  const confirmed = (orderId: string, items: { sku: string; qty: number }[]) =>
    newEvent("OrderConfirmed", `order:${orderId}`, {
      orderId,
      customerId: null,
      email: "shopper@example.com",
      items: items.map((i) => ({ ...i, unitPriceCents: 100 })),
      totalCents: 100,
      currency: "EUR",
    });

  const cancelled = (orderId: string) =>
    newEvent("OrderCancelled", `order:${orderId}`, {
      orderId,
      email: "shopper@example.com",
      customerId: null,
      reason: "customer",
      by: "customer",
      refundedCents: 0,
    });

  it("leaves an order's stock to its OrderFlow: OrderConfirmed and OrderCancelled move nothing", async () => {
    const [held, sold] = [await product(5), await product(5)];
    const items = [
      { sku: held, qty: 2 },
      { sku: sold, qty: 1 },
    ];
    const id = await order(items);
    await stockStub(env, held).reserve(held, id, 2, HOUR);
    await stockStub(env, sold).reserve(sold, id, 1, HOUR);
    await stockStub(env, sold).commit(sold, id);
    expect(inventorySubscriber.types).toEqual(["InventoryAdjusted"]);
    await inventorySubscriber.handle(confirmed(id, items), env);
    await inventorySubscriber.handle(cancelled(id), env);
    expect(await stockStub(env, held).snapshot(held)).toEqual({ sku: held, onHand: 5, reserved: 2, available: 3 });
    expect(await stockStub(env, sold).snapshot(sold)).toEqual({ sku: sold, onHand: 4, reserved: 0, available: 4 });
  });

  it("has the object write its current level into the catalog with its events", async () => {
    const sku = await product(5);
    const stub = stockStub(env, sku);
    await stub.adjust(sku, 1, "restock", "staff_x");
    await stub.reserve(sku, "o-snap", 2, 60_000);
    await stub.adjust(sku, 4, "restock", "staff_x");
    await waitFor("the catalog snapshot", async () => {
      const row = await catalogRow(sku);
      return row?.stockOnHand === 10 && row.stockReserved === 2 ? row : undefined;
    });
    expect(await catalogRow(sku)).toMatchObject({ stockOnHand: 10, stockReserved: 2, stockAvailable: 8 });
  });

  it("purges the cached catalog for a staff adjustment but not for an ordinary reservation", async () => {
    const sku = await product(20);
    const tagged = { tag: `product:${sku}`, url: `http://localhost/api/products/${sku}`, cachedAt: Date.now() };
    const rows = () => getDb(env.DB).select().from(cacheTags).where(eq(cacheTags.tag, tagged.tag));
    const moved = (reason: "reserve" | "restock", before: number, after: number) =>
      newEvent("InventoryAdjusted", `sku:${sku}`, {
        sku,
        reason,
        delta: after - before,
        actor: "staff_x",
        orderId: null,
        before: { onHand: 20, reserved: 20 - before, available: before },
        after: { onHand: 20, reserved: 20 - after, available: after },
        lowStockThreshold: 3,
      });
    await getDb(env.DB).insert(cacheTags).values(tagged);
    await inventorySubscriber.handle(moved("reserve", 20, 19), env);
    expect(await rows()).toHaveLength(1);
    await inventorySubscriber.handle(moved("restock", 19, 20), env);
    expect(await rows()).toEqual([]);
  });

  it("purges the cached catalog when a reservation sells the product out or crosses the low-stock threshold", async () => {
    const sku = await product(5);
    const tagged = { tag: `product:${sku}`, url: `http://localhost/api/products/${sku}`, cachedAt: Date.now() };
    const rows = () => getDb(env.DB).select().from(cacheTags).where(eq(cacheTags.tag, tagged.tag));
    const reserved = (before: number, after: number) =>
      newEvent("InventoryAdjusted", `sku:${sku}`, {
        sku,
        reason: "reserve",
        delta: after - before,
        actor: "order:o1",
        orderId: "o1",
        before: { onHand: 5, reserved: 5 - before, available: before },
        after: { onHand: 5, reserved: 5 - after, available: after },
        lowStockThreshold: 3,
      });
    await getDb(env.DB).insert(cacheTags).values(tagged);
    await inventorySubscriber.handle(reserved(5, 4), env);
    expect(await rows()).toHaveLength(1);
    await inventorySubscriber.handle(reserved(4, 3), env);
    expect(await rows()).toEqual([]);
    await getDb(env.DB).insert(cacheTags).values(tagged);
    await inventorySubscriber.handle(reserved(1, 0), env);
    expect(await rows()).toEqual([]);
  });

  it("purges the product's cached catalog response so the storefront shows the new stock", async () => {
    const sku = await product(5);
    const before = await call("GET", `/api/products/${sku}`);
    expect(before.status).toBe(200);
    expect(before.body.available).toBe(5);
    await post(`/api/admin/inventory/${sku}/adjustments`, staff, { delta: 7, reason: "restock" });
    const after = await waitFor("the catalog to show the restock", async () => {
      const res = await call("GET", `/api/products/${sku}`);
      return res.body.available === 12 ? res : undefined;
    });
    expect(after.status).toBe(200);
  });
});
