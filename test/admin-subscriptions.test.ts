import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { invoices, payments, plans, subscriptions } from "../src/db/schema";
import { call, sessionFor } from "./helpers";

const db = getDb(env.DB);
const DAY = 86_400_000;

async function subscription(status: "active" | "past_due" | "cancelled", nextBillingIn: number) {
  const who = await sessionFor("customer");
  const planId = `plan_${crypto.randomUUID().slice(0, 8)}`;
  const now = Date.now();
  await db
    .insert(plans)
    .values({ id: planId, name: `Box ${planId}`, priceCents: 2_900, currency: "EUR", createdAt: now });
  const id = `sub_${crypto.randomUUID()}`;
  await db.insert(subscriptions).values({
    id,
    customerId: who.id,
    planId,
    status,
    currentPeriodStart: now + nextBillingIn - 30 * DAY,
    currentPeriodEnd: now + nextBillingIn,
    createdAt: now - 60 * DAY,
    cancelledAt: status === "cancelled" ? now : null,
  });
  return { id, email: who.email };
}

describe("GET /api/admin/subscriptions", () => {
  it("lists past-due subscriptions first, then by next billing date, and filters those due soon", async () => {
    const staff = await sessionFor("staff");
    const headers = { cookie: staff.cookie };
    const later = await subscription("active", 20 * DAY);
    const soon = await subscription("active", 2 * DAY);
    const overdue = await subscription("past_due", -1 * DAY);
    const gone = await subscription("cancelled", 5 * DAY);

    const res = await call("GET", "/api/admin/subscriptions", { headers });
    expect(res.status).toBe(200);
    const ids = res.body.items.map((s: { id: string }) => s.id);
    const order = [overdue.id, soon.id, later.id, gone.id].map((id) => ids.indexOf(id));
    expect(order.every((i: number) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(res.body.items[order[0] ?? 0]).toMatchObject({
      status: "past_due",
      email: overdue.email,
      priceCents: 2_900,
    });

    const due = await call("GET", "/api/admin/subscriptions?dueWithinDays=7", { headers });
    const dueIds = due.body.items.map((s: { id: string }) => s.id);
    expect(dueIds).toContain(soon.id);
    expect(dueIds).toContain(overdue.id);
    expect(dueIds).not.toContain(later.id);
    expect(dueIds).not.toContain(gone.id);
  });

  it("shows one subscription with its invoices and payments, and 404 for an unknown one", async () => {
    const staff = await sessionFor("staff");
    const headers = { cookie: staff.cookie };
    const sub = await subscription("active", 10 * DAY);
    const now = Date.now();
    await db.insert(invoices).values({
      id: `inv_${crypto.randomUUID()}`,
      number: 900_000 + Math.floor(Math.random() * 99_999),
      subscriptionId: sub.id,
      email: sub.email,
      lines: [{ description: "Box", qty: 1, unitPriceCents: 2_900, lineTotalCents: 2_900 }],
      subtotalCents: 2_900,
      taxCents: 580,
      totalCents: 3_480,
      currency: "EUR",
      status: "paid",
      periodStart: now - 20 * DAY,
      issuedAt: now - 20 * DAY,
    });
    await db.insert(payments).values({
      id: `pay_${crypto.randomUUID()}`,
      subscriptionId: sub.id,
      amountCents: 3_480,
      currency: "EUR",
      status: "captured",
      methodLabel: "tok_visa",
      createdAt: now - 20 * DAY,
      updatedAt: now - 20 * DAY,
    });

    const res = await call("GET", `/api/admin/subscriptions/${sub.id}`, { headers });
    expect(res.status).toBe(200);
    expect(res.body.subscription).toMatchObject({ id: sub.id, status: "active", email: sub.email });
    expect(res.body.invoices).toHaveLength(1);
    expect(res.body.invoices[0]).toMatchObject({ totalCents: 3_480, status: "paid" });
    expect(res.body.payments).toEqual([expect.objectContaining({ status: "captured", amountCents: 3_480 })]);
    expect((await call("GET", "/api/admin/subscriptions/sub_missing", { headers })).status).toBe(404);
  });

  it("is for staff only", async () => {
    const customer = await sessionFor("customer");
    expect((await call("GET", "/api/admin/subscriptions", { headers: { cookie: customer.cookie } })).status).toBe(403);
  });
});
