import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { pickShard, shardName } from "../src/domain/stock-shards";
import type { ProductStock, StockLevel } from "../src/durable/product-stock";
import { releaseLines, reserveLines } from "../src/services/stock/checkout";
import { stockStub } from "../src/services/stock/stock";
import { forgetShardCounts, reserveLine } from "../src/services/stock/stock-shards";
import { call, waitFor } from "./helpers";
import { product as orderProduct, pay, placeOrder, signedIn, waitForStatus } from "./order-fixtures";
import { stockProduct } from "./stock-fixtures";

const HOUR = 60 * 60_000;

const product = (onHand: number) => stockProduct(onHand, 0);

/** One object's own ledger, read inside it: on hand, reserved, sold (not returned). */
function own(name: string) {
  return runInDurableObject(stockStub(env, name), (_: ProductStock, state) => {
    const one = (q: string) => Number(state.storage.sql.exec(q).toArray()[0]?.n ?? 0);
    return {
      onHand: one("SELECT on_hand AS n FROM stock"),
      reserved: one("SELECT COALESCE(SUM(qty), 0) AS n FROM reservations"),
      sold: one("SELECT COALESCE(SUM(qty), 0) AS n FROM sales WHERE returned = 0"),
    };
  });
}

/** The SKU's units wherever they are: on the parent or on any of the first `k` shards, and sold anywhere. */
async function census(sku: string, k: number) {
  const all = [await own(sku), ...(await Promise.all(Array.from({ length: k }, (_, i) => own(shardName(sku, i)))))];
  return {
    onHand: all.reduce((n, o) => n + o.onHand, 0),
    reserved: all.reduce((n, o) => n + o.reserved, 0),
    sold: all.reduce((n, o) => n + o.sold, 0),
  };
}

/** Order ids that hash to shard `i` of `k` (so a test can aim shoppers at one shard). */
function ordersFor(i: number, k: number, n: number): string[] {
  const out: string[] = [];
  for (let j = 0; out.length < n; j++) if (pickShard(`ord-${j}`, k) === i) out.push(`ord-${j}`);
  return out;
}

/**
 * Shoppers one after another until the first refusal: under a burst a few units can sit on a shard that was
 * granted a batch after the last shopper of the burst passed it; they are sold to the next ones, never lost.
 */
async function untilRefused(sku: string, label: string) {
  const won = [];
  for (let i = 0; ; i++) {
    const p = await reserveLine(env, sku, `${label}-${i}`, 1, HOUR);
    if (!p.result.ok) return { won, refused: p };
    won.push({ ...p, orderId: `${label}-${i}` });
  }
}

/** The SKU's published level once it shows `want` (the shards' reports arrive within a fraction of a second). */
const published = (sku: string, want: Partial<StockLevel>) =>
  waitFor(`the published level ${JSON.stringify(want)}`, async () => {
    const level: StockLevel = await stockStub(env, sku).snapshot(sku);
    return Object.entries(want).every(([k, v]) => level[k as keyof StockLevel] === v) ? level : undefined;
  });

beforeEach(() => forgetShardCounts());

describe("a hot SKU split across shards", () => {
  it("sells exactly the stock to 200 concurrent shoppers spread over 4 shards, 0 oversold", async () => {
    const sku = await product(40);
    expect(await stockStub(env, sku).setShards(sku, 4)).toMatchObject({ ok: true, shards: 4 });
    const placed = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => ({
        ...(await reserveLine(env, sku, `order-${i}`, 1, HOUR)),
        orderId: `order-${i}`,
      })),
    );
    const burst = placed.filter((p) => p.result.ok);
    const after = await untilRefused(sku, "late");
    const won = [...burst, ...after.won];
    expect(won).toHaveLength(40);
    expect(burst.length).toBeGreaterThan(30);
    expect(new Set(won.map((p) => p.place)).size).toBeGreaterThan(1);
    expect(won.every((p) => p.place.startsWith(`${sku}#shard-`))).toBe(true);
    // Every winner's order commits on the shard that holds it.
    await Promise.all(won.map((p) => stockStub(env, p.place).commit(p.place, p.orderId)));
    expect(await census(sku, 4)).toEqual({ onHand: 0, reserved: 0, sold: 40 });
    await published(sku, { onHand: 0, reserved: 0, available: 0 });
  });

  it("keeps an ordinary SKU on its own object: the order is placed there and the shard count is never consulted", async () => {
    const sku = await product(3);
    const placed = await reserveLine(env, sku, "o1", 1, HOUR);
    expect(placed).toMatchObject({ place: sku, result: { ok: true, level: { sku, available: 2 } } });
    expect(await own(sku)).toMatchObject({ onHand: 3, reserved: 1 });
  });

  it("refuses a shopper only when the whole SKU is out, taking units another shard holds", async () => {
    const sku = await product(4);
    await stockStub(env, sku).setShards(sku, 2);
    const [a] = ordersFor(1, 2, 1) as [string];
    const [b, c, d, e, f] = ordersFor(0, 2, 5) as [string, string, string, string, string];
    // Shard 1 is granted half the stock (2) and keeps it free after its order lets go.
    expect(await reserveLine(env, sku, a, 1, HOUR)).toMatchObject({ place: shardName(sku, 1), result: { ok: true } });
    await releaseLines(env, a, [{ sku }], { [sku]: shardName(sku, 1) });
    // Shard 0 takes the parent's last two units.
    expect(await reserveLine(env, sku, b, 1, HOUR)).toMatchObject({ place: shardName(sku, 0) });
    expect(await reserveLine(env, sku, c, 1, HOUR)).toMatchObject({ place: shardName(sku, 0) });
    expect((await own(sku)).onHand).toBe(0);
    await published(sku, { available: 2 });
    // Shard 0 and the parent are dry; shard 1 still has two: the next shoppers get them.
    expect(await reserveLine(env, sku, d, 1, HOUR)).toMatchObject({ place: shardName(sku, 1), result: { ok: true } });
    expect(await reserveLine(env, sku, e, 1, HOUR)).toMatchObject({ place: shardName(sku, 1), result: { ok: true } });
    const refused = await reserveLine(env, sku, f, 1, HOUR);
    expect(refused.result).toMatchObject({ ok: false, reason: "insufficient" });
    expect(await census(sku, 2)).toEqual({ onHand: 4, reserved: 4, sold: 0 });
  });

  it("un-sharding returns every shard's unsold units to the parent and later orders go to the parent", async () => {
    const sku = await product(20);
    await stockStub(env, sku).setShards(sku, 4);
    const orders = ["u-1", "u-2", "u-3", "u-4"];
    const placed = await Promise.all(orders.map((o) => reserveLine(env, sku, o, 1, HOUR)));
    expect(placed.every((p) => p.result.ok)).toBe(true);
    await stockStub(env, placed[0]!.place).commit(placed[0]!.place, "u-1");
    const off = await stockStub(env, sku).setShards(sku, 1);
    expect(off).toMatchObject({ ok: true, shards: 1, unreachable: 0 });
    // Sold: 1. Still reserved on their shards: 3. Everything else is back on the parent.
    expect((await own(sku)).onHand).toBe(16);
    expect(await census(sku, 4)).toEqual({ onHand: 19, reserved: 3, sold: 1 });
    await published(sku, { onHand: 19, reserved: 3, available: 16 });
    // A reservation let go on a retired shard goes back to the parent too.
    await stockStub(env, placed[1]!.place).release(placed[1]!.place, "u-2", "release");
    await waitFor("the freed unit back on the parent", async () => ((await own(sku)).onHand === 17 ? true : undefined));
    forgetShardCounts();
    expect(await reserveLine(env, sku, "u-5", 1, HOUR)).toMatchObject({ place: sku, result: { ok: true } });
  });

  it("loses nothing when shards are evicted mid-sale", async () => {
    const sku = await product(40);
    await stockStub(env, sku).setShards(sku, 2);
    const first = await Promise.all(Array.from({ length: 25 }, (_, i) => reserveLine(env, sku, `e-${i}`, 1, HOUR)));
    await Promise.all([evictDurableObject(stockStub(env, shardName(sku, 0))), evictDurableObject(stockStub(env, sku))]);
    const second = await Promise.all(
      Array.from({ length: 25 }, (_, i) => reserveLine(env, sku, `e-${25 + i}`, 1, HOUR)),
    );
    await evictDurableObject(stockStub(env, shardName(sku, 1)));
    const after = await untilRefused(sku, "e-late");
    const won = [...first, ...second].filter((p) => p.result.ok);
    expect(won.length + after.won.length).toBe(40);
    // Every reservation survived in the object that answered it, and no unit was made or lost.
    expect(await census(sku, 2)).toEqual({ onHand: 40, reserved: 40, sold: 0 });
  });

  it("repairs a grant whose answer was lost: the shard takes the difference and the parent grants nothing twice", async () => {
    const sku = await product(10);
    const parent = stockStub(env, sku);
    await parent.setShards(sku, 2);
    const [o] = ordersFor(0, 2, 1) as [string];
    // The parent grants shard 0 a batch whose answer never arrives.
    const lost = await parent.grantShard(sku, 0, 1, 0);
    expect(lost.granted).toBeGreaterThan(0);
    // Asked again with the same applied total, the parent grants nothing more.
    expect((await parent.grantShard(sku, 0, 1, 0)).granted).toBe(lost.granted);
    expect((await own(sku)).onHand).toBe(10 - lost.granted);
    expect(await reserveLine(env, sku, o, 1, HOUR)).toMatchObject({ place: shardName(sku, 0), result: { ok: true } });
    expect(await own(shardName(sku, 0))).toMatchObject({ onHand: lost.granted, reserved: 1 });
    expect((await census(sku, 2)).onHand).toBe(10);
  });

  it("answers retries idempotently: the same order, the same give-back, the same commit", async () => {
    const sku = await product(5);
    const parent = stockStub(env, sku);
    await parent.setShards(sku, 2);
    const a = await reserveLine(env, sku, "r-1", 2, HOUR);
    const place = a.place;
    const again = await stockStub(env, place).reserve(place, "r-1", 2, HOUR);
    expect(again).toMatchObject({ ok: true });
    expect((await own(place)).reserved).toBe(2);
    await stockStub(env, place).commit(place, "r-1");
    await stockStub(env, place).commit(place, "r-1");
    expect((await own(place)).sold).toBe(2);
    const before = (await own(sku)).onHand;
    await parent.takeBack(sku, 0, 0);
    await parent.takeBack(sku, 1, 0);
    expect((await own(sku)).onHand).toBe(before);
    expect((await census(sku, 2)).onHand + (await census(sku, 2)).sold).toBe(5);
  });

  it("puts a checkout's line on a shard and releases it there when the order cannot go on", async () => {
    const sku = await product(4);
    await stockStub(env, sku).setShards(sku, 2);
    const answer = await reserveLines(env, "ord-x", [{ sku, qty: 2 }], HOUR, null);
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.places[sku]).toMatch(/#shard-[01]$/);
    await releaseLines(env, "ord-x", [{ sku }], answer.places);
    expect(await census(sku, 2)).toEqual({ onHand: 4, reserved: 0, sold: 0 });
  });
});

describe("POST /api/admin/inventory/:sku/shards and orders of a sharded SKU", () => {
  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    call("POST", path, { body, headers: { ...headers, origin: "http://localhost" } });

  it("lets staff shard and un-shard a SKU, refusing customers, bad counts and unknown SKUs", async () => {
    const sku = await orderProduct({ onHand: 12 });
    const staff = await signedIn("staff");
    const customer = await signedIn("customer");
    expect((await post(`/api/admin/inventory/${sku}/shards`, customer.headers, { count: 4 })).status).toBe(403);
    const bad = await post(`/api/admin/inventory/${sku}/shards`, staff.headers, { count: 17 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    expect((await post("/api/admin/inventory/NO-SUCH-SKU/shards", staff.headers, { count: 2 })).status).toBe(404);
    const on = await post(`/api/admin/inventory/${sku}/shards`, staff.headers, { count: 4 });
    expect(on.status).toBe(200);
    expect(on.body).toEqual({ sku, onHand: 12, reserved: 0, available: 12, shards: 4, unreachable: 0 });
    expect(await stockStub(env, sku).reserveOrRedirect(sku, "probe", 1, HOUR)).toMatchObject({
      ok: false,
      reason: "sharded",
      shards: 4,
    });
    const off = await post(`/api/admin/inventory/${sku}/shards`, staff.headers, { count: 1 });
    expect(off.body).toMatchObject({ shards: 1, available: 12 });
  });

  it("keeps the shard in the order, so cancelling gives the units back to that shard, and paying commits there", async () => {
    const sku = await orderProduct({ onHand: 6 });
    await stockStub(env, sku).setShards(sku, 2);
    const cancelled = await placeOrder([{ sku, qty: 2 }]);
    const kept = await placeOrder([{ sku, qty: 1 }]);
    await published(sku, { reserved: 3, available: 3 });
    expect((await call("POST", `/api/orders/${cancelled.id}/cancel`, { headers: cancelled.auth })).status).toBe(200);
    await published(sku, { onHand: 6, reserved: 1, available: 5 });
    expect((await pay(kept, "tok_visa")).status).toBe(202);
    await waitForStatus(kept, "confirmed");
    await published(sku, { onHand: 5, reserved: 0, available: 5 });
    expect(await census(sku, 2)).toMatchObject({ reserved: 0, sold: 1 });
  });
});
