import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { invoices, payments, plans } from "../src/db/schema";
import { addMonths, DAY_MS } from "../src/domain/billing";
import { resumeSubscription } from "../src/services/billing/commands";
import { DAILY_CRON } from "../src/services/workflows/scheduled";
import worker from "../src/worker";
import { call, sessionFor } from "./helpers";
import { SHIP_TO } from "./subscription-fixtures";

const db = getDb(env.DB);
const PLAN = { id: "plan_care_monthly", name: "Care Box", priceCents: 2_900 };

beforeAll(async () => {
  await db
    .insert(plans)
    .values({
      ...PLAN,
      description: "monthly",
      currency: "EUR",
      interval: "month",
      active: true,
      createdAt: Date.now(),
    })
    .onConflictDoNothing();
});

async function runDailyCron(scheduledTime: number) {
  const controller = createScheduledController({ scheduledTime, cron: DAILY_CRON });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

async function subscribed() {
  const customer = await sessionFor("customer");
  const res = await call("POST", "/api/subscriptions", {
    body: { planId: PLAN.id, paymentMethod: { token: "4242 4242 4242 4242" }, shippingAddress: SHIP_TO },
    headers: { cookie: customer.cookie },
  });
  expect(res.status).toBe(201);
  return { customer, sub: res.body as { id: string; currentPeriodEnd: number } };
}

const post = (path: string, cookie: string) => call("POST", path, { headers: { cookie, origin: "http://localhost" } });
const paymentsOf = (id: string) => db.select().from(payments).where(eq(payments.subscriptionId, id));

describe("POST /api/subscriptions/:id/pause and /resume", () => {
  it("charges nothing while paused, and a resume after the paid period moves the next charge to the resume", async () => {
    const { customer, sub } = await subscribed();
    const paused = await post(`/api/subscriptions/${sub.id}/pause`, customer.cookie);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: "paused", nextBillingAt: null });
    expect((await post(`/api/subscriptions/${sub.id}/pause`, customer.cookie)).body.status).toBe("paused");

    // Two billing runs after the paid period ended: nothing charged.
    await runDailyCron(sub.currentPeriodEnd + 3_600_000);
    await runDailyCron(sub.currentPeriodEnd + 5 * DAY_MS);
    expect(await paymentsOf(sub.id)).toHaveLength(1);

    const resumedAt = sub.currentPeriodEnd + 10 * DAY_MS;
    const resumed = await resumeSubscription(env, customer.id, sub.id, resumedAt);
    expect(resumed).toMatchObject({ ok: true, subscription: { status: "active", nextBillingAt: resumedAt } });
    await runDailyCron(resumedAt + 3_600_000);
    const paid = await paymentsOf(sub.id);
    expect(paid.map((p) => p.status)).toEqual(["captured", "captured"]);
    const periods = await db
      .select({ start: invoices.periodStart, end: invoices.periodEnd })
      .from(invoices)
      .where(eq(invoices.subscriptionId, sub.id))
      .orderBy(asc(invoices.number));
    // The skipped days are not billed: the new period starts at the resume.
    expect(periods[1]).toEqual({ start: resumedAt, end: addMonths(resumedAt, 1) });
    const mine = await call("GET", "/api/subscriptions", { headers: { cookie: customer.cookie } });
    expect(mine.body.subscriptions[0]).toMatchObject({ status: "active", nextBillingAt: addMonths(resumedAt, 1) });
  });

  it("a resume within the paid period keeps the next charge where it was", async () => {
    const { customer, sub } = await subscribed();
    await post(`/api/subscriptions/${sub.id}/pause`, customer.cookie);
    const res = await post(`/api/subscriptions/${sub.id}/resume`, customer.cookie);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "active", nextBillingAt: sub.currentPeriodEnd });
  });

  it("refuses to pause a cancelled subscription (409 invalid_state) and hides another customer's (404)", async () => {
    const { customer, sub } = await subscribed();
    const other = await sessionFor("customer");
    expect((await post(`/api/subscriptions/${sub.id}/pause`, other.cookie)).status).toBe(404);
    await call("DELETE", `/api/subscriptions/${sub.id}`, { headers: { cookie: customer.cookie } });
    const res = await post(`/api/subscriptions/${sub.id}/pause`, customer.cookie);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("invalid_state");
    expect((await post(`/api/subscriptions/${sub.id}/resume`, customer.cookie)).status).toBe(409);
  });
});
