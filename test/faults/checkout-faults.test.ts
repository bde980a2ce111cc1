/**
 * Fault suite (issue #11): real checkouts driven through the faults the platform allows, in workerd with the
 * runtime's own helpers. After each: the ledger balances, money is right, the mirror equals the object, every
 * event is in the log once, and the reconciliation check finds nothing.
 */
import {
  createExecutionContext,
  createMessageBatch,
  evictDurableObject,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { stockStub } from "../../src/services/stock/stock";
import { reconcile } from "../../src/services/workflows/reconciliation";
import worker from "../../src/worker";
import { call, waitFor } from "../helpers";
import {
  eventsOf,
  mirrorOf,
  type Placed,
  pay,
  placeOrder,
  product,
  sendWebhook,
  stallPayment,
  webhook,
} from "../order-fixtures";
import {
  expectLedgerBalanced,
  expectNoDrift,
  expectOrderConsistent,
  objectReaches,
  settled,
  staffView,
} from "./fault-fixtures";

const ON_HAND = 10;
const flowOf = (o: Placed) => env.ORDER_FLOW.getByName(o.id);

/** Fails every D1 write of `table` that matches `when` until the returned function is called. */
async function failWrites(table: "orders" | "events", op: "INSERT" | "UPDATE", when: string) {
  const name = `fault_${crypto.randomUUID().replaceAll("-", "")}`;
  await env.DB.exec(
    `CREATE TRIGGER ${name} BEFORE ${op} ON ${table} WHEN ${when} BEGIN SELECT RAISE(ABORT, 'injected fault'); END`,
  );
  return () => env.DB.exec(`DROP TRIGGER ${name}`);
}

async function checkout(sku: string, qty = 1) {
  const o = await placeOrder([{ sku, qty }]);
  return o;
}

async function expectAllConsistent(orders: Placed[], sku: string) {
  for (const o of orders) await expectOrderConsistent(o);
  await expectLedgerBalanced(sku, ON_HAND);
  await expectNoDrift({ orders: orders.map((o) => o.id), skus: [sku] });
}

describe("faults during checkout", () => {
  it("survives the order object evicted between reserving and paying", async () => {
    const sku = await product({ onHand: ON_HAND });
    const o = await checkout(sku, 2);
    await evictDurableObject(flowOf(o));
    expect((await pay(o, "tok_visa")).status).toBe(202);
    await objectReaches(o, "confirmed");
    await expectAllConsistent([o], sku);
  });

  it("survives the order object evicted between the payment and the confirmation", async () => {
    const sku = await product({ onHand: ON_HAND });
    const o = await checkout(sku);
    expect((await pay(o, "tok_visa")).status).toBe(202);
    await evictDurableObject(flowOf(o));
    await objectReaches(o, "confirmed");
    await expectAllConsistent([o], sku);
  });

  it("mirrors the confirmation once D1 takes it again after the mirror batch failed during confirm", async () => {
    const sku = await product({ onHand: ON_HAND });
    const o = await checkout(sku);
    const heal = await failWrites("orders", "UPDATE", `NEW.id = '${o.id}' AND NEW.status = 'confirmed'`);
    await pay(o, "tok_visa");
    await objectReaches(o, "confirmed");
    // The object confirmed; D1 refused the batch (mirror and events together), so neither shows it yet.
    expect((await mirrorOf(o.id))?.status).not.toBe("confirmed");
    expect((await eventsOf(o.id)).filter((e) => e.type === "OrderConfirmed")).toHaveLength(0);
    await heal();
    expect(await runDurableObjectAlarm(flowOf(o))).toBe(true);
    await waitFor("the mirror to catch up", async () =>
      (await mirrorOf(o.id))?.status === "confirmed" ? true : undefined,
    );
    await expectAllConsistent([o], sku);
  });

  it("keeps every outstanding reservation when the stock object is evicted, then sells and releases them", async () => {
    const sku = await product({ onHand: ON_HAND });
    const paid = await checkout(sku, 3);
    const dropped = await checkout(sku, 2);
    const waiting = await checkout(sku, 1);
    await evictDurableObject(stockStub(env, sku));
    expect(await stockStub(env, sku).snapshot(sku)).toMatchObject({ onHand: ON_HAND, reserved: 6, available: 4 });
    await pay(paid, "tok_visa");
    expect((await call("POST", `/api/orders/${dropped.id}/cancel`, { headers: dropped.auth })).status).toBe(200);
    await objectReaches(paid, "confirmed");
    await expectAllConsistent([paid, dropped, waiting], sku);
    expect(await stockStub(env, sku).snapshot(sku)).toMatchObject({ onHand: 7, reserved: 1, available: 6 });
  });

  it("expires a reservation through an alarm whose work fails twice before it succeeds", async () => {
    const sku = await product({ onHand: ON_HAND });
    const o = await checkout(sku, 2);
    const stub = flowOf(o);
    await runInDurableObject(stub, (instance, state) => {
      const past = Date.now() - 1;
      const kv = state.storage.kv;
      kv.put("doc", { ...kv.get<object>("doc"), expiresAt: past });
      instance.reread();
    });
    const heal = await failWrites("events", "INSERT", `json_extract(NEW.data, '$.orderId') = '${o.id}'`);
    // Each failed run leaves the alarm armed again (the object retries what it could not deliver).
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await mirrorOf(o.id))?.status).toBe("reserved");
    await heal();
    await runInDurableObject(stub, (instance, state) => {
      state.storage.kv.put("retry", Date.now() - 1);
      instance.reread();
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await waitFor("the cancellation to reach D1", async () =>
      (await mirrorOf(o.id))?.status === "cancelled" ? true : undefined,
    );
    const view = await expectOrderConsistent(o);
    expect(view.status).toBe("cancelled");
    await expectLedgerBalanced(sku, ON_HAND);
    expect(await stockStub(env, sku).snapshot(sku)).toMatchObject({ reserved: 0, available: ON_HAND });
    await expectNoDrift({ orders: [o.id], skus: [sku] });
  });

  it("changes nothing when every queue message of a checkout is delivered again, twice and backwards", async () => {
    const sku = await product({ onHand: ON_HAND });
    const o = await checkout(sku);
    await pay(o, "tok_visa");
    await objectReaches(o, "confirmed");
    await expectOrderConsistent(o);
    // The checkout's last effect is the invoice e-mail; once it is out, the first delivery is done.
    const before = await waitFor("the invoice e-mail", async () => {
      const effects = await snapshotEffects(o);
      return effects.invoices === 1 && effects.notifications === 2 ? effects : undefined;
    });
    const { results } = await env.DB.prepare(
      "SELECT id, type, version, occurred_at, source, subject, data FROM events WHERE subject = ? OR json_extract(data, '$.orderId') = ? ORDER BY occurred_at",
    )
      .bind(`order:${o.id}`, o.id)
      .all<{
        id: string;
        type: string;
        version: number;
        occurred_at: number;
        source: string;
        subject: string;
        data: string;
      }>();
    const envelopes = results.map((r) => ({
      id: r.id,
      type: r.type,
      version: r.version,
      occurredAt: r.occurred_at,
      source: r.source,
      subject: r.subject,
      data: JSON.parse(r.data),
    }));
    expect(envelopes.length).toBeGreaterThan(3);
    const replay = [...envelopes].reverse().flatMap((e) => [e, e]);
    const batch = createMessageBatch(
      "shop-events",
      replay.map((body, i) => ({ id: `redeliver-${i}`, timestamp: new Date(), attempts: 2, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.length + (result.ackAll ? replay.length : 0)).toBeGreaterThanOrEqual(replay.length);
    expect(result.retryMessages).toEqual([]);
    await settled(o);
    expect(await snapshotEffects(o)).toEqual(before);
    await expectAllConsistent([o], sku);
  });

  it("voids an authorization that arrives after the payment timed out and the shopper cancelled", async () => {
    const sku = await product({ onHand: ON_HAND });
    const o = await checkout(sku);
    const { stub, paymentId } = await stuckPayment(o, { reservationOver: false });
    await runDurableObjectAlarm(stub);
    expect((await staffView(o.id)).status).toBe("payment_failed");
    expect((await call("POST", `/api/orders/${o.id}/cancel`, { headers: o.auth })).status).toBe(200);
    await lateAuthorization(o, paymentId);
    await waitFor("the late authorization to be voided", async () => {
      const v = await staffView(o.id);
      return v.payments.find((p) => p.id === paymentId)?.status === "voided" ? true : undefined;
    });
    expect((await expectOrderConsistent(o)).status).toBe("cancelled");
    await expectLedgerBalanced(sku, ON_HAND);
    await expectNoDrift({ orders: [o.id], skus: [sku] });
  });

  it("voids an authorization that arrives after the reservation expired and the order was cancelled", async () => {
    const sku = await product({ onHand: ON_HAND });
    const o = await checkout(sku, 2);
    const { stub, paymentId } = await stuckPayment(o, { reservationOver: true });
    await runDurableObjectAlarm(stub);
    expect((await staffView(o.id)).status).toBe("cancelled");
    await lateAuthorization(o, paymentId);
    await lateAuthorization(o, paymentId);
    await waitFor("the late authorization to be voided", async () => {
      const v = await staffView(o.id);
      return v.payments.find((p) => p.id === paymentId)?.status === "voided" ? true : undefined;
    });
    expect((await expectOrderConsistent(o)).status).toBe("cancelled");
    await expectLedgerBalanced(sku, ON_HAND);
    await expectNoDrift({ orders: [o.id], skus: [sku] });
  });

  it("leaves nothing for the reconciliation check after every fault above", async () => {
    const report = await reconcile(env, { graceMs: 0 });
    expect(report.orders).toBeGreaterThan(0);
    expect(report.drift).toEqual([]);
  });
});

/** What a replayed delivery must not repeat: notifications, invoices, payments, order version. */
async function snapshotEffects(o: Placed) {
  const count = async (q: string) => (await env.DB.prepare(q).bind(o.id).first<{ n: number }>())?.n;
  const view = await staffView(o.id);
  return {
    version: view.version,
    status: view.status,
    payments: view.payments.map((p) => `${p.id}:${p.status}`),
    notifications: await count(
      "SELECT count(*) AS n FROM notifications WHERE event_id IN (SELECT id FROM events WHERE json_extract(data, '$.orderId') = ?)",
    ),
    invoices: await count("SELECT count(*) AS n FROM invoices WHERE order_id = ?"),
    events: await count("SELECT count(*) AS n FROM events WHERE json_extract(data, '$.orderId') = ?"),
  };
}

/** A payment in flight whose outcome has not arrived (as test/order-payments.test.ts sets one up). */
async function stuckPayment(o: Placed, opts: { reservationOver: boolean }) {
  const stub = flowOf(o);
  const now = Date.now();
  const paymentId = await stallPayment(o, {
    deadline: now - 1,
    expiresAt: opts.reservationOver ? now - 1 : now + 60_000,
  });
  return { stub, paymentId };
}

async function lateAuthorization(o: Placed, paymentId: string) {
  const res = await sendWebhook(
    webhook({ paymentId, orderId: o.id, amountCents: o.body.totals.totalCents, currency: "EUR", status: "authorized" }),
  );
  expect(res.status).toBe(200);
}
