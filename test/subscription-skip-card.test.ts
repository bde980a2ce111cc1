import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { subscriptions } from "../src/db/schema";
import { addMonths, DAY_MS } from "../src/domain/billing";
import { unskipMonth } from "../src/services/billing/commands";
import { call, sessionFor } from "./helpers";
import {
  db,
  ensurePlan,
  invoicesOf,
  paymentsOf,
  runDailyCron,
  SHIP_TO,
  subscribedTo,
  subscriptionRow,
  withCookie,
} from "./subscription-fixtures";

const PLAN = { id: "plan_skip_monthly", name: "Skip Box", priceCents: 2_500 };

beforeAll(() => ensurePlan(PLAN));

describe("subscribing ships somewhere", () => {
  it("stores the shipping address sent, shows it and the card label in the account", async () => {
    const { customer, sub } = await subscribedTo(PLAN.id);
    const mine = await call("GET", "/api/subscriptions", { headers: { cookie: customer.cookie } });
    expect(mine.body.subscriptions[0]).toMatchObject({
      id: sub.id,
      shippingAddress: SHIP_TO,
      card: expect.stringContaining("4242"),
      skippedMonth: null,
    });
  });

  it("takes the account's saved address when none is sent, and answers 400 when there is none", async () => {
    const customer = await sessionFor("customer");
    const body = { planId: PLAN.id, paymentMethod: { token: "tok_visa" } };
    const refused = await call("POST", "/api/subscriptions", { body, headers: withCookie(customer.cookie) });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: "validation_failed", details: [{ path: "shippingAddress" }] });
    expect(await db.select().from(subscriptions).where(eq(subscriptions.customerId, customer.id))).toEqual([]);

    const saved = { ...SHIP_TO, name: "Saved Name", country: "DE", city: "Berlin", postalCode: "10115" };
    const patched = await call("PATCH", "/api/account/profile", {
      body: { shippingAddress: saved },
      headers: withCookie(customer.cookie),
    });
    expect(patched.status).toBe(200);
    const created = await call("POST", "/api/subscriptions", { body, headers: withCookie(customer.cookie) });
    expect(created.status).toBe(201);
    expect(created.body.shippingAddress).toEqual(saved);
  });

  it("refuses an address with an unknown country like checkout does", async () => {
    const customer = await sessionFor("customer");
    const res = await call("POST", "/api/subscriptions", {
      body: { planId: PLAN.id, paymentMethod: { token: "tok_visa" }, shippingAddress: { ...SHIP_TO, country: "XX" } },
      headers: withCookie(customer.cookie),
    });
    expect(res.status).toBe(400);
  });
});

describe("POST /api/subscriptions/:id/skip and DELETE to undo it", () => {
  it("charges nothing for the skipped month and moves the next charge one month on", async () => {
    const { customer, sub } = await subscribedTo(PLAN.id);
    const anchor = sub.currentPeriodStart;
    const skipped = await call("POST", `/api/subscriptions/${sub.id}/skip`, { headers: withCookie(customer.cookie) });
    expect(skipped.status).toBe(200);
    expect(skipped.body).toMatchObject({
      status: "active",
      nextBillingAt: addMonths(anchor, 2),
      skippedMonth: { start: sub.currentPeriodEnd, end: addMonths(anchor, 2), undoable: true },
    });
    // Skipping again while it is pending answers the same.
    const again = await call("POST", `/api/subscriptions/${sub.id}/skip`, { headers: withCookie(customer.cookie) });
    expect(again.body.nextBillingAt).toBe(addMonths(anchor, 2));

    // The date the charge would have been: nothing happens.
    await runDailyCron(sub.currentPeriodEnd + 3_600_000);
    await runDailyCron(sub.currentPeriodEnd + 5 * DAY_MS);
    expect(await paymentsOf(sub.id)).toHaveLength(1);
    expect(await invoicesOf(sub.id)).toHaveLength(1);

    // Too late to undo once the skipped month has begun.
    const late = await unskipMonth(env, customer.id, sub.id, sub.currentPeriodEnd + DAY_MS);
    expect(late).toEqual({ ok: false, reason: "invalid_state" });

    // The new date: the month after the skipped one is charged and invoiced.
    await runDailyCron(addMonths(anchor, 2) + 3_600_000);
    expect((await paymentsOf(sub.id)).map((p) => p.status)).toEqual(["captured", "captured"]);
    const renewal = (await invoicesOf(sub.id))[1];
    expect(renewal).toMatchObject({
      status: "paid",
      periodStart: addMonths(anchor, 2),
      periodEnd: addMonths(anchor, 3),
    });
    const mine = await call("GET", "/api/subscriptions", { headers: { cookie: customer.cookie } });
    expect(mine.body.subscriptions[0]).toMatchObject({ nextBillingAt: addMonths(anchor, 3), skippedMonth: null });
  });

  it("an undo before the skipped month puts the charge back on its date", async () => {
    const { customer, sub } = await subscribedTo(PLAN.id);
    await call("POST", `/api/subscriptions/${sub.id}/skip`, { headers: withCookie(customer.cookie) });
    const undone = await call("DELETE", `/api/subscriptions/${sub.id}/skip`, { headers: withCookie(customer.cookie) });
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({ nextBillingAt: sub.currentPeriodEnd, skippedMonth: null });
    await runDailyCron(sub.currentPeriodEnd + 3_600_000);
    expect((await paymentsOf(sub.id)).map((p) => p.status)).toEqual(["captured", "captured"]);
    // Nothing to undo now.
    const again = await call("DELETE", `/api/subscriptions/${sub.id}/skip`, { headers: withCookie(customer.cookie) });
    expect(again.status).toBe(409);
  });

  it("refuses to skip a paused subscription, hides another customer's, and a cancel drops a pending skip", async () => {
    const { customer, sub } = await subscribedTo(PLAN.id);
    const other = await sessionFor("customer");
    expect(
      (await call("POST", `/api/subscriptions/${sub.id}/skip`, { headers: withCookie(other.cookie) })).status,
    ).toBe(404);
    await call("POST", `/api/subscriptions/${sub.id}/pause`, { headers: withCookie(customer.cookie) });
    const paused = await call("POST", `/api/subscriptions/${sub.id}/skip`, { headers: withCookie(customer.cookie) });
    expect(paused.status).toBe(409);
    expect(paused.body.error.code).toBe("invalid_state");

    const second = await subscribedTo(PLAN.id);
    await call("POST", `/api/subscriptions/${second.sub.id}/skip`, { headers: withCookie(second.customer.cookie) });
    const cancelled = await call("DELETE", `/api/subscriptions/${second.sub.id}`, {
      headers: withCookie(second.customer.cookie),
    });
    expect(cancelled.body).toMatchObject({ status: "cancelled", currentPeriodEnd: second.sub.currentPeriodEnd });
  });
});

describe("PUT /api/subscriptions/:id/card", () => {
  it("keeps the old card when the new one is declined, and charges the next renewal to a new card that works", async () => {
    const { customer, sub } = await subscribedTo(PLAN.id);
    // The card on file stops working: the first renewal is declined.
    await db.update(subscriptions).set({ paymentToken: "tok_chargeDeclined" }).where(eq(subscriptions.id, sub.id));
    await runDailyCron(sub.currentPeriodEnd + 3_600_000);
    expect((await subscriptionRow(sub.id))?.status).toBe("past_due");

    const declined = await call("PUT", `/api/subscriptions/${sub.id}/card`, {
      body: { paymentMethod: { token: "4000 0000 0000 0002" } },
      headers: withCookie(customer.cookie),
    });
    expect(declined.status).toBe(409);
    expect(declined.body.error.code).toBe("payment_declined");
    expect((await subscriptionRow(sub.id))?.paymentToken).toBe("tok_chargeDeclined");

    const bad = await call("PUT", `/api/subscriptions/${sub.id}/card`, {
      body: { paymentMethod: { token: "4242 4242 4242 4241" } },
      headers: withCookie(customer.cookie),
    });
    expect(bad.status).toBe(400);

    const changed = await call("PUT", `/api/subscriptions/${sub.id}/card`, {
      body: { paymentMethod: { token: "5555 5555 5555 4444" } },
      headers: withCookie(customer.cookie),
    });
    expect(changed.status).toBe(200);
    expect(changed.body.card).toContain("4444");
    const row = await subscriptionRow(sub.id);
    expect(row?.paymentToken).toMatch(/^tok_/);
    expect(JSON.stringify(row)).not.toContain("5555555555554444");

    // The card check was not a charge; the next daily retry charges the new card.
    expect((await paymentsOf(sub.id)).map((p) => p.status)).toEqual(["captured", "declined"]);
    await runDailyCron(sub.currentPeriodEnd + 3_600_000 + DAY_MS);
    expect((await paymentsOf(sub.id)).map((p) => p.status)).toEqual(["captured", "declined", "captured"]);
    expect((await subscriptionRow(sub.id))?.status).toBe("active");
  });

  it("hides another customer's subscription (404) and refuses a cancelled one (409)", async () => {
    const { customer, sub } = await subscribedTo(PLAN.id);
    const other = await sessionFor("customer");
    const body = { paymentMethod: { token: "tok_visa" } };
    expect(
      (await call("PUT", `/api/subscriptions/${sub.id}/card`, { body, headers: withCookie(other.cookie) })).status,
    ).toBe(404);
    await call("DELETE", `/api/subscriptions/${sub.id}`, { headers: withCookie(customer.cookie) });
    const res = await call("PUT", `/api/subscriptions/${sub.id}/card`, { body, headers: withCookie(customer.cookie) });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("invalid_state");
  });
});
