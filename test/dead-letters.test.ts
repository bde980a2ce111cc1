import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newEvent } from "../src/adapters/event-bus";
import { slotStart } from "../src/domain/sales";
import { SUBSCRIBERS } from "../src/services/subscribers";
import { consumeDeadLetters, consumeEvents } from "../src/services/subscribers/event-consumer";
import { salesRollupSubscriber } from "../src/services/subscribers/sales-rollup";
import type { Subscriber } from "../src/services/subscribers/subscriber";
import { call, sessionFor, waitFor } from "./helpers";

/** A confirmed sale on its own local day, so the day's figures count only this test's order. */
function saleOn(day: string) {
  const orderId = `ord_${crypto.randomUUID()}`;
  const event = newEvent("OrderConfirmed", `order:${orderId}`, {
    orderId,
    customerId: null,
    email: `${crypto.randomUUID().slice(0, 8)}@example.com`,
    items: [{ sku: `DL-${crypto.randomUUID().slice(0, 8)}`, qty: 1, unitPriceCents: 1_500 }],
    totalCents: 1_800,
    currency: "EUR",
  });
  return { ...event, occurredAt: slotStart(day, 12, "Europe/Paris") };
}

/** The rollup with a fault: what a subscriber whose database call keeps failing looks like to the bus. */
const brokenRollup: Subscriber = {
  ...salesRollupSubscriber,
  handleBatch: async () => {
    throw new Error("rollup store unavailable");
  },
};

async function ordersOn(day: string, cookie: string): Promise<number> {
  const res = await call("GET", `/api/admin/sales?from=${day}&to=${day}`, { headers: { cookie } });
  return res.body.series.find((s: { currency: string }) => s.currency === "EUR")?.points[0]?.orders ?? 0;
}

/** Runs `event` through a consumer that throws, then hands it to the DLQ consumer as the queue would. */
async function deadLetter(event: ReturnType<typeof saleOn>) {
  const batch = createMessageBatch("shop-events", [{ id: "try-6", timestamp: new Date(), attempts: 6, body: event }]);
  await consumeEvents(batch, env, [brokenRollup]);
  const result = await getQueueResult(batch, createExecutionContext());
  expect(result.retryMessages.map((m) => m.msgId)).toEqual(["try-6"]);
  await consumeDeadLetters(
    createMessageBatch("shop-events-dlq", [{ id: "dlq-1", timestamp: new Date(), attempts: 6, body: event }]),
    env,
  );
}

describe("dead letters", () => {
  it("lists an event whose consumer threw, replays it after the fault is fixed, and applies it exactly once", async () => {
    const staff = await sessionFor("staff");
    const headers = { cookie: staff.cookie };
    const day = "2026-01-15";
    const event = saleOn(day);
    await deadLetter(event);

    const listed = await call("GET", "/api/admin/dead-letters?status=open", { headers });
    expect(listed.status).toBe(200);
    const item = listed.body.items.find((d: { eventId: string }) => d.eventId === event.id);
    expect(item).toMatchObject({
      type: "OrderConfirmed",
      subject: event.subject,
      subscribers: ["sales-rollup"],
      status: "open",
      attempts: 6,
    });
    expect(item.lastError).toContain("rollup store unavailable");
    expect(item.body).toMatchObject({ id: event.id, type: "OrderConfirmed" });
    expect(await ordersOn(day, staff.cookie)).toBe(0);

    // The fault is fixed (the Worker's own subscribers); the replay goes back through the real queue.
    const replayed = await call("POST", `/api/admin/dead-letters/${item.id}/replay`, { headers });
    expect(replayed.status).toBe(200);
    expect(replayed.body.deadLetter).toMatchObject({ status: "replayed", resolvedBy: staff.id });
    await waitFor("the replayed sale to reach the rollup", async () =>
      (await ordersOn(day, staff.cookie)) === 1 ? true : undefined,
    );

    // Neither a second replay nor another delivery of the same event counts it again.
    const again = await call("POST", `/api/admin/dead-letters/${item.id}/replay`, { headers });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("invalid_state");
    await consumeEvents(
      createMessageBatch("shop-events", [{ id: "late", timestamp: new Date(), attempts: 1, body: event }]),
      env,
      SUBSCRIBERS,
    );
    expect(await ordersOn(day, staff.cookie)).toBe(1);
    const all = await call("GET", "/api/admin/dead-letters?status=replayed", { headers });
    expect(all.body.items.some((d: { id: string }) => d.id === item.id)).toBe(true);
  });

  it("replays every open dead letter at once", async () => {
    const staff = await sessionFor("admin");
    const headers = { cookie: staff.cookie };
    const day = "2026-01-20";
    const first = saleOn(day);
    const second = saleOn(day);
    await deadLetter(first);
    await deadLetter(second);

    const res = await call("POST", "/api/admin/dead-letters/replay", { headers });
    expect(res.status).toBe(200);
    expect(res.body.replayed).toBeGreaterThanOrEqual(2);
    await waitFor("both replayed sales to reach the rollup", async () =>
      (await ordersOn(day, staff.cookie)) === 2 ? true : undefined,
    );
    const open = await call("GET", "/api/admin/dead-letters?status=open", { headers });
    expect(open.body.items.filter((d: { eventId: string }) => [first.id, second.id].includes(d.eventId))).toEqual([]);
  });

  it("discards a dead letter with a note, records who did it, and never applies it", async () => {
    const staff = await sessionFor("staff");
    const headers = { cookie: staff.cookie };
    const day = "2026-01-25";
    const event = saleOn(day);
    await deadLetter(event);
    const listed = await call("GET", "/api/admin/dead-letters?status=open", { headers });
    const item = listed.body.items.find((d: { eventId: string }) => d.eventId === event.id);

    const noNote = await call("POST", `/api/admin/dead-letters/${item.id}/discard`, { headers, body: { note: " " } });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.code).toBe("validation_failed");

    const res = await call("POST", `/api/admin/dead-letters/${item.id}/discard`, {
      headers,
      body: { note: "Test order, entered by mistake" },
    });
    expect(res.status).toBe(200);
    expect(res.body.deadLetter).toMatchObject({
      status: "discarded",
      resolvedBy: staff.id,
      note: "Test order, entered by mistake",
    });
    expect(typeof res.body.deadLetter.resolvedAt).toBe("number");
    const replay = await call("POST", `/api/admin/dead-letters/${item.id}/replay`, { headers });
    expect(replay.status).toBe(409);
    expect(await ordersOn(day, staff.cookie)).toBe(0);
    expect((await call("POST", "/api/admin/dead-letters/dl_missing/replay", { headers })).status).toBe(404);
  });

  it("is for staff only", async () => {
    const customer = await sessionFor("customer");
    const res = await call("GET", "/api/admin/dead-letters", { headers: { cookie: customer.cookie } });
    expect(res.status).toBe(403);
    expect((await call("POST", "/api/admin/dead-letters/replay")).status).toBe(401);
  });
});
