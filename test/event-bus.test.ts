import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newEvent, recordAndPublish, sweepOutbox } from "../src/adapters/event-bus";
import { getDb } from "../src/db/client";
import { deadLetters, events, notifications } from "../src/db/schema";
import type { EventEnvelope } from "../src/domain/events";
import { consumeEvents, wasProcessed } from "../src/services/subscribers/event-consumer";
import type { Subscriber } from "../src/services/subscribers/subscriber";
import { waitFor } from "./helpers";

const signedUp = (email = `${crypto.randomUUID()}@example.com`) =>
  newEvent("UserSignedUp", "customer:c1", { customerId: "c1", email, name: "Ada" });

function counting(name: string): Subscriber & { seen: string[] } {
  const seen: string[] = [];
  return { name, types: ["UserSignedUp"], exactlyOnce: true, seen, handle: async (e) => void seen.push(e.id) };
}

describe("event bus", () => {
  it("refuses to build an event whose data does not match its schema", () => {
    // @ts-expect-error: the schema is the contract; a wrong payload is a bug caught at publish time
    expect(() => newEvent("OutOfStock", "sku:x", { sku: 42 })).toThrow();
  });

  it("writes the outbox row, delivers it through the queue and marks it published", async () => {
    const event = signedUp();
    await recordAndPublish(env, [event]);
    const row = await getDb(env.DB).select().from(events).where(eq(events.id, event.id)).get();
    expect(row?.type).toBe("UserSignedUp");
    expect(row?.publishedAt).toBeTypeOf("number");
    // The Notifications service answers UserSignedUp with a welcome message: its row proves the consumer ran.
    await waitFor("the queue consumer to handle the event", async () => {
      const sent = await getDb(env.DB).select().from(notifications).where(eq(notifications.eventId, event.id)).get();
      return sent ? true : undefined;
    });
  });

  it("keeps no dedup marks for subscribers that are idempotent by their own keys", async () => {
    const event = signedUp();
    const plain = { ...counting(`plain-${crypto.randomUUID()}`), exactlyOnce: false };
    const batch = createMessageBatch("shop-events", [{ id: "p1", timestamp: new Date(), attempts: 1, body: event }]);
    await consumeEvents(batch, env, [plain]);
    expect(plain.seen).toEqual([event.id]);
    expect(await wasProcessed(env, plain.name, event.id)).toBe(false);
  });

  it("handles a duplicate delivery of the same event once per exactly-once subscriber", async () => {
    const event = signedUp();
    const subscriber = counting(`count-${crypto.randomUUID()}`);
    const batch = createMessageBatch("shop-events", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: event },
      { id: "m2", timestamp: new Date(), attempts: 1, body: event },
    ]);
    await consumeEvents(batch, env, [subscriber]);
    await consumeEvents(
      createMessageBatch("shop-events", [{ id: "m3", timestamp: new Date(), attempts: 2, body: event }]),
      env,
      [subscriber],
    );
    expect(subscriber.seen).toEqual([event.id]);
  });

  it("retries a message whose subscriber fails and skips subscribers that already succeeded", async () => {
    const event = signedUp();
    const ok = counting(`ok-${crypto.randomUUID()}`);
    let failures = 1;
    const flaky: Subscriber = {
      name: `flaky-${crypto.randomUUID()}`,
      types: ["UserSignedUp"],
      exactlyOnce: true,
      handle: async () => {
        if (failures-- > 0) throw new Error("transient");
      },
    };
    const first = createMessageBatch("shop-events", [{ id: "a", timestamp: new Date(), attempts: 1, body: event }]);
    await consumeEvents(first, env, [ok, flaky]);
    const result = await getQueueResult(first, createExecutionContext());
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["a"]);
    await consumeEvents(
      createMessageBatch("shop-events", [{ id: "a", timestamp: new Date(), attempts: 2, body: event }]),
      env,
      [ok, flaky],
    );
    expect(ok.seen).toEqual([event.id]);
    expect(await wasProcessed(env, flaky.name, event.id)).toBe(true);
  });

  it("still runs the other subscribers when one fails, and retries only the one that failed", async () => {
    const event = signedUp();
    const after = counting(`after-${crypto.randomUUID()}`);
    let failures = 1;
    const failing: Subscriber = {
      name: `failing-${crypto.randomUUID()}`,
      types: ["UserSignedUp"],
      exactlyOnce: true,
      handle: async () => {
        if (failures-- > 0) throw new Error("down");
      },
    };
    await consumeEvents(
      createMessageBatch("shop-events", [{ id: "f1", timestamp: new Date(), attempts: 1, body: event }]),
      env,
      [failing, after],
    );
    expect(after.seen).toEqual([event.id]);
    expect(await wasProcessed(env, failing.name, event.id)).toBe(false);
    await consumeEvents(
      createMessageBatch("shop-events", [{ id: "f1", timestamp: new Date(), attempts: 2, body: event }]),
      env,
      [failing, after],
    );
    expect(after.seen).toEqual([event.id]);
    expect(await wasProcessed(env, failing.name, event.id)).toBe(true);
  });

  it("hands a batch-wise subscriber the whole delivery once, in order, after the per-event subscribers", async () => {
    const [a, b] = [signedUp(), signedUp()];
    const order: string[] = [];
    const each: Subscriber = {
      name: `each-${crypto.randomUUID()}`,
      types: ["UserSignedUp"],
      handle: async (e) => void order.push(`each:${e.id}`),
    };
    const whole: Subscriber = {
      name: `whole-${crypto.randomUUID()}`,
      types: ["UserSignedUp"],
      handleBatch: async (events) => void order.push(`whole:${events.map((e) => e.id).join(",")}`),
    };
    const batch = createMessageBatch("shop-events", [
      { id: "w1", timestamp: new Date(), attempts: 1, body: a },
      { id: "w2", timestamp: new Date(), attempts: 1, body: b },
    ]);
    await consumeEvents(batch, env, [whole, each]);
    expect(order).toEqual([`each:${a.id}`, `each:${b.id}`, `whole:${a.id},${b.id}`]);
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.explicitAcks.sort()).toEqual(["w1", "w2"]);
    expect(result.retryMessages).toEqual([]);
  });

  it("retries the messages a batch-wise subscriber failed on, and gives it only what the others handled", async () => {
    const [good, bad] = [signedUp(), signedUp()];
    const seen: string[][] = [];
    let failures = 1;
    const picky: Subscriber = {
      name: `picky-${crypto.randomUUID()}`,
      types: ["UserSignedUp"],
      handle: async (e) => {
        if (e.id === bad.id) throw new Error("not this one");
      },
    };
    const whole: Subscriber = {
      name: `whole-${crypto.randomUUID()}`,
      types: ["UserSignedUp"],
      handleBatch: async (events) => {
        seen.push(events.map((e) => e.id));
        if (failures-- > 0) throw new Error("feed down");
      },
    };
    const first = createMessageBatch("shop-events", [
      { id: "g1", timestamp: new Date(), attempts: 1, body: good },
      { id: "b1", timestamp: new Date(), attempts: 1, body: bad },
    ]);
    await consumeEvents(first, env, [picky, whole]);
    // The batch-wise subscriber never saw the event another subscriber failed on; both messages come back.
    expect(seen).toEqual([[good.id]]);
    const result = await getQueueResult(first, createExecutionContext());
    expect(result.retryMessages.map((m) => m.msgId).sort()).toEqual(["b1", "g1"]);
    expect(result.explicitAcks).toEqual([]);

    const second = createMessageBatch("shop-events", [{ id: "g1", timestamp: new Date(), attempts: 2, body: good }]);
    await consumeEvents(second, env, [picky, whole]);
    expect(seen).toEqual([[good.id], [good.id]]);
    expect((await getQueueResult(second, createExecutionContext())).explicitAcks).toEqual(["g1"]);
  });

  it("parks a message that is not an event in the dead letters instead of retrying it", async () => {
    const batch = createMessageBatch("shop-events", [
      { id: "bad", timestamp: new Date(), attempts: 1, body: { hello: "world" } },
    ]);
    await consumeEvents(batch, env, []);
    const rows = await getDb(env.DB).select().from(deadLetters);
    expect(rows.some((r) => r.body.includes("hello"))).toBe(true);
  });

  it("re-sends outbox rows the queue never accepted when the sweep runs", async () => {
    const event: EventEnvelope = { ...signedUp(), occurredAt: Date.now() - 60_000 };
    const db = getDb(env.DB);
    await db.insert(events).values({ ...event, publishedAt: null });
    expect(await sweepOutbox(env)).toBeGreaterThanOrEqual(1);
    const row = await db.select().from(events).where(eq(events.id, event.id)).get();
    expect(row?.publishedAt).toBeTypeOf("number");
  });
});
