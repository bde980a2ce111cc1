import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { notifications, subscriptions } from "../src/db/schema";
import { addMonths, DAY_MS } from "../src/domain/billing";
import { call, sessionFor, waitFor } from "./helpers";
import {
  db,
  ensurePlan,
  eventsOf,
  invoicesOf,
  paymentsOf,
  runDailyCron,
  subscribedTo,
  subscriptionRow,
  withCookie,
} from "./subscription-fixtures";

const PLAN = { id: "plan_checks_monthly", name: "Checked Box", priceCents: 3_000 };
/** wrangler.toml's SUBSCRIPTION_NOTICE_DAYS. */
const LEAD = 3 * DAY_MS;

beforeAll(() => ensurePlan(PLAN));

const templatesOf = (customerId: string) =>
  db
    .select({ template: notifications.template, body: notifications.body })
    .from(notifications)
    .where(eq(notifications.customerId, customerId));

describe("the notice before a renewal", () => {
  it("sends SubscriptionPaymentDue once, the configured days ahead, with its e-mail", async () => {
    const { customer, sub } = await subscribedTo(PLAN.id);
    const end = sub.currentPeriodEnd;
    await runDailyCron(end - LEAD - 3_600_000);
    expect(await eventsOf(sub.id, "SubscriptionPaymentDue")).toEqual([]);

    await runDailyCron(end - LEAD + 3_600_000);
    const [due, ...more] = await eventsOf(sub.id, "SubscriptionPaymentDue");
    expect(more).toEqual([]);
    expect(due?.data).toMatchObject({ subscriptionId: sub.id, invoiceId: null, amountCents: 3_600, dueAt: end });
    // Nothing is charged ahead.
    expect(await paymentsOf(sub.id)).toHaveLength(1);

    // The next days of the window and the charge itself send no second notice.
    await runDailyCron(end - LEAD + 3_600_000 + DAY_MS);
    await runDailyCron(end + 3_600_000);
    expect(await eventsOf(sub.id, "SubscriptionPaymentDue")).toHaveLength(1);
    expect((await paymentsOf(sub.id)).map((p) => p.status)).toEqual(["captured", "captured"]);

    const rows = await waitFor("the payment-due e-mail", async () => {
      const found = (await templatesOf(customer.id)).filter((r) => r.template === "subscription_payment_due");
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0]?.body)).toContain("/account/subscriptions");

    // The next cycle gets its own notice.
    await runDailyCron(addMonths(sub.currentPeriodStart, 2) - LEAD + 3_600_000);
    expect(await eventsOf(sub.id, "SubscriptionPaymentDue")).toHaveLength(2);
  });

  it("sends none for a paused subscription, and a skipped month's notice waits for the new date", async () => {
    const paused = await subscribedTo(PLAN.id);
    await call("POST", `/api/subscriptions/${paused.sub.id}/pause`, { headers: withCookie(paused.customer.cookie) });
    await runDailyCron(paused.sub.currentPeriodEnd - LEAD + 3_600_000);
    expect(await eventsOf(paused.sub.id, "SubscriptionPaymentDue")).toEqual([]);

    const skipping = await subscribedTo(PLAN.id);
    await call("POST", `/api/subscriptions/${skipping.sub.id}/skip`, { headers: withCookie(skipping.customer.cookie) });
    await runDailyCron(skipping.sub.currentPeriodEnd - LEAD + 3_600_000);
    expect(await eventsOf(skipping.sub.id, "SubscriptionPaymentDue")).toEqual([]);
    const newDate = addMonths(skipping.sub.currentPeriodStart, 2);
    await runDailyCron(newDate - LEAD + 3_600_000);
    const notices = await eventsOf(skipping.sub.id, "SubscriptionPaymentDue");
    expect(notices.map((e) => (e.data as { dueAt: number }).dueAt)).toEqual([newDate]);
  });
});

describe("renewals through the fraud check", () => {
  it("does not charge a renewal the check refuses: a declined attempt (refused) that dunning counts", async () => {
    const { customer, sub } = await subscribedTo(PLAN.id);
    // The card on file now carries the highest risk level (score 90: reject).
    await db.update(subscriptions).set({ paymentToken: "tok_riskLevelHighest" }).where(eq(subscriptions.id, sub.id));
    await runDailyCron(sub.currentPeriodEnd + 3_600_000);

    expect((await paymentsOf(sub.id)).map((p) => [p.status, p.declineCode])).toEqual([
      ["captured", null],
      ["declined", "refused"],
    ]);
    expect(await subscriptionRow(sub.id)).toMatchObject({ status: "past_due", failedPayments: 1, renewalReview: null });
    expect((await invoicesOf(sub.id)).map((i) => i.status)).toEqual(["paid", "open"]);
    // The shopper is asked to update the card, never told about scores.
    const declined = await waitFor("the declined-renewal e-mail", async () => {
      const found = (await templatesOf(customer.id)).find((r) => r.template === "subscription_payment_declined");
      return found ?? undefined;
    });
    const text = JSON.stringify(declined.body);
    expect(text).toContain("/account/subscriptions");
    expect(text).not.toMatch(/fraud|risk|score/i);
  });

  it("holds a renewal the check sends to review, uncharged until staff approve it", async () => {
    const { customer: owner, sub } = await subscribedTo(PLAN.id);
    await db.update(subscriptions).set({ paymentToken: "tok_riskLevelElevated" }).where(eq(subscriptions.id, sub.id));
    await runDailyCron(sub.currentPeriodEnd + 3_600_000);
    expect(await paymentsOf(sub.id)).toHaveLength(1);
    const held = await subscriptionRow(sub.id);
    expect(held).toMatchObject({ status: "active", failedPayments: 0 });
    expect(held?.renewalReview).toMatchObject({ score: 45, periodEnd: sub.currentPeriodEnd });
    // A later run leaves it alone.
    await runDailyCron(sub.currentPeriodEnd + 3_600_000 + DAY_MS);
    expect(await paymentsOf(sub.id)).toHaveLength(1);

    // Staff see why; the customer does not.
    const staff = await sessionFor("staff");
    const list = await call("GET", "/api/admin/subscriptions", { headers: { cookie: staff.cookie } });
    const row = list.body.items.find((i: { id: string }) => i.id === sub.id);
    expect(row.renewalReview).toMatchObject({ score: 45 });
    const customerView = await call("GET", "/api/subscriptions", { headers: { cookie: owner.cookie } });
    expect(JSON.stringify(customerView.body)).not.toMatch(/score|renewalReview/);

    const customer = await sessionFor("customer");
    const forbidden = await call("POST", `/api/admin/subscriptions/${sub.id}/renewal/approve`, {
      headers: withCookie(customer.cookie),
    });
    expect(forbidden.status).toBe(403);

    const approved = await call("POST", `/api/admin/subscriptions/${sub.id}/renewal/approve`, {
      headers: withCookie(staff.cookie),
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({ outcome: "charged" });
    expect((await paymentsOf(sub.id)).map((p) => p.status)).toEqual(["captured", "captured"]);
    expect(await subscriptionRow(sub.id)).toMatchObject({
      status: "active",
      renewalReview: null,
      currentPeriodStart: sub.currentPeriodEnd,
    });
    const again = await call("POST", `/api/admin/subscriptions/${sub.id}/renewal/approve`, {
      headers: withCookie(staff.cookie),
    });
    expect(again.status).toBe(409);
  });

  it("a renewal staff reject is not charged and counts as a declined one", async () => {
    const { sub } = await subscribedTo(PLAN.id);
    await db.update(subscriptions).set({ paymentToken: "tok_riskLevelElevated" }).where(eq(subscriptions.id, sub.id));
    await runDailyCron(sub.currentPeriodEnd + 3_600_000);
    const staff = await sessionFor("staff");
    const rejected = await call("POST", `/api/admin/subscriptions/${sub.id}/renewal/reject`, {
      headers: withCookie(staff.cookie),
    });
    expect(rejected.body).toEqual({ outcome: "declined" });
    expect((await paymentsOf(sub.id)).map((p) => [p.status, p.declineCode])).toEqual([
      ["captured", null],
      ["declined", "refused"],
    ]);
    expect(await subscriptionRow(sub.id)).toMatchObject({ status: "past_due", failedPayments: 1, renewalReview: null });
  });
});
