/**
 * OrderFlow keeps an order in the object's synchronous key-value storage (src/durable/order-flow/store.ts):
 * a new order builds no schema, a commit is all or nothing, and an order kept in the eight tables of before is
 * moved to keys the first time its object reads it.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newEvent } from "../src/adapters/event-bus";
import { getDb } from "../src/db/client";
import { events, orders } from "../src/db/schema";
import type { EventEnvelope } from "../src/domain/events";
import { deadlineOf } from "../src/domain/order/plan";
import type { Attempt, OrderDoc, StoredTask } from "../src/domain/order/types";
import type { TimelineEntry } from "../src/domain/order-machine";
import { KvOutbox } from "../src/durable/kit/kv-outbox";
import { migrate } from "../src/durable/kit/migrate";
import { LEGACY_ORDER_MIGRATIONS } from "../src/durable/order-flow/legacy";
import {
  eventsOf,
  getOrder,
  mirrorOf,
  type Placed,
  pay,
  placeOrder,
  product,
  stockOf,
  waitForStatus,
} from "./order-fixtures";

const flowOf = (o: Placed) => env.ORDER_FLOW.getByName(o.id);

/** The object's own tables: none of the runtime's (`_cf_…`) nor SQLite's. */
const tablesOf = (storage: DurableObjectStorage) =>
  storage.sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .toArray()
    .map((r) => r.name)
    .filter((name) => !name.startsWith("_cf_") && !name.startsWith("sqlite_"));

const keysOf = (kv: SyncKvStorage) => [...kv.list()].map(([key]) => key);

/**
 * Puts a placed order back into the layout of before (the old migration's eight tables, rows as the old store
 * wrote them) with nothing in the key-value storage, then evicts the object: what a deployed shop's order
 * looks like to the new code's first instance. `outbox` and `dirty` add an undelivered change, `retry` a
 * pending retry of the alarm.
 */
async function toOldLayout(o: Placed, extra: { outbox?: EventEnvelope[]; dirty?: number; retry?: number } = {}) {
  const stub = flowOf(o);
  await runInDurableObject(stub, (_instance, state) => {
    const { kv, sql } = state.storage;
    const doc = kv.get<OrderDoc>("doc");
    if (!doc) throw new Error("no order");
    const timeline = kv.get<TimelineEntry[]>("timeline") ?? [];
    const attempts = kv.get<Attempt[]>("attempts") ?? [];
    const tasks = kv.get<StoredTask[]>("tasks") ?? [];
    const at = deadlineOf(doc);
    const retry = extra.retry ?? kv.get<number>("retry");
    for (const key of keysOf(kv)) kv.delete(key);
    migrate(state.storage, LEGACY_ORDER_MIGRATIONS);
    sql.exec("INSERT INTO doc (id, body) VALUES (1, ?)", JSON.stringify(doc));
    for (const e of timeline) {
      sql.exec(
        "INSERT INTO timeline (version, status, at, note) VALUES (?, ?, ?, ?)",
        e.version,
        e.status,
        e.at,
        e.note ?? null,
      );
    }
    for (const a of attempts) {
      sql.exec("INSERT INTO attempts (payment_id, seq, body) VALUES (?, ?, ?)", a.id, a.seq, JSON.stringify(a));
    }
    for (const { seq: _, tries, nextAt, inflight, ...t } of tasks) {
      sql.exec(
        "INSERT INTO tasks (id, body, tries, next_at, inflight) VALUES (?, ?, ?, ?, ?)",
        t.id,
        JSON.stringify(t),
        tries,
        nextAt,
        inflight ? 1 : 0,
      );
    }
    if (at !== null) sql.exec("INSERT INTO deadlines (kind, at) VALUES (?, ?)", doc.status, at);
    if (retry !== undefined) sql.exec("INSERT INTO deadlines (kind, at) VALUES ('retry', ?)", retry);
    for (const e of extra.outbox ?? []) sql.exec("INSERT INTO outbox (event) VALUES (?)", JSON.stringify(e));
    sql.exec("UPDATE sync SET dirty = ? WHERE id = 1", extra.dirty ?? 0);
    expect(keysOf(kv)).toEqual([]);
  });
  await evictDurableObject(stub);
  return stub;
}

/** The event as the object's outbox held it, read back from D1's log. */
async function envelopeOf(id: string): Promise<EventEnvelope> {
  const row = await getDb(env.DB).select().from(events).where(eq(events.id, id)).get();
  if (!row) throw new Error(`no event ${id}`);
  const { id: eventId, type, version, occurredAt, source, subject, data } = row;
  return { id: eventId, type, version, occurredAt, source, subject, data } as EventEnvelope;
}

describe("the order object's storage", () => {
  it("writes nothing of a transaction on the key-value storage that throws, and all of one that returns", async () => {
    const stub = env.ORDER_FLOW.getByName(`kv-${crypto.randomUUID()}`);
    await runInDurableObject(stub, (_instance, state) => {
      const { kv } = state.storage;
      kv.put("kept", 1);
      expect(() =>
        state.storage.transactionSync(() => {
          kv.put("kept", 2);
          kv.put("added", [1, 2, 3]);
          kv.delete("kept");
          throw new Error("the commit failed half-way");
        }),
      ).toThrow("the commit failed half-way");
      expect(kv.get("kept")).toBe(1);
      expect(kv.get("added")).toBeUndefined();
      state.storage.transactionSync(() => {
        kv.put("kept", 2);
        kv.put("added", [1, 2, 3]);
      });
      expect([...kv.list()]).toEqual([
        ["added", [1, 2, 3]],
        ["kept", 2],
      ]);
    });
  });

  it("relays a key-value outbox oldest first in batches of 50 and forgets only a delivered batch", async () => {
    const stub = env.ORDER_FLOW.getByName(`kv-${crypto.randomUUID()}`);
    const made = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        newEvent("UserSignedUp", `customer:c${i}`, { customerId: `c${i}`, email: `c${i}@example.com`, name: "Ada" }),
      );
    await runInDurableObject(stub, (_instance, state) => {
      const outbox = new KvOutbox(state.storage.kv, "outbox");
      expect(outbox.empty).toBe(true);
      expect(outbox.peek()).toBeNull();
      const first = made(60);
      state.storage.transactionSync(() => outbox.append(first));
      const batch = outbox.peek();
      expect(batch?.events.map((e) => e.id)).toEqual(first.slice(0, 50).map((e) => e.id));
      expect(batch?.full).toBe(true);
      // Appended while the batch was being delivered: acknowledging the batch keeps them.
      const later = made(1);
      outbox.append(later);
      if (!batch) throw new Error("no batch");
      outbox.ack(batch);
      const rest = outbox.peek();
      expect(rest?.events.map((e) => e.id)).toEqual([...first.slice(50), ...later].map((e) => e.id));
      expect(rest?.full).toBe(false);
      // What is stored is what a new instance reads.
      const reread = new KvOutbox(state.storage.kv, "outbox");
      expect(reread.peek()).toEqual(rest);
      if (!rest) throw new Error("no rest");
      reread.ack(rest);
      expect(reread.empty).toBe(true);
      expect(keysOf(state.storage.kv)).toEqual([]);
      // Sequence numbers go on after the value was emptied: a stale batch cannot take a new event.
      const next = made(1);
      reread.append(next);
      reread.ack(rest);
      expect(reread.peek()?.events.map((e) => e.id)).toEqual(next.map((e) => e.id));
    });
  });

  it("creates a new order with its first commit alone: no tables, only the order's keys left once delivered", async () => {
    const o = await placeOrder([{ sku: await product(), qty: 1 }]);
    await runInDurableObject(flowOf(o), (_instance, state) => {
      expect(tablesOf(state.storage)).toEqual([]);
      // Delivered at once: no outbox and no unmirrored count left.
      expect(keysOf(state.storage.kv)).toEqual(["doc", "timeline"]);
    });
  });

  it("keeps the events of a delivery the queue refused, and the alarm delivers them, logged once", async () => {
    const o = await placeOrder([{ sku: await product(), qty: 1 }]);
    const stub = flowOf(o);
    let refused = 0;
    const queue = env.EVENTS;
    await runInDurableObject(stub, (instance) => {
      // The queue refuses every send until it is put back below (D1 still works). Objects share one `env` here.
      Object.defineProperty((instance as unknown as { env: Env }).env, "EVENTS", {
        configurable: true,
        value: {
          send: async () => {},
          sendBatch: async () => {
            refused++;
            throw new Error("queue unavailable");
          },
        },
      });
    });
    expect((await pay(o, "tok_visa")).status).toBe(202);
    expect(refused).toBeGreaterThanOrEqual(1);
    await runInDurableObject(stub, (instance, state) => {
      // D1 took the mirror and the log; the events stay in the outbox until the queue has them.
      const kv = state.storage.kv;
      expect((kv.get<{ event: EventEnvelope }[]>("outbox") ?? []).map((e) => e.event.type)).toEqual([
        "PaymentInitiated",
      ]);
      expect(kv.get("retry")).toEqual(expect.any(Number));
      Object.defineProperty((instance as unknown as { env: Env }).env, "EVENTS", { configurable: true, value: queue });
    });
    expect(await mirrorOf(o.id)).toMatchObject({ status: "payment_pending", version: 2 });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runInDurableObject(stub, (_instance, state) => {
      const kv = state.storage.kv;
      expect(kv.get("dirty")).toBeUndefined();
      expect(kv.get("outbox")).toBeUndefined();
    });
    // The queue has it now: the payment runs, and the event log holds PaymentInitiated once.
    await waitForStatus(o, "confirmed");
    expect((await eventsOf(o.id)).filter((e) => e.type === "PaymentInitiated")).toHaveLength(1);
  });

  it("moves an order kept in the old tables to keys the first time it is read, drops the tables, and runs its checkout", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 1 }]);
    const before = (await getOrder(o)).body;
    const retry = Date.now() + 60_000;
    const stub = await toOldLayout(o, { retry });
    expect((await getOrder(o)).body).toEqual(before);
    await runInDurableObject(stub, (_instance, state) => {
      expect(tablesOf(state.storage)).toEqual([]);
      expect(keysOf(state.storage.kv)).toEqual(["doc", "retry", "timeline"]);
      expect(state.storage.kv.get("retry")).toBe(retry);
    });
    expect((await pay(o, "tok_visa")).status).toBe(202);
    const confirmed = await waitForStatus(o, "confirmed");
    expect(confirmed.timeline.map((e: TimelineEntry) => e.version)).toEqual([1, 2, 3]);
    expect(await stockOf(sku)).toMatchObject({ onHand: 9, reserved: 0 });
  });

  it("carries an old order's undelivered change and deadline over: the alarm delivers it and expires the reservation", async () => {
    const sku = await product();
    const o = await placeOrder([{ sku, qty: 2 }]);
    const placed = (await eventsOf(o.id)).find((e) => e.type === "OrderPlaced");
    if (!placed) throw new Error("no OrderPlaced");
    const envelope = await envelopeOf(placed.id);
    // As if the old object died before delivering: neither the mirror nor the event reached D1.
    await getDb(env.DB).delete(orders).where(eq(orders.id, o.id));
    await getDb(env.DB).delete(events).where(eq(events.id, placed.id));
    const stub = await toOldLayout(o, { outbox: [envelope], dirty: 1 });
    await runInDurableObject(stub, (_instance, state) => {
      const past = Date.now() - 1;
      state.storage.sql.exec("UPDATE doc SET body = json_set(body, '$.expiresAt', ?)", past);
      state.storage.sql.exec("UPDATE deadlines SET at = ?", past);
    });
    await evictDurableObject(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await getOrder(o)).body).toMatchObject({ status: "cancelled", version: 2 });
    expect(await mirrorOf(o.id)).toMatchObject({ status: "cancelled", version: 2 });
    expect((await eventsOf(o.id)).map((e) => e.type)).toEqual(
      expect.arrayContaining(["OrderPlaced", "OrderCancelled"]),
    );
    expect(await stockOf(sku)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    await runInDurableObject(stub, (_instance, state) => {
      expect(tablesOf(state.storage)).toEqual([]);
      expect(keysOf(state.storage.kv)).toEqual(["doc", "timeline"]);
    });
  });
});
