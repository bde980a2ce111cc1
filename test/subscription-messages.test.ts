import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { notifications, plans, subscriptions } from "../src/db/schema";
import { DAY_MS } from "../src/domain/billing";
import { DAILY_CRON } from "../src/services/workflows/scheduled";
import worker from "../src/worker";
import { call, sessionFor, waitFor } from "./helpers";
import { SHIP_TO } from "./subscription-fixtures";

const db = getDb(env.DB);
const PLAN = { id: "plan_msg_monthly", name: "Bracelet of the Month", priceCents: 2_900 };

beforeAll(async () => {
  await db
    .insert(plans)
    .values({
      ...PLAN,
      description: "every month",
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

/** The customer's messages of `template`, once `count` of them have been sent (the queue delivers them). */
const messages = (recipient: string, template: string, count: number) =>
  waitFor(`${count} × ${template}`, async () => {
    const rows = await db
      .select()
      .from(notifications)
      .where(and(eq(notifications.recipient, recipient), eq(notifications.template, template)))
      .orderBy(asc(notifications.createdAt));
    return rows.length === count && rows.every((r) => r.status === "sent") ? rows : undefined;
  });

describe("subscription messages", () => {
  it("tells the customer about every declined renewal with a link to update the card, then that dunning cancelled it", async () => {
    const customer = await sessionFor("customer");
    const created = await call("POST", "/api/subscriptions", {
      body: { planId: PLAN.id, paymentMethod: { token: "4242 4242 4242 4242" }, shippingAddress: SHIP_TO },
      headers: { cookie: customer.cookie },
    });
    expect(created.status).toBe(201);
    const { id, currentPeriodEnd: end } = created.body;
    await db.update(subscriptions).set({ paymentToken: "tok_chargeDeclined" }).where(eq(subscriptions.id, id));

    const day1 = end + 3_600_000;
    await runDailyCron(day1);
    const [first] = await messages(customer.email, "subscription_payment_declined", 1);
    expect(first?.body).toContain("2 tries left");
    expect(first?.body).toContain("Update your card: http://localhost:8787/account/subscriptions");
    expect(first?.html).toContain("€34.80");

    await runDailyCron(day1 + DAY_MS);
    const [, second] = await messages(customer.email, "subscription_payment_declined", 2);
    expect(second?.body).toContain("1 try left");

    await runDailyCron(day1 + 2 * DAY_MS);
    const [ended] = await messages(customer.email, "subscription_cancelled_unpaid", 1);
    expect(ended?.subject).toBe("Your Bracelet of the Month subscription has ended");
    expect(ended?.body).toContain("could not charge your card");
    // The third decline is covered by the cancellation message, not a "we will try again".
    await messages(customer.email, "subscription_payment_declined", 2);
  });

  it("confirms a cancellation the customer asked for, without blaming the card", async () => {
    const customer = await sessionFor("customer");
    const created = await call("POST", "/api/subscriptions", {
      body: { planId: PLAN.id, paymentMethod: { token: "4242 4242 4242 4242" }, shippingAddress: SHIP_TO },
      headers: { cookie: customer.cookie },
    });
    await call("DELETE", `/api/subscriptions/${created.body.id}`, { headers: { cookie: customer.cookie } });
    const [row] = await messages(customer.email, "subscription_cancelled", 1);
    expect(row?.body).toContain("You cancelled your subscription");
  });
});
