import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { events, invoices, notifications, payments, plans, subscriptions } from "../src/db/schema";
import { addMonths, DAY_MS } from "../src/domain/billing";
import { DAILY_CRON } from "../src/services/workflows/scheduled";
import worker from "../src/worker";
import { call, sessionFor, waitFor } from "./helpers";
import { SHIP_TO } from "./subscription-fixtures";

const db = getDb(env.DB);
const MONTHLY = { id: "plan_test_monthly", name: "Bracelet of the Month", priceCents: 2_900 };
const DUO = { id: "plan_test_duo", name: "Duo Box", priceCents: 4_900 };
const RETIRED = { id: "plan_test_retired", name: "Retired Box", priceCents: 1_900 };
/** 2900 net + 20% tax (TAX_RATE_BPS 2000 in wrangler.toml). */
const MONTHLY_TOTAL = 3_480;

beforeAll(async () => {
  await db
    .insert(plans)
    .values(
      [MONTHLY, DUO, RETIRED].map((p) => ({
        ...p,
        description: `${p.name}, every month`,
        currency: "EUR",
        interval: "month" as const,
        active: p !== RETIRED,
        createdAt: Date.now(),
      })),
    )
    .onConflictDoNothing();
});

type Customer = Awaited<ReturnType<typeof sessionFor>>;

async function subscribeTo(who: Customer, planId: string, token = "4242 4242 4242 4242", headers = {}) {
  return call("POST", "/api/subscriptions", {
    body: { planId, paymentMethod: { token }, shippingAddress: SHIP_TO },
    headers: { cookie: who.cookie, ...headers },
  });
}

/** Runs the worker's daily cron as the runtime would at `scheduledTime`, and waits for it to finish. */
async function runDailyCron(scheduledTime: number) {
  const controller = createScheduledController({ scheduledTime, cron: DAILY_CRON });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

const subscriptionRow = (id: string) => db.select().from(subscriptions).where(eq(subscriptions.id, id)).get();
const invoicesOf = (id: string) =>
  db.select().from(invoices).where(eq(invoices.subscriptionId, id)).orderBy(asc(invoices.number));
const paymentsOf = (id: string) =>
  db.select().from(payments).where(eq(payments.subscriptionId, id)).orderBy(asc(payments.createdAt));
/** Events about a subscription: its own, its invoices' and its payments'. */
async function eventsOf(id: string) {
  const rows = await db
    .select()
    .from(events)
    .where(sql`json_extract(${events.data}, '$.subscriptionId') = ${id}`)
    .orderBy(asc(events.occurredAt));
  return rows as { type: string; data: Record<string, unknown> }[];
}
const typesOf = async (id: string) => (await eventsOf(id)).map((e) => e.type).sort();

describe("plans", () => {
  it("lists the active plans to anyone, cheapest first, without retired ones", async () => {
    const res = await call("GET", "/api/plans");
    expect(res.status).toBe(200);
    const ours = res.body.plans.filter((p: { id: string }) => p.id.startsWith("plan_test_"));
    expect(ours).toEqual([
      {
        id: MONTHLY.id,
        name: MONTHLY.name,
        description: "Bracelet of the Month, every month",
        priceCents: 2_900,
        currency: "EUR",
        interval: "month",
      },
      {
        id: DUO.id,
        name: DUO.name,
        description: "Duo Box, every month",
        priceCents: 4_900,
        currency: "EUR",
        interval: "month",
      },
    ]);
  });
});

describe("subscribing", () => {
  it("charges the first month at once, stores only the gateway token, and writes a paid invoice", async () => {
    const customer = await sessionFor("customer");
    const before = Date.now();
    const res = await subscribeTo(customer, MONTHLY.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ planId: MONTHLY.id, status: "active", planName: MONTHLY.name });
    expect(res.body.id).toMatch(/^sub_/);
    expect(res.body.currentPeriodStart).toBeGreaterThanOrEqual(before);
    expect(res.body.currentPeriodEnd).toBe(addMonths(res.body.currentPeriodStart, 1));
    expect(res.body.nextBillingAt).toBe(res.body.currentPeriodEnd);

    const row = await subscriptionRow(res.body.id);
    expect(row).toMatchObject({ customerId: customer.id, status: "active", paymentToken: "tok_visa" });
    expect(JSON.stringify(row)).not.toContain("4242424242424242");

    const [invoice, ...more] = await invoicesOf(res.body.id);
    expect(more).toEqual([]);
    expect(invoice).toMatchObject({
      customerId: customer.id,
      email: customer.email,
      status: "paid",
      subtotalCents: 2_900,
      shippingCents: 0,
      taxCents: 580,
      totalCents: MONTHLY_TOTAL,
      currency: "EUR",
      periodStart: res.body.currentPeriodStart,
      periodEnd: res.body.currentPeriodEnd,
    });
    const [payment] = await paymentsOf(res.body.id);
    expect(payment).toMatchObject({
      status: "captured",
      amountCents: MONTHLY_TOTAL,
      orderId: null,
      methodLabel: "card ending 4242",
    });

    expect(await typesOf(res.body.id)).toEqual(["InvoiceGenerated", "PaymentProcessed", "UserSubscriptionStarted"]);
    const processed = (await eventsOf(res.body.id)).find((e) => e.type === "PaymentProcessed");
    expect(processed?.data).toMatchObject({ status: "captured", subscriptionId: res.body.id, orderId: null });

    const mine = await call("GET", "/api/subscriptions", { headers: { cookie: customer.cookie } });
    expect(mine.status).toBe(200);
    expect(mine.body.subscriptions).toEqual([res.body]);
    const account = await call("GET", "/api/account/invoices", { headers: { cookie: customer.cookie } });
    expect(account.body.invoices.map((i: { id: string }) => i.id)).toEqual([invoice?.id]);
  });

  it("answers 409 payment_declined to a declined card and keeps nothing", async () => {
    const customer = await sessionFor("customer");
    const paymentsBefore = (await db.select({ id: payments.id }).from(payments)).length;
    const res = await subscribeTo(customer, MONTHLY.id, "tok_chargeDeclined");
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "payment_declined", details: { declineCode: "card_declined" } });
    expect(await db.select().from(subscriptions).where(eq(subscriptions.customerId, customer.id))).toEqual([]);
    expect(await db.select().from(invoices).where(eq(invoices.customerId, customer.id))).toEqual([]);
    const logged = await db
      .select()
      .from(events)
      .where(sql`json_extract(${events.data}, '$.customerId') = ${customer.id}`);
    expect(logged).toEqual([]);
    expect(await db.select({ id: payments.id }).from(payments)).toHaveLength(paymentsBefore);
    // The customer is free to try again with another card.
    expect((await subscribeTo(customer, MONTHLY.id)).status).toBe(201);
  });

  it("refuses an unknown or retired plan with 404 and a card number that fails the Luhn check with 400", async () => {
    const customer = await sessionFor("customer");
    expect((await subscribeTo(customer, RETIRED.id)).body.error.code).toBe("not_found");
    expect((await subscribeTo(customer, "plan_nope")).status).toBe(404);
    const luhn = await subscribeTo(customer, MONTHLY.id, "4242 4242 4242 4241");
    expect(luhn.status).toBe(400);
    expect(luhn.body.error.details).toEqual([
      { path: "paymentMethod.token", message: "That card number is not valid" },
    ]);
    const extra = await call("POST", "/api/subscriptions", {
      body: { planId: MONTHLY.id, paymentMethod: { token: "tok_visa" }, priceCents: 1 },
      headers: { cookie: customer.cookie },
    });
    expect(extra.status).toBe(400);
    expect(await db.select().from(subscriptions).where(eq(subscriptions.customerId, customer.id))).toEqual([]);
  });

  it("refuses a second live subscription to the same plan with 409 conflict, but not to another plan", async () => {
    const customer = await sessionFor("customer");
    const first = await subscribeTo(customer, MONTHLY.id);
    expect(first.status).toBe(201);
    const again = await subscribeTo(customer, MONTHLY.id);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "conflict", details: { subscriptionId: first.body.id } });
    expect((await subscribeTo(customer, DUO.id)).status).toBe(201);
    const rows = await db.select().from(subscriptions).where(eq(subscriptions.customerId, customer.id));
    expect(rows.map((r) => r.planId).sort()).toEqual([DUO.id, MONTHLY.id]);
    expect(
      await db
        .select()
        .from(payments)
        .where(inArray(payments.subscriptionId, [rows[0]?.id ?? "", rows[1]?.id ?? ""])),
    ).toHaveLength(2);
  });

  it("starts one subscription when two subscribe requests for the same plan race", async () => {
    const customer = await sessionFor("customer");
    const answers = await Promise.all([subscribeTo(customer, DUO.id), subscribeTo(customer, DUO.id)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    const rows = await db.select().from(subscriptions).where(eq(subscriptions.customerId, customer.id));
    expect(rows).toHaveLength(1);
    expect(await paymentsOf(rows[0]?.id ?? "")).toHaveLength(1);
    expect(await db.select().from(invoices).where(eq(invoices.customerId, customer.id))).toHaveLength(1);
    // Past the route's check, the unique index of live subscriptions refuses a second row (the refund path).
    const twin = { ...(rows[0] as typeof subscriptions.$inferSelect), id: `sub_twin_${crypto.randomUUID()}` };
    await expect(db.insert(subscriptions).values(twin)).rejects.toThrow();
    await db.insert(subscriptions).values({ ...twin, status: "cancelled" });
  });

  it("replays a retried subscribe with the same Idempotency-Key without charging twice", async () => {
    const customer = await sessionFor("customer");
    const key = { "idempotency-key": crypto.randomUUID() };
    const first = await subscribeTo(customer, DUO.id, "tok_visa", key);
    const retry = await subscribeTo(customer, DUO.id, "tok_visa", key);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await paymentsOf(first.body.id)).toHaveLength(1);
  });

  it("answers 401 to anonymous callers", async () => {
    expect((await call("GET", "/api/subscriptions")).status).toBe(401);
    const post = await call("POST", "/api/subscriptions", {
      body: { planId: MONTHLY.id, paymentMethod: { token: "tok_visa" } },
    });
    expect(post.status).toBe(401);
    expect(post.body.error.code).toBe("unauthorized");
    expect((await call("DELETE", "/api/subscriptions/sub_whatever")).status).toBe(401);
  });
});

describe("cancelling", () => {
  it("cancels to the end of the paid period, without a refund, and answers the same when cancelled twice", async () => {
    const customer = await sessionFor("customer");
    const created = await subscribeTo(customer, MONTHLY.id);
    const first = await call("DELETE", `/api/subscriptions/${created.body.id}`, {
      headers: { cookie: customer.cookie },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      id: created.body.id,
      status: "cancelled",
      currentPeriodStart: created.body.currentPeriodStart,
      currentPeriodEnd: created.body.currentPeriodEnd,
      nextBillingAt: null,
    });
    expect(first.body.cancelledAt).toBeGreaterThanOrEqual(created.body.currentPeriodStart);

    const second = await call("DELETE", `/api/subscriptions/${created.body.id}`, {
      headers: { cookie: customer.cookie },
    });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);

    const types = await typesOf(created.body.id);
    expect(types.filter((t) => t === "UserSubscriptionCancelled")).toHaveLength(1);
    expect((await paymentsOf(created.body.id)).map((p) => p.status)).toEqual(["captured"]);
    expect((await invoicesOf(created.body.id)).map((i) => i.status)).toEqual(["paid"]);
    // A cancelled box no longer blocks starting the plan again.
    expect((await subscribeTo(customer, MONTHLY.id)).status).toBe(201);
  });

  it("answers 404 to another customer's cancel and leaves the subscription alone", async () => {
    const owner = await sessionFor("customer");
    const other = await sessionFor("customer");
    const created = await subscribeTo(owner, MONTHLY.id);
    const res = await call("DELETE", `/api/subscriptions/${created.body.id}`, { headers: { cookie: other.cookie } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect(
      (await call("DELETE", "/api/subscriptions/sub_missing", { headers: { cookie: other.cookie } })).body,
    ).toEqual(res.body);
    expect((await subscriptionRow(created.body.id))?.status).toBe("active");
    const list = await call("GET", "/api/subscriptions", { headers: { cookie: other.cookie } });
    expect(list.body.subscriptions).toEqual([]);
  });
});

describe("the daily billing run", () => {
  it("bills a due subscription once even when run twice, advancing the period and numbering after existing invoices", async () => {
    const customer = await sessionFor("customer");
    const created = await subscribeTo(customer, MONTHLY.id);
    const { id, currentPeriodStart: anchor, currentPeriodEnd: end } = created.body;
    const existing = await db.select({ number: invoices.number }).from(invoices);
    const highest = Math.max(...existing.map((i) => i.number));

    await runDailyCron(end - 60_000);
    expect(await invoicesOf(id)).toHaveLength(1);

    await runDailyCron(end + 3_600_000);
    await runDailyCron(end + 7_200_000);

    const row = await subscriptionRow(id);
    expect(row).toMatchObject({
      status: "active",
      currentPeriodStart: end,
      currentPeriodEnd: addMonths(anchor, 2),
      failedPayments: 0,
    });
    const [firstInvoice, renewal, ...more] = await invoicesOf(id);
    expect(more).toEqual([]);
    expect(firstInvoice?.periodStart).toBe(anchor);
    expect(renewal).toMatchObject({
      status: "paid",
      totalCents: MONTHLY_TOTAL,
      periodStart: end,
      periodEnd: addMonths(anchor, 2),
      customerId: customer.id,
    });
    expect(renewal?.number).toBeGreaterThan(highest);
    const numbers = (await db.select({ number: invoices.number }).from(invoices))
      .map((i) => i.number)
      .sort((a, b) => a - b);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));

    expect((await paymentsOf(id)).map((p) => [p.status, p.amountCents])).toEqual([
      ["captured", MONTHLY_TOTAL],
      ["captured", MONTHLY_TOTAL],
    ]);
    expect(await typesOf(id)).toEqual([
      "InvoiceGenerated",
      "InvoiceGenerated",
      "PaymentProcessed",
      "PaymentProcessed",
      "SubscriptionPaymentDue",
      "UserSubscriptionStarted",
    ]);

    const mine = await call("GET", "/api/subscriptions", { headers: { cookie: customer.cookie } });
    expect(mine.body.subscriptions[0]).toMatchObject({ id, status: "active", nextBillingAt: addMonths(anchor, 2) });

    // The Notifications service drafts the customer's messages for both.
    const templates = await waitFor("invoice and payment-due notifications", async () => {
      const rows = await db
        .select({ template: notifications.template })
        .from(notifications)
        .where(eq(notifications.customerId, customer.id));
      const names = rows.map((r) => r.template).sort();
      return names.filter((n) => n === "invoice_generated").length === 2 && names.includes("subscription_payment_due")
        ? names
        : undefined;
    });
    expect(templates.filter((t) => t === "subscription_payment_due")).toHaveLength(1);
  });

  it("charges once when two billing runs for the same day race", async () => {
    const customer = await sessionFor("customer");
    const created = await subscribeTo(customer, DUO.id);
    const at = created.body.currentPeriodEnd + 3_600_000;
    await Promise.all([runDailyCron(at), runDailyCron(at)]);
    expect((await paymentsOf(created.body.id)).map((p) => p.status)).toEqual(["captured", "captured"]);
    expect((await invoicesOf(created.body.id)).map((i) => i.status)).toEqual(["paid", "paid"]);
    expect((await subscriptionRow(created.body.id))?.currentPeriodStart).toBe(created.body.currentPeriodEnd);
  });

  it("leaves cancelled subscriptions alone", async () => {
    const customer = await sessionFor("customer");
    const created = await subscribeTo(customer, DUO.id);
    await call("DELETE", `/api/subscriptions/${created.body.id}`, { headers: { cookie: customer.cookie } });
    await runDailyCron(created.body.currentPeriodEnd + 3_600_000);
    expect(await invoicesOf(created.body.id)).toHaveLength(1);
    expect(await paymentsOf(created.body.id)).toHaveLength(1);
    expect((await subscriptionRow(created.body.id))?.currentPeriodEnd).toBe(created.body.currentPeriodEnd);
  });

  it("marks a declined renewal past due, retries it each day and cancels it after the third decline", async () => {
    const customer = await sessionFor("customer");
    const created = await subscribeTo(customer, MONTHLY.id);
    const { id, currentPeriodEnd: end } = created.body;
    // The card on file stops working after the first month.
    await db.update(subscriptions).set({ paymentToken: "tok_chargeDeclined" }).where(eq(subscriptions.id, id));

    const day1 = end + 3_600_000;
    await runDailyCron(day1);
    expect(await subscriptionRow(id)).toMatchObject({ status: "past_due", failedPayments: 1, currentPeriodEnd: end });
    const [, open] = await invoicesOf(id);
    expect(open).toMatchObject({ status: "open", periodStart: end, totalCents: MONTHLY_TOTAL });
    const declined = (await eventsOf(id)).filter((e) => e.type === "PaymentProcessed" && e.data.status === "declined");
    expect(declined.map((e) => e.data.declineCode)).toEqual(["card_declined"]);
    const mine = await call("GET", "/api/subscriptions", { headers: { cookie: customer.cookie } });
    expect(mine.body.subscriptions[0]).toMatchObject({ status: "past_due", nextBillingAt: null });

    await runDailyCron(day1 + 60_000);
    expect((await subscriptionRow(id))?.failedPayments).toBe(1);

    await runDailyCron(day1 + DAY_MS);
    expect(await subscriptionRow(id)).toMatchObject({ status: "past_due", failedPayments: 2 });
    await runDailyCron(day1 + 2 * DAY_MS);
    expect(await subscriptionRow(id)).toMatchObject({
      status: "cancelled",
      failedPayments: 3,
      cancelledAt: day1 + 2 * DAY_MS,
    });
    expect((await invoicesOf(id)).map((i) => i.status)).toEqual(["paid", "void"]);
    expect((await paymentsOf(id)).map((p) => p.status)).toEqual(["captured", "declined", "declined", "declined"]);
    const types = await typesOf(id);
    expect(types.filter((t) => t === "InvoiceGenerated")).toHaveLength(2);
    expect(types.filter((t) => t === "SubscriptionPaymentDue")).toHaveLength(1);
    expect(types.filter((t) => t === "UserSubscriptionCancelled")).toHaveLength(1);

    await runDailyCron(day1 + 3 * DAY_MS);
    expect(await paymentsOf(id)).toHaveLength(4);
  });

  it("gets a past-due subscription back to active when the retry is paid", async () => {
    const customer = await sessionFor("customer");
    const created = await subscribeTo(customer, DUO.id);
    const { id, currentPeriodStart: anchor, currentPeriodEnd: end } = created.body;
    await db.update(subscriptions).set({ paymentToken: "tok_chargeDeclined" }).where(eq(subscriptions.id, id));
    await runDailyCron(end + 3_600_000);
    expect((await subscriptionRow(id))?.status).toBe("past_due");

    await db.update(subscriptions).set({ paymentToken: "tok_visa" }).where(eq(subscriptions.id, id));
    await runDailyCron(end + 3_600_000 + DAY_MS);
    expect(await subscriptionRow(id)).toMatchObject({
      status: "active",
      failedPayments: 0,
      currentPeriodStart: end,
      currentPeriodEnd: addMonths(anchor, 2),
    });
    const invoiceRows = await db
      .select()
      .from(invoices)
      .where(and(eq(invoices.subscriptionId, id), eq(invoices.periodStart, end)));
    expect(invoiceRows.map((i) => i.status)).toEqual(["paid"]);
  });
});
