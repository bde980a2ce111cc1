/** Where test boxes ship: subscribing needs a shipping address (DESIGN.md, "subscriptions require a shipping address"). */
export const SHIP_TO = {
  name: "Ada Box",
  line1: "1 Rue de la Paix",
  city: "Paris",
  postalCode: "75002",
  country: "FR",
} as const;

import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { asc, eq } from "drizzle-orm";
import { getDb } from "../src/db/client";
import { events, invoices, payments, plans, subscriptions } from "../src/db/schema";
import { DAILY_CRON } from "../src/services/workflows/scheduled";
import worker from "../src/worker";
import { call, sessionFor } from "./helpers";

export const db = getDb(env.DB);

/** Runs the daily Cron Trigger as workerd runs it: the Worker's `scheduled` handler at `scheduledTime`. */
export async function runDailyCron(scheduledTime: number): Promise<void> {
  const controller = createScheduledController({ scheduledTime, cron: DAILY_CRON });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

export async function ensurePlan(plan: { id: string; name: string; priceCents: number }): Promise<void> {
  await db
    .insert(plans)
    .values({
      ...plan,
      description: "monthly",
      currency: "EUR",
      interval: "month",
      active: true,
      createdAt: Date.now(),
    })
    .onConflictDoNothing();
}

export type Subscribed = {
  customer: { cookie: string; id: string; email: string };
  sub: { id: string; currentPeriodStart: number; currentPeriodEnd: number; nextBillingAt: number | null };
};

/** A new customer subscribed to `planId` with `card` (the first month paid). */
export async function subscribedTo(planId: string, card = "4242 4242 4242 4242"): Promise<Subscribed> {
  const customer = await sessionFor("customer");
  const res = await call("POST", "/api/subscriptions", {
    body: { planId, paymentMethod: { token: card }, shippingAddress: SHIP_TO },
    headers: { cookie: customer.cookie },
  });
  if (res.status !== 201) throw new Error(`subscribe answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { customer, sub: res.body as Subscribed["sub"] };
}

export const withCookie = (cookie: string) => ({ cookie, origin: "http://localhost" });
export const paymentsOf = (id: string) =>
  db.select().from(payments).where(eq(payments.subscriptionId, id)).orderBy(asc(payments.createdAt));
export const invoicesOf = (id: string) =>
  db.select().from(invoices).where(eq(invoices.subscriptionId, id)).orderBy(asc(invoices.number));
export const subscriptionRow = (id: string) => db.select().from(subscriptions).where(eq(subscriptions.id, id)).get();
export const eventsOf = (id: string, type: string) =>
  db
    .select()
    .from(events)
    .where(eq(events.subject, `subscription:${id}`))
    .then((rows) => rows.filter((r) => r.type === type));
