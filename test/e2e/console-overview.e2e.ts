// The console's Overview in a real browser: /admin opens on it, and when a shopper's order (placed and paid from a
// browser context of its own) is confirmed, today's orders, sales, orders to ship and the chart move without a
// reload or a poll (the staff feed tells the page). A card is a link to its list, already filtered. Run with
// `npx vite build && npx node test/e2e/run.mjs console-overview`.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";
import { LIVE_TIMEOUT, markDocument, sameDocument, signIn, uniqueEmail } from "./steps.ts";

/** BR-009 is ordered by no other browser test, which share this server. */
const SKU = "BR-009";

const browser = browserForFile();

const unexpected = (errors: string[]) => errors.filter((e) => !/status of 401/.test(e));

const cardValue = (page: Page, card: string) => page.locator(`[data-card="${card}"] [data-value]`).textContent();

/** Places an order for one BR-009 and pays it with the success token, from the shopper's own page. */
async function buy(shopper: Page, email: string): Promise<string> {
  return shopper.evaluate(
    async ({ sku, email }) => {
      const res = await fetch("/api/orders", {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
        body: JSON.stringify({
          items: [{ sku, qty: 1 }],
          email,
          shippingAddress: { name: "Olga Overview", line1: "2 Quai", city: "Lyon", postalCode: "69001", country: "FR" },
        }),
      });
      if (res.status !== 201) throw new Error(`POST /api/orders answered ${res.status}: ${await res.text()}`);
      const order = (await res.json()) as { id: string; accessToken: string };
      const paid = await fetch(`/api/orders/${order.id}/pay`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${order.accessToken}` },
        body: JSON.stringify({ paymentMethod: { token: "tok_visa" } }),
      });
      if (paid.status !== 202) throw new Error(`pay answered ${paid.status}: ${await paid.text()}`);
      return order.id;
    },
    { sku: SKU, email },
  );
}

test("the overview moves live when an order confirms in another browser, and its cards open filtered lists", async () => {
  const { page, errors } = await openPage(browser());
  await signIn(page, "staff@example.com", "/admin");
  await page.locator("[data-overview-version]").waitFor();
  await page.locator('.console[data-live="1"]').waitFor({ timeout: LIVE_TIMEOUT });
  const nav = page.getByRole("navigation", { name: "Console" });
  assert.equal(await nav.getByRole("link", { name: "Overview" }).getAttribute("aria-current"), "page");
  await page.locator(".sales-chart .uplot").waitFor();
  await audit(page, "overview with its chart");

  const ordersBefore = Number(await cardValue(page, "orders-today"));
  const toShipBefore = Number(await cardValue(page, "to-ship"));
  const salesBefore = await cardValue(page, "sales-today");
  const chartBefore = await page.locator("[data-chart-total]").textContent();
  await markDocument(page);

  const shopper = await openPage(browser());
  try {
    await shopper.page.goto("/");
    await audit(shopper.page, "catalog");
    await buy(shopper.page, uniqueEmail("overview-e2e"));
    await page
      .locator('[data-card="orders-today"] [data-value]')
      .filter({ hasText: new RegExp(`^${ordersBefore + 1}$`) })
      .waitFor({ timeout: LIVE_TIMEOUT });
    assert.equal(Number(await cardValue(page, "to-ship")), toShipBefore + 1);
    assert.notEqual(await cardValue(page, "sales-today"), salesBefore);
    assert.notEqual(await page.locator("[data-chart-total]").textContent(), chartBefore);
    assert.ok(await sameDocument(page), "the overview updated without a reload");
    assert.deepEqual(unexpected(shopper.errors), []);
  } finally {
    await shopper.page.context().close();
  }

  // Today's hours: the chart redraws for the other period.
  await page.getByRole("button", { name: "Today by hour" }).click();
  await page.locator('.sales-chart[data-chart-interval="hour"] .uplot').waitFor();

  await page.locator('[data-card="to-ship"] a').click();
  await page.waitForURL((url) => url.pathname === "/admin/orders" && url.searchParams.get("status") === "confirmed");
  await page.locator("[data-orders-ready]").waitFor();
  await audit(page);
  assert.ok(await sameDocument(page), "the card link stays inside the console");
  assert.deepEqual(unexpected(errors), []);
});
