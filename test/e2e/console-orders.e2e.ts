// The console's Orders and Fraud review pages in a real browser: a shopper's order (placed through the API from
// a browser context of its own) appears on the staff Orders page without a reload and follows its payment to
// "confirmed"; staff ship it and mark it delivered from its page. An order scored for review arrives in the Fraud
// review queue; staff approve it with a note, it leaves the queue and is confirmed. Run with
// `npx vite build && npx node test/e2e/run.mjs console-orders`.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";
import { LIVE_TIMEOUT, markDocument, sameDocument, signIn, uniqueEmail } from "./steps.ts";

/** BR-005 is ordered by no other browser test, which share this server. */
const SKU = "BR-005";

const browser = browserForFile();

/** The 401 of GET /api/me before signing in is expected; the browser logs it as an error anyway. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 401/.test(e));

async function signInStaff(page: Page, next: string): Promise<void> {
  await signIn(page, "staff@example.com", next);
  await page.locator("[data-orders-ready]").waitFor();
  await audit(page);
  await page.locator('.console[data-live="1"]').waitFor({ timeout: LIVE_TIMEOUT });
}

type Placed = { id: string; accessToken: string; status: string };

/** A guest places an order for one BR-005 through the API, from the shopper's own page (its own cookies). */
async function placeOrder(shopper: Page, email: string): Promise<Placed> {
  return shopper.evaluate(
    async ({ sku, email }) => {
      const res = await fetch("/api/orders", {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
        body: JSON.stringify({
          items: [{ sku, qty: 1 }],
          email,
          shippingAddress: {
            name: "Paula Shopper",
            line1: "1 Rue de la Paix",
            city: "Paris",
            postalCode: "75002",
            country: "FR",
          },
        }),
      });
      if (res.status !== 201) throw new Error(`POST /api/orders answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as Placed;
    },
    { sku: SKU, email },
  );
}

async function payOrder(shopper: Page, order: Placed, token: string): Promise<void> {
  await shopper.evaluate(
    async ({ id, accessToken, token }) => {
      const res = await fetch(`/api/orders/${id}/pay`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ paymentMethod: { token } }),
      });
      if (res.status !== 202) throw new Error(`POST /api/orders/${id}/pay answered ${res.status}: ${await res.text()}`);
    },
    { id: order.id, accessToken: order.accessToken, token },
  );
}

async function openShopper(): Promise<{ page: Page; errors: string[] }> {
  const shopper = await openPage(browser());
  await shopper.page.goto("/");
  await audit(shopper.page, "catalog");
  return shopper;
}

test("a shopper's order appears live on the Orders page, and staff ship it and mark it delivered", async () => {
  const { page, errors } = await openPage(browser());
  await signInStaff(page, "/admin/orders");
  const nav = page.getByRole("navigation", { name: "Console" });
  assert.deepEqual(await nav.getByRole("link").allTextContents(), [
    "Overview",
    "Orders",
    "Inventory",
    "Fraud review",
    "Customers",
    "Subscriptions",
    "Events",
    "Dead letters",
    "Notifications",
    "Mailbox",
    "Reconciliation",
  ]);
  assert.equal(await nav.getByRole("link", { name: "Orders" }).getAttribute("aria-current"), "page");
  await markDocument(page);

  const shopper = await openShopper();
  const email = uniqueEmail("orders-e2e");
  let id = "";
  try {
    // Placed: the row arrives without a reload, reserved; paid: it follows to confirmed.
    const order = await placeOrder(shopper.page, email);
    id = order.id;
    assert.equal(order.status, "reserved");
    const row = page.locator(`tr[data-order-id="${order.id}"]`);
    await row.waitFor({ timeout: LIVE_TIMEOUT });
    await row.getByText(email).waitFor();
    await payOrder(shopper.page, order, "tok_visa");
    await page.locator(`tr[data-order-id="${order.id}"][data-status="confirmed"]`).waitFor({ timeout: LIVE_TIMEOUT });
    await row.getByText("Confirmed", { exact: true }).waitFor();
    await row.locator('[data-col="items"]').filter({ hasText: /^1$/ }).waitFor();
    assert.equal(
      await page.locator("tr[data-order-id]").first().getAttribute("data-order-id"),
      order.id,
      "the newest order is the first row",
    );
    assert.deepEqual(unexpected(shopper.errors), []);
  } finally {
    await shopper.page.context().close();
  }

  // The order's page: what was bought, by whom, the payment, the risk and the timeline.
  await page.locator(`tr[data-order-id="${id}"]`).getByText(email).click();
  await page.waitForURL((url) => url.pathname === `/admin/orders/${id}`);
  const detail = page.locator(`section.order-detail[data-order-id="${id}"]`);
  await detail.locator('[data-status="confirmed"]').first().waitFor();
  await detail.locator(`tr[data-sku="${SKU}"]`).waitFor();
  await detail.getByText("Paula Shopper").waitFor();
  await detail.locator('tr[data-payment-status="authorized"], tr[data-payment-status="captured"]').waitFor();
  await detail.locator("[data-score]").first().waitFor();
  await audit(page, "order detail");
  assert.equal(await detail.getByRole("button", { name: "Mark delivered" }).count(), 0, "not before shipping");

  // Ship: the tracking number is required, then the order is shipped and the badge follows.
  const ship = page.getByRole("form", { name: "Ship the order" });
  await ship.getByRole("button", { name: "Ship order" }).click();
  assert.equal(await ship.getByLabel("Tracking number").getAttribute("aria-invalid"), "true");
  const tracking = `TRK-${Date.now()}`;
  await ship.getByLabel("Tracking number").fill(tracking);
  await ship.getByRole("button", { name: "Ship order" }).click();
  await page
    .getByRole("status")
    .filter({ hasText: `Shipped with tracking ${tracking}.` })
    .waitFor();
  await page.locator(`section.order-detail[data-order-id="${id}"][data-status="shipped"]`).waitFor();
  await detail.locator(".order-head").getByText("Shipped", { exact: true }).waitFor();
  assert.equal(await detail.getByTestId("tracking-number").textContent(), tracking);
  assert.equal(await detail.getByRole("button", { name: "Cancel order…" }).count(), 0, "no cancelling once shipped");

  await detail.getByRole("button", { name: "Mark delivered" }).click();
  await page.getByRole("status").filter({ hasText: "Marked as delivered." }).waitFor();
  await page.locator(`section.order-detail[data-order-id="${id}"][data-status="delivered"]`).waitFor();
  await detail.locator(".order-head").getByText("Delivered", { exact: true }).waitFor();
  await detail.locator(".order-timeline").getByText(`Shipped, tracking ${tracking}`).waitFor();

  // Back on the list, the row shows where the order is now.
  await page.getByRole("link", { name: "← Orders" }).click();
  await page.locator(`tr[data-order-id="${id}"][data-status="delivered"]`).waitFor();
  assert.equal(await sameDocument(page), true, "the page was never reloaded");
  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});

test("an order scored for review joins the Fraud review queue live, and staff approve it with a note", async () => {
  const { page, errors } = await openPage(browser());
  await signInStaff(page, "/admin/fraud");
  await page.getByRole("heading", { name: "Fraud review", level: 1 }).waitFor();
  await markDocument(page);

  const shopper = await openShopper();
  let id = "";
  try {
    const order = await placeOrder(shopper.page, uniqueEmail("fraud-e2e"));
    id = order.id;
    await payOrder(shopper.page, order, "tok_riskLevelElevated");
    assert.deepEqual(unexpected(shopper.errors), []);
  } finally {
    await shopper.page.context().close();
  }

  // Held: the elevated-risk token alone scores 45 (review is 30 to 70), named on the row.
  const row = page.locator(`tr[data-order-id="${id}"]`);
  await row.waitFor({ timeout: LIVE_TIMEOUT });
  assert.equal(await row.getAttribute("data-status"), "on_hold");
  const score = Number(await row.locator("[data-score]").getAttribute("data-score"));
  assert.ok(score >= 30 && score <= 70, `a review score, got ${score}`);
  await row.locator('[data-reason="token_risk"]').getByText("Risky payment method").waitFor();

  // A decision needs a note.
  const review = row.getByRole("form", { name: /^Review order / });
  await review.getByRole("button", { name: "Approve" }).click({ timeout: LIVE_TIMEOUT });
  assert.equal(await review.getByLabel("Review note").getAttribute("aria-invalid"), "true");
  await review.getByLabel("Review note").fill("Customer confirmed the order by phone.");
  await review.getByRole("button", { name: "Approve" }).click();

  await row.waitFor({ state: "detached" });
  const done = page.getByRole("status").filter({ hasText: "approved: now Confirmed." });
  await done.waitFor();
  await done.getByRole("link", { name: "Open the order" }).click();
  await page.locator(`section.order-detail[data-order-id="${id}"][data-status="confirmed"]`).waitFor();
  await page
    .locator(".order-timeline")
    .getByText("Approved after review: Customer confirmed the order by phone.")
    .waitFor();
  const res = await page.request.get(`/api/admin/orders/${id}`);
  assert.equal(((await res.json()) as { status: string }).status, "confirmed");
  assert.equal(await sameDocument(page), true, "the page was never reloaded");
  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});
