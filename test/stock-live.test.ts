import { evictDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { products } from "../src/db/schema";
import type { StockMessage } from "../src/durable/product-stock";
import { stockStub } from "../src/services/stock/stock";
import { BASE, call, waitFor } from "./helpers";

const HOUR = 60 * 60_000;

async function product(onHand: number): Promise<string> {
  const sku = `T-${crypto.randomUUID()}`;
  const now = Date.now();
  await getDb(env.DB)
    .insert(products)
    .values({
      sku,
      name: `Live ${sku}`,
      material: "leather",
      colour: "brown",
      priceCents: 1500,
      stockOnHand: onHand,
      stockAvailable: onHand,
      createdAt: now,
      updatedAt: now,
    });
  return sku;
}

/** Opens the live-stock socket through the Worker's route and records every message it receives. */
async function watch(sku: string) {
  const res = await exports.default.fetch(
    new Request(`${BASE}/api/products/${sku}/live`, { headers: { Upgrade: "websocket" } }),
  );
  expect(res.status).toBe(101);
  const ws = res.webSocket;
  if (!ws) throw new Error("no WebSocket in the upgrade response");
  const messages: StockMessage[] = [];
  ws.addEventListener("message", (e) => {
    // "pong" answers our ping; everything else is a stock message.
    if (e.data !== "pong") messages.push(JSON.parse(e.data as string));
  });
  ws.accept();
  const next = (what: string, predicate: (m: StockMessage) => boolean) =>
    waitFor(what, async () => messages.find(predicate), 5_000);
  return { ws, messages, next };
}

describe("live stock", () => {
  it("answers the current level with no-store for GET /api/products/:sku/stock", async () => {
    const sku = await product(6);
    await stockStub(env, sku).reserve(sku, "o1", 2, HOUR);
    const res = await call("GET", `/api/products/${sku}/stock`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toEqual({ sku, onHand: 6, reserved: 2, available: 4 });
  });

  it("answers 404 not_found for the stock of an unknown SKU", async () => {
    const res = await call("GET", "/api/products/NOPE-404/stock");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  it("refuses a live request that is not a WebSocket upgrade, and an unknown SKU", async () => {
    const sku = await product(1);
    const plain = await call("GET", `/api/products/${sku}/live`);
    expect(plain.status).toBe(400);
    expect(plain.body.error.code).toBe("validation_failed");
    const unknown = await call("GET", "/api/products/NOPE-404/live", { headers: { Upgrade: "websocket" } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
  });

  it("sends the level on connect and after every change to every viewer", async () => {
    const sku = await product(5);
    const a = await watch(sku);
    const b = await watch(sku);
    await a.next("the greeting", (m) => m.available === 5);
    expect(a.messages[0]).toEqual({ type: "stock", sku, available: 5, at: expect.any(Number) });
    const stub = stockStub(env, sku);
    await stub.reserve(sku, "o1", 2, HOUR);
    await a.next("the reservation", (m) => m.available === 3);
    await b.next("the reservation", (m) => m.available === 3);
    await stub.adjust(sku, -3, "damage", "staff_1");
    await b.next("the adjustment", (m) => m.available === 0);
    expect(b.messages.map((m) => m.available)).toEqual([5, 3, 0]);
    a.ws.close(1000, "done");
    b.ws.close(1000, "done");
  });

  it("keeps delivering to a socket after the object is evicted (hibernated)", async () => {
    const sku = await product(8);
    const viewer = await watch(sku);
    await viewer.next("the greeting", (m) => m.available === 8);
    const stub = stockStub(env, sku);
    await evictDurableObject(stub);
    await stub.reserve(sku, "o1", 3, HOUR);
    await viewer.next("the update after hibernation", (m) => m.available === 5);
    await evictDurableObject(stub);
    await stub.release(sku, "o1", "release");
    await viewer.next("the release after hibernation", (m) => m.available === 8 && viewer.messages.length === 3);
    expect(viewer.messages).toEqual([
      { type: "stock", sku, available: 8, at: expect.any(Number) },
      { type: "stock", sku, available: 5, at: expect.any(Number) },
      { type: "stock", sku, available: 8, at: expect.any(Number) },
    ]);
    viewer.ws.close(1000, "done");
  });

  it("answers the runtime's ping with pong without involving the object", async () => {
    const sku = await product(2);
    const viewer = await watch(sku);
    await viewer.next("the greeting", () => true);
    const pong = new Promise<string>((resolve) =>
      viewer.ws.addEventListener("message", (e) => {
        if (e.data === "pong") resolve(e.data);
      }),
    );
    viewer.ws.send("ping");
    expect(await pong).toBe("pong");
    viewer.ws.close(1000, "done");
  });
});
