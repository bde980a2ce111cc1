/**
 * A sharded SKU's stock as the rest of the shop sees it (docs/sharding.md: "Events and alerts", "Reconciliation",
 * "Staff adjustments", "Automatic sharding"). Shards report to their parent in the background, so tests wait for
 * the published level (or the event) instead of sleeping.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { events } from "../src/db/schema";
import { pickShard, shardName } from "../src/domain/stock-shards";
import type { ProductStock, StockLevel } from "../src/durable/product-stock";
import { stockStub } from "../src/services/stock/stock";
import { forgetShardCounts, reserveLine } from "../src/services/stock/stock-shards";
import { reconcile } from "../src/services/workflows/reconciliation";
import { call, waitFor } from "./helpers";
import { product as orderProduct, pay, placeOrder, signedIn, waitForStatus } from "./order-fixtures";
import { stockProduct } from "./stock-fixtures";

const HOUR = 60 * 60_000;

const product = (onHand: number, lowStockThreshold = 0) => stockProduct(onHand, lowStockThreshold, "L");

/** Order ids that hash to shard `i` of `k` (so a test can aim shoppers at one shard). */
function ordersFor(i: number, k: number, n: number, label = "ord"): string[] {
  const out: string[] = [];
  for (let j = 0; out.length < n; j++) if (pickShard(`${label}-${j}`, k) === i) out.push(`${label}-${j}`);
  return out;
}

/** One object's own on-hand units, read inside it. */
const ownOnHand = (name: string) =>
  runInDurableObject(stockStub(env, name), (_: ProductStock, state) =>
    Number(state.storage.sql.exec("SELECT on_hand AS n FROM stock").toArray()[0]?.n ?? 0),
  );

/** The SKU's published level once it shows `want` (the shards' reports arrive within a fraction of a second). */
const published = (sku: string, want: Partial<StockLevel>) =>
  waitFor(`the published level ${JSON.stringify(want)}`, async () => {
    const level: StockLevel = await stockStub(env, sku).snapshot(sku);
    return Object.entries(want).every(([k, v]) => level[k as keyof StockLevel] === v) ? level : undefined;
  });

/** The SKU's events of `type` in the log, oldest first. */
const logged = (sku: string, type: string) =>
  getDb(env.DB)
    .select()
    .from(events)
    .where(and(eq(events.subject, `sku:${sku}`), eq(events.type, type)))
    .orderBy(events.occurredAt, events.id)
    .all();

/** Waits until the log holds at least `n` events of `type` for the SKU, and answers them. */
const loggedAtLeast = (sku: string, type: string, n: number) =>
  waitFor(`${n} ${type} of ${sku} in the event log`, async () => {
    const rows = await logged(sku, type);
    return rows.length >= n ? rows : undefined;
  });

beforeEach(() => forgetShardCounts());

describe("a sharded SKU's history and alerts", () => {
  it("logs every reservation, sale and release on a shard as the SKU's InventoryAdjusted, naming the shard", async () => {
    const sku = await product(10);
    await stockStub(env, sku).setShards(sku, 2);
    const [a, b] = ordersFor(0, 2, 2, "hist") as [string, string];
    const [c] = ordersFor(1, 2, 1, "hist") as [string];
    for (const o of [a, b, c]) await reserveLine(env, sku, o, 1, HOUR);
    await stockStub(env, shardName(sku, 0)).commit(shardName(sku, 0), a);
    await stockStub(env, shardName(sku, 0)).release(shardName(sku, 0), b, "release");
    await stockStub(env, shardName(sku, 0)).release(shardName(sku, 0), a, "return");
    const rows = await loggedAtLeast(sku, "InventoryAdjusted", 6);
    const moves = rows.map((r) => r.data as { sku: string; reason: string; orderId: string; shard?: number });
    expect(moves.every((m) => m.sku === sku)).toBe(true);
    // Movements within one millisecond have no order in the log: compare each order's set of movements.
    const of = (orderId: string) =>
      moves
        .filter((m) => m.orderId === orderId)
        .map((m) => `${m.reason}@${m.shard}`)
        .sort();
    expect(of(a)).toEqual(["commit@0", "reserve@0", "return@0"]);
    expect(of(b)).toEqual(["release@0", "reserve@0"]);
    expect(of(c)).toEqual(["reserve@1"]);
    // Staff read the same movements from the SKU's history.
    const staff = await signedIn("staff");
    const history = await call("GET", `/api/admin/inventory/${sku}/history?limit=100`, { headers: staff.headers });
    expect(history.status).toBe(200);
    expect(history.body.items.filter((i: { data: { shard?: number } }) => i.data.shard !== undefined)).toHaveLength(6);
  });

  it("announces LowStock and OutOfStock once per crossing of the SKU's whole level, not once per shard", async () => {
    const sku = await product(8, 3);
    await stockStub(env, sku).setShards(sku, 2);
    // Shoppers one after another over both shards, into the low band, then until the whole SKU is sold out. (A
    // report that jumps from above the threshold straight to 0 is OutOfStock alone, as for an ordinary SKU.)
    let sold = 0;
    const sellUntil = async (n: number) => {
      for (let i = sold; sold < n; i++) if ((await reserveLine(env, sku, `alert-${i}`, 1, HOUR)).result.ok) sold++;
    };
    await sellUntil(5);
    await published(sku, { available: 3 });
    await sellUntil(8);
    await published(sku, { available: 0, reserved: 8 });
    const out = await loggedAtLeast(sku, "OutOfStock", 1);
    // Alerts leave the parent's outbox in order: LowStock (written before OutOfStock) is delivered by now.
    const low = await logged(sku, "LowStock");
    expect(out).toHaveLength(1);
    expect(low).toHaveLength(1);
    // Sales paused at 3 left: the first report at or below the threshold showed exactly 3.
    expect(low[0]?.data).toEqual({ sku, available: 3, threshold: 3 });
    // The parent's own (staff) movements carry the SKU's whole level, so a restock brings it back once.
    const staff = await signedIn("staff");
    const restock = await call("POST", `/api/admin/inventory/${sku}/adjustments`, {
      body: { delta: 2, reason: "restock" },
      headers: { ...staff.headers, origin: "http://localhost" },
    });
    expect(restock.body).toEqual({ sku, onHand: 10, reserved: 8, available: 2 });
    const rows = await loggedAtLeast(sku, "InventoryAdjusted", 9);
    const staffMove = rows.map((r) => r.data as { reason: string; before: StockLevel; after: StockLevel });
    expect(staffMove.find((m) => m.reason === "restock")).toMatchObject({
      before: { onHand: 8, reserved: 8, available: 0 },
      after: { onHand: 10, reserved: 8, available: 2 },
    });
  });
});

describe("the reconciliation check on a sharded SKU", () => {
  it("finds orders held and sold on shards, and a reservation on a shard that no order holds", async () => {
    const sku = await orderProduct({ onHand: 6 });
    await stockStub(env, sku).setShards(sku, 2);
    const held = await placeOrder([{ sku, qty: 2 }]);
    const sold = await placeOrder([{ sku, qty: 1 }]);
    expect((await pay(sold, "tok_visa")).status).toBe(202);
    await waitForStatus(sold, "confirmed");
    await stockStub(env, shardName(sku, 1)).reserve(shardName(sku, 1), "ord_ghostonashardghostone", 1, HOUR);
    const report = await reconcile(env, { graceMs: 0 });
    const mine = report.drift.filter((d) => d.sku === sku || d.orderId === held.id || d.orderId === sold.id);
    expect(mine).toEqual([
      expect.objectContaining({ kind: "reservation_orphaned", sku, orderId: "ord_ghostonashardghostone" }),
    ]);
  });

  it("still reads the shards of a SKU that was un-sharded while its orders were held there", async () => {
    const sku = await orderProduct({ onHand: 4 });
    await stockStub(env, sku).setShards(sku, 2);
    const held = await placeOrder([{ sku, qty: 1 }]);
    await stockStub(env, sku).setShards(sku, 1);
    const report = await reconcile(env, { graceMs: 0 });
    expect(report.drift.filter((d) => d.sku === sku || d.orderId === held.id)).toEqual([]);
  });
});

describe("staff adjustments on a sharded SKU", () => {
  const adjust = async (sku: string, delta: number) => {
    const staff = await signedIn("staff");
    return call("POST", `/api/admin/inventory/${sku}/adjustments`, {
      body: { delta, reason: delta > 0 ? "restock" : "damage" },
      headers: { ...staff.headers, origin: "http://localhost" },
    });
  };

  it("removes units the shards hold free by taking them back, and refuses more than the SKU has free with how many can go", async () => {
    const sku = await product(10);
    await stockStub(env, sku).setShards(sku, 2);
    const [a] = ordersFor(0, 2, 1, "adj") as [string];
    const [b] = ordersFor(1, 2, 1, "adj") as [string];
    await reserveLine(env, sku, a, 1, HOUR);
    await reserveLine(env, sku, b, 1, HOUR);
    await published(sku, { onHand: 10, reserved: 2, available: 8 });
    // The shards were granted batches: the parent alone has fewer than 6 free.
    expect(await ownOnHand(sku)).toBeLessThan(6);
    const removed = await adjust(sku, -6);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ sku, onHand: 4, reserved: 2, available: 2 });
    const refused = await adjust(sku, -3);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "below_reserved", details: { sku, removable: 2 } });
    await published(sku, { onHand: 4, reserved: 2, available: 2 });
    // The reservations stay on their shards; only free units moved.
    expect((await stockStub(env, shardName(sku, 0)).commit(shardName(sku, 0), a)).ok).toBe(true);
    const exact = await adjust(sku, -2);
    expect(exact.status).toBe(200);
    await published(sku, { onHand: 1, reserved: 1, available: 0 });
  });

  it("adds stock on the parent, from which the shards refill", async () => {
    const sku = await product(2);
    await stockStub(env, sku).setShards(sku, 2);
    for (let i = 0; i < 2; i++) expect((await reserveLine(env, sku, `add-${i}`, 1, HOUR)).result.ok).toBe(true);
    expect((await reserveLine(env, sku, "add-late", 1, HOUR)).result.ok).toBe(false);
    expect((await adjust(sku, 3)).status).toBe(200);
    // A shard believes a dry parent for 100 ms after a refusal (docs/sharding.md): the restock sells once that
    // belief runs out, not necessarily at the very next call (a fresh-clone CI run made that call within it).
    const after = await waitFor("a shard to sell the restocked units", async () => {
      forgetShardCounts();
      const r = await reserveLine(env, sku, "add-after", 1, HOUR);
      return r.result.ok ? r : undefined;
    });
    expect(after).toMatchObject({ result: { ok: true } });
    expect(after.place).toMatch(/#shard-[01]$/);
    await published(sku, { onHand: 5, reserved: 3, available: 2 });
  });
});

describe("automatic sharding under sustained load", () => {
  it("is off by default: an ordinary SKU under a stream of reservations stays on its own object", async () => {
    const sku = await product(100);
    for (let i = 0; i < 30; i++) expect((await reserveLine(env, sku, `calm-${i}`, 1, HOUR)).place).toBe(sku);
    expect(await stockStub(env, sku).reserveOrRedirect(sku, "calm-probe", 1, HOUR)).toMatchObject({ ok: true });
  });

  it("shards a SKU by itself once the load is sustained, to the configured count, and never again after staff put it back", async () => {
    const sku = await product(1000);
    const stub = stockStub(env, sku);
    await stub.snapshot(sku);
    // The one place automatic sharding is on in the tests: 5 reservations a second, for 1 second, makes 4 shards.
    await runInDurableObject(stub, (o: ProductStock) => o.setAutoShard({ perSecond: 5, seconds: 1, shards: 4 }));
    const places: string[] = [];
    for (let i = 0; i < 500 && !places.some((p) => p !== sku); i++) {
      places.push((await reserveLine(env, sku, `busy-${i}`, 1, HOUR)).place);
    }
    // Fewer than 5 reservations cannot fill a second; the first order past the threshold went to a shard.
    expect(places.slice(0, 5)).toEqual(Array(5).fill(sku));
    expect(places.at(-1)).toMatch(/#shard-[0-3]$/);
    expect(await stub.reserveOrRedirect(sku, "busy-probe", 1, HOUR)).toMatchObject({ reason: "sharded", shards: 4 });
    // Staff put it back: the load goes on, the SKU stays on one object (the meter never un-shards or re-shards).
    expect(await stub.setShards(sku, 1)).toMatchObject({ ok: true, shards: 1 });
    forgetShardCounts();
    for (let i = 0; i < 30; i++) expect((await reserveLine(env, sku, `after-${i}`, 1, HOUR)).place).toBe(sku);
    await published(sku, { reserved: places.length + 30 });
  });
});
