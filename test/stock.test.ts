import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { events, products } from "../src/db/schema";
import type { ProductStock } from "../src/durable/product-stock";
import { stockStub } from "../src/services/stock/stock";
import { waitFor } from "./helpers";

import { stockProduct } from "./stock-fixtures";

const HOUR = 60 * 60_000;

const product = (onHand: number, threshold = 3) => stockProduct(onHand, threshold);

/** The object's own tables, read inside it. */
function tables(sku: string) {
  return runInDurableObject(stockStub(env, sku), (_: ProductStock, state) => {
    const all = (q: string) => state.storage.sql.exec(q).toArray();
    return {
      stock: all("SELECT sku, on_hand FROM stock"),
      reservations: all("SELECT order_id, qty FROM reservations ORDER BY order_id"),
      sales: all("SELECT order_id, qty, returned FROM sales ORDER BY order_id"),
      outbox: all("SELECT seq FROM outbox"),
    };
  });
}

async function stockEvents(sku: string) {
  return getDb(env.DB)
    .select()
    .from(events)
    .where(eq(events.subject, `sku:${sku}`))
    .orderBy(events.occurredAt);
}

async function adjustedEvents(sku: string, reason: string, orderId: string | null) {
  return (await stockEvents(sku)).filter((e) => {
    const data = e.data as { reason: string; orderId: string | null };
    return e.type === "InventoryAdjusted" && data.reason === reason && data.orderId === orderId;
  });
}

/**
 * Time passes: every reservation's deadline row is put in the past. The object keeps its ledger in memory (it
 * is the only writer), so it is told to read the rows again, as a fresh instance after an eviction would.
 */
async function ageReservations(stub: DurableObjectStub<ProductStock>): Promise<void> {
  await runInDurableObject(stub, (instance: ProductStock, state) => {
    state.storage.sql.exec("UPDATE reservations SET expires_at = ?", Date.now() - 1);
    instance.reread();
  });
}

describe("ProductStock", () => {
  it("adopts the catalog's stock on hand as its opening balance", async () => {
    const sku = await product(7);
    expect(await stockStub(env, sku).snapshot(sku)).toEqual({ sku, onHand: 7, reserved: 0, available: 7 });
    // From then on the object is the authority: a later catalog edit does not change it.
    await getDb(env.DB).update(products).set({ stockOnHand: 99 }).where(eq(products.sku, sku));
    expect((await stockStub(env, sku).snapshot(sku)).onHand).toBe(7);
  });

  it("answers unknown_sku for a SKU the catalog lacks, persists nothing, and initialises once the product exists", async () => {
    const sku = `T-${crypto.randomUUID()}`;
    const stub = stockStub(env, sku);
    expect(await stub.reserve(sku, "o1", 1, HOUR)).toEqual({
      ok: false,
      reason: "unknown_sku",
      level: { sku, onHand: 0, reserved: 0, available: 0 },
    });
    expect(await stub.lookup(sku)).toMatchObject({ ok: false, reason: "unknown_sku" });
    expect(await stub.adjust(sku, 5, "restock", "staff")).toMatchObject({ ok: false, reason: "unknown_sku" });
    expect((await tables(sku)).stock).toEqual([]);
    await getDb(env.DB).insert(products).values({
      sku,
      name: "Late",
      material: "gold",
      colour: "red",
      priceCents: 500,
      stockOnHand: 4,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    expect(await stub.reserve(sku, "o1", 1, HOUR)).toMatchObject({ ok: true, level: { onHand: 4, available: 3 } });
  });

  it("grants exactly the stock on hand to 300 concurrent reservations and never goes negative", async () => {
    const sku = await product(50);
    const stub = stockStub(env, sku);
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => stub.reserve(sku, `order-${i}`, 1, HOUR)));
    const granted = results.filter((r) => r.ok);
    expect(granted).toHaveLength(50);
    expect(results.filter((r) => !r.ok && r.reason === "insufficient")).toHaveLength(250);
    for (const r of results) expect(r.level.available).toBeGreaterThanOrEqual(0);
    expect(new Set(granted.map((r) => r.level.available)).size).toBe(50);
    expect(await stub.snapshot(sku)).toEqual({ sku, onHand: 50, reserved: 50, available: 0 });
    const state = await tables(sku);
    expect(state.reservations).toHaveLength(50);
    expect(state.reservations.reduce((n, r) => n + Number(r.qty), 0)).toBe(50);
  });

  it("reserves once for the same order id, even when asked concurrently", async () => {
    const sku = await product(10);
    const stub = stockStub(env, sku);
    const [a, b] = await Promise.all([stub.reserve(sku, "o1", 3, HOUR), stub.reserve(sku, "o1", 3, HOUR)]);
    const again = await stub.reserve(sku, "o1", 3, HOUR);
    expect(a.ok && b.ok && again.ok).toBe(true);
    if (a.ok && again.ok) expect(again.expiresAt).toBe(a.expiresAt);
    expect(again.level).toEqual({ sku, onHand: 10, reserved: 3, available: 7 });
    expect((await tables(sku)).reservations).toEqual([{ order_id: "o1", qty: 3 }]);
    await waitFor("the reserve movement in D1", async () =>
      (await adjustedEvents(sku, "reserve", "o1")).length === 1 ? true : undefined,
    );
    expect(await adjustedEvents(sku, "reserve", "o1")).toHaveLength(1);
  });

  it("commits a reservation into a sale once, and answers not_found for an order holding nothing", async () => {
    const sku = await product(10);
    const stub = stockStub(env, sku);
    await stub.reserve(sku, "o1", 4, HOUR);
    expect(await stub.commit(sku, "o1")).toEqual({
      ok: true,
      level: { sku, onHand: 6, reserved: 0, available: 6 },
    });
    expect(await stub.commit(sku, "o1")).toEqual({
      ok: true,
      level: { sku, onHand: 6, reserved: 0, available: 6 },
    });
    expect(await stub.commit(sku, "nobody")).toEqual({
      ok: false,
      reason: "not_found",
      level: { sku, onHand: 6, reserved: 0, available: 6 },
    });
    const state = await tables(sku);
    expect(state.sales).toEqual([{ order_id: "o1", qty: 4, returned: 0 }]);
    expect(state.reservations).toEqual([]);
  });

  it("releases a reservation, returns a sale to stock once, and releases 0 for anything else", async () => {
    const sku = await product(10);
    const stub = stockStub(env, sku);
    await stub.reserve(sku, "held", 2, HOUR);
    await stub.reserve(sku, "sold", 3, HOUR);
    await stub.commit(sku, "sold");
    expect(await stub.release(sku, "held", "release")).toMatchObject({
      released: 2,
      level: { onHand: 7, available: 7 },
    });
    expect(await stub.release(sku, "held", "release")).toMatchObject({ released: 0, level: { available: 7 } });
    expect(await stub.release(sku, "sold", "return")).toMatchObject({
      released: 3,
      level: { onHand: 10, available: 10 },
    });
    expect(await stub.release(sku, "sold", "return")).toMatchObject({ released: 0, level: { onHand: 10 } });
    expect(await stub.release(sku, "never", "release")).toMatchObject({ released: 0 });
    expect((await tables(sku)).sales).toEqual([{ order_id: "sold", qty: 3, returned: 1 }]);
  });

  it("resizes a reservation within availability and refuses growth beyond it", async () => {
    const sku = await product(5);
    const stub = stockStub(env, sku);
    const held = await stub.reserve(sku, "o1", 2, HOUR);
    const grown = await stub.resize(sku, "o1", 4);
    expect(grown).toMatchObject({ ok: true, level: { reserved: 4, available: 1 } });
    if (held.ok && grown.ok) expect(grown.expiresAt).toBe(held.expiresAt);
    expect(await stub.resize(sku, "o1", 6)).toEqual({
      ok: false,
      reason: "insufficient",
      level: { sku, onHand: 5, reserved: 4, available: 1 },
    });
    expect(await stub.resize(sku, "o1", 1)).toMatchObject({ ok: true, level: { reserved: 1, available: 4 } });
    expect((await tables(sku)).reservations).toEqual([{ order_id: "o1", qty: 1 }]);
  });

  it("extends a live reservation only later", async () => {
    const sku = await product(5);
    const stub = stockStub(env, sku);
    const held = await stub.reserve(sku, "o1", 1, HOUR);
    if (!held.ok) throw new Error("reserve failed");
    expect(await stub.extend(sku, "o1", held.expiresAt + HOUR)).toEqual({ ok: true });
    expect(await stub.extend(sku, "o1", held.expiresAt)).toEqual({ ok: true });
    expect(await stub.extend(sku, "nobody", held.expiresAt + HOUR)).toEqual({ ok: false });
    const expiry = await runInDurableObject(stub, (_: ProductStock, state) =>
      state.storage.sql.exec<{ expires_at: number }>("SELECT expires_at FROM reservations").one(),
    );
    expect(expiry.expires_at).toBe(held.expiresAt + HOUR);
  });

  it("refuses an adjustment below what is reserved and changes nothing", async () => {
    const sku = await product(5);
    const stub = stockStub(env, sku);
    await stub.reserve(sku, "o1", 4, HOUR);
    expect(await stub.adjust(sku, -2, "damage", "staff_1")).toEqual({
      ok: false,
      reason: "below_reserved",
      level: { sku, onHand: 5, reserved: 4, available: 1 },
      removable: 1,
    });
    expect((await tables(sku)).stock).toEqual([{ sku, on_hand: 5 }]);
    expect(await stub.adjust(sku, 10, "restock", "staff_1")).toEqual({
      ok: true,
      level: { sku, onHand: 15, reserved: 4, available: 11 },
    });
    const restock = await waitFor(
      "the restock event in D1",
      async () => (await adjustedEvents(sku, "restock", null))[0],
    );
    expect(restock.data).toMatchObject({ actor: "staff_1", delta: 10, before: { onHand: 5 }, after: { onHand: 15 } });
  });

  it("emits LowStock when available crosses the threshold and OutOfStock when it reaches zero", async () => {
    const sku = await product(5, 2);
    const stub = stockStub(env, sku);
    await stub.reserve(sku, "o1", 3, HOUR);
    await stub.reserve(sku, "o2", 2, HOUR);
    const types = await waitFor("the alerts in D1", async () => {
      const found = (await stockEvents(sku)).map((e) => e.type);
      return found.includes("OutOfStock") && found.includes("LowStock") ? found : undefined;
    });
    expect(types.filter((t) => t === "LowStock")).toHaveLength(1);
    expect(types.filter((t) => t === "InventoryAdjusted")).toHaveLength(2);
  });

  it("expires a reservation by alarm, returning the stock and recording an expire movement", async () => {
    const sku = await product(3);
    const stub = stockStub(env, sku);
    await stub.reserve(sku, "late", 2, HOUR);
    // Time passes: the deadline row is in the past (the alarm judges by the rows, not by when it fires).
    await ageReservations(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await tables(sku)).reservations).toEqual([]);
    expect(await stub.snapshot(sku)).toEqual({ sku, onHand: 3, reserved: 0, available: 3 });
    const expired = await waitFor(
      "the expire event in D1",
      async () => (await adjustedEvents(sku, "expire", "late"))[0],
    );
    expect(expired.data).toMatchObject({ actor: "system", delta: 2, after: { available: 3 } });
  });

  it("retries an alarm whose event delivery failed without releasing twice", async () => {
    const sku = await product(4);
    const stub = stockStub(env, sku);
    await stub.reserve(sku, "late", 3, HOUR);
    await waitFor("the reserve event delivered", async () =>
      (await tables(sku)).outbox.length === 0 ? true : undefined,
    );
    await ageReservations(stub);
    // D1 refuses this SKU's events until the trigger is dropped: the first alarm's delivery fails.
    const trigger = `fail_${crypto.randomUUID().replaceAll("-", "")}`;
    await env.DB.exec(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON events WHEN NEW.subject = 'sku:${sku}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
    );
    try {
      await expect(runDurableObjectAlarm(stub)).rejects.toThrow();
    } finally {
      await env.DB.exec(`DROP TRIGGER ${trigger}`);
    }
    const afterFailure = await tables(sku);
    expect(afterFailure.reservations).toEqual([]);
    expect(afterFailure.outbox.length).toBeGreaterThan(0);
    expect(await adjustedEvents(sku, "expire", "late")).toEqual([]);
    // The failed attempt left an alarm armed for the retry; the retry delivers and releases nothing more.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect(await stub.snapshot(sku)).toEqual({ sku, onHand: 4, reserved: 0, available: 4 });
    expect((await tables(sku)).outbox).toEqual([]);
    expect(await adjustedEvents(sku, "expire", "late")).toHaveLength(1);
  });

  it("loses nothing when the object is evicted between calls", async () => {
    const sku = await product(10);
    const stub = stockStub(env, sku);
    await stub.reserve(sku, "a", 2, HOUR);
    await stub.reserve(sku, "b", 3, HOUR);
    await stub.commit(sku, "b");
    await evictDurableObject(stub);
    expect(await stub.snapshot(sku)).toEqual({ sku, onHand: 7, reserved: 2, available: 5 });
    expect(await stub.reserve(sku, "a", 2, HOUR)).toMatchObject({ ok: true, level: { reserved: 2 } });
    expect(await stub.commit(sku, "b")).toMatchObject({ ok: true, level: { onHand: 7 } });
    await evictDurableObject(stub);
    expect(await stub.release(sku, "b", "return")).toMatchObject({ released: 3, level: { onHand: 10, available: 8 } });
  });

  it("delivers every event to D1 and empties its outbox", async () => {
    const sku = await product(20);
    const stub = stockStub(env, sku);
    await Promise.all(Array.from({ length: 20 }, (_, i) => stub.reserve(sku, `o${i}`, 1, HOUR)));
    await waitFor("the outbox to drain", async () => ((await tables(sku)).outbox.length === 0 ? true : undefined));
    const logged = await getDb(env.DB)
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.subject, `sku:${sku}`), eq(events.type, "InventoryAdjusted")));
    expect(logged).toHaveLength(20);
  });
});

describe("ProductStock: what it remembers of an order request's Idempotency-Key", () => {
  const DAY = 24 * HOUR;
  const key = (id: string, requestHash = "body-a") => ({ id, requestHash });

  /** Moves every remembered key's moment back by `ms`, as if that much time had passed. */
  function ageKeys(stub: DurableObjectStub<ProductStock>, ms: number) {
    return runInDurableObject(stub, (_: ProductStock, state) => {
      state.storage.sql.exec("UPDATE refusals SET at = at - ?", ms);
      state.storage.sql.exec("UPDATE reserved_keys SET at = at - ?", ms);
    });
  }

  const keyRows = (stub: DurableObjectStub<ProductStock>) =>
    runInDurableObject(stub, (_: ProductStock, state) => ({
      refusals: state.storage.sql.exec("SELECT key_id FROM refusals ORDER BY key_id").toArray(),
      reserved: state.storage.sql.exec("SELECT key_id FROM reserved_keys ORDER BY key_id").toArray(),
    }));

  it("answers a refused key's retry with the same refusal, even once stock is back, and another body key_reused", async () => {
    const sku = await product(0);
    const stub = stockStub(env, sku);
    expect(await stub.reserve(sku, "o1", 1, HOUR, key("k1"))).toMatchObject({ ok: false, reason: "insufficient" });
    await stub.adjust(sku, 5, "restock", "staff_1");
    expect(await stub.reserve(sku, "o2", 1, HOUR, key("k1"))).toMatchObject({
      ok: false,
      reason: "insufficient",
      replayed: true,
      level: { available: 0 },
    });
    expect(await stub.reserve(sku, "o3", 1, HOUR, key("k1", "body-b"))).toMatchObject({ reason: "key_reused" });
    expect(await stub.snapshot(sku)).toMatchObject({ reserved: 0, available: 5 });
  });

  it("names the order a key took stock for to a retry with another order id, and key_reused for another body", async () => {
    const sku = await product(5);
    const stub = stockStub(env, sku);
    expect(await stub.reserve(sku, "o1", 1, HOUR, key("k1"))).toMatchObject({ ok: true });
    expect(await stub.reserve(sku, "o2", 1, HOUR, key("k1"))).toMatchObject({
      ok: false,
      reason: "key_seen",
      orderId: "o1",
      live: true,
    });
    expect(await stub.reserve(sku, "o2", 1, HOUR, key("k1", "body-b"))).toMatchObject({ reason: "key_reused" });
    // The same order asking again is the same reservation, not a second one.
    expect(await stub.reserve(sku, "o1", 1, HOUR, key("k1"))).toMatchObject({ ok: true, level: { reserved: 1 } });
  });

  it("remembers a new refusal for a key whose last refusal is more than a day old", async () => {
    const sku = await product(0);
    const stub = stockStub(env, sku);
    await stub.reserve(sku, "o1", 1, HOUR, key("again", "body-old"));
    await ageKeys(stub, DAY + 1);
    // A day later the key comes back with another body: judged afresh (not key_reused), and remembered anew.
    expect(await stub.reserve(sku, "o2", 1, HOUR, key("again", "body-new"))).toMatchObject({
      ok: false,
      reason: "insufficient",
    });
    expect(await stub.reserve(sku, "o3", 1, HOUR, key("again", "body-new"))).toMatchObject({
      reason: "insufficient",
      replayed: true,
    });
  });

  it("judges a key of more than a day ago afresh, and forgets it for good on a later write", async () => {
    const sku = await product(0);
    const stub = stockStub(env, sku);
    await stub.reserve(sku, "o1", 1, HOUR, key("old"));
    await ageKeys(stub, DAY + 1);
    await stub.adjust(sku, 3, "restock", "staff_1");
    // The day-old refusal is not replayed: the retry takes stock.
    expect(await stub.reserve(sku, "o2", 1, HOUR, key("old"))).toMatchObject({ ok: true });
    // A new instance (after an eviction) prunes on its first write: the day-old refusal row is gone.
    await ageKeys(stub, DAY + 1);
    await evictDurableObject(stub);
    await stub.reserve(sku, "o3", 1, HOUR, key("new"));
    expect(await keyRows(stub)).toEqual({ refusals: [], reserved: [{ key_id: "new" }] });
  });
});
