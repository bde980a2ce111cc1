// The walk-through of issue #12 in a real browser: cart → checkout total → pay → staff refund part of it in the
// console (one line, back in stock) → the shopper's invoice shows the refund and its credit note. Run with
// `npx vite build && npx node test/e2e/run.mjs refund`; with `E2E_SCREENSHOTS=1` each step is also saved under
// docs/screenshots/ (the pictures in docs/orders.md).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";
import { cartToCheckout, LIVE_TIMEOUT, placeOrder, signIn, uniqueEmail } from "./steps.ts";

const browser = browserForFile();

const SHOTS = new URL("../../docs/screenshots/", import.meta.url);

async function shot(page: Page, name: string): Promise<void> {
  if (!process.env.E2E_SCREENSHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: new URL(name, SHOTS).pathname, fullPage: true });
}

const unexpected = (errors: string[]) => errors.filter((e) => !/Failed to load resource/.test(e));

test("a shopper sees the total, pays, staff refund one bracelet with its stock back, and the invoice shows the credit note", async () => {
  const shopper = await openPage(browser());
  const page = shopper.page;
  await page.setViewportSize({ width: 1100, height: 900 });
  // A fresh `wrangler dev` on a busy shared machine can take long over its first pages.
  page.setDefaultNavigationTimeout(30_000);
  page.setDefaultTimeout(20_000);
  await cartToCheckout(page, "BR-004");
  await page.getByRole("link", { name: "Change the cart" }).click();
  await page.locator('.cart[data-ready="true"]').waitFor();
  await page.getByRole("button", { name: /^One more / }).click();
  await page.getByTestId("cart-count").filter({ hasText: /^2$/ }).waitFor();
  await page.getByRole("link", { name: "Checkout" }).click();
  await page.getByTestId("checkout-subtotal").filter({ hasText: "€84.00" }).waitFor();
  await page.locator('[data-testid="checkout-totals"][data-quote-ready="1"]').waitFor();
  // €84.00 + €4.95 shipping + 20 % tax (€17.79).
  assert.equal(await page.getByTestId("checkout-total").textContent(), "€106.74");
  await shot(page, "01-checkout-total.png");

  const { orderId, token } = await placeOrder(page, uniqueEmail("walk"), "4242 4242 4242 4242");
  await page.locator('.order-page[data-order-status="confirmed"]').waitFor({ timeout: LIVE_TIMEOUT });
  assert.equal(await page.getByTestId("order-total").textContent(), "€106.74");
  assert.match((await page.getByTestId("order-number").textContent()) ?? "", /^#\d{4,}$/);
  await shot(page, "02-order-confirmed.png");

  const staff = await openPage(browser());
  const console_ = staff.page;
  await console_.setViewportSize({ width: 1100, height: 900 });
  console_.setDefaultNavigationTimeout(30_000);
  console_.setDefaultTimeout(20_000);
  await signIn(console_, "staff@example.com", "/admin/orders");
  await console_.locator("[data-orders-ready]").waitFor();
  await audit(console_, "orders");
  await console_.goto(`/admin/orders/${orderId}`);
  await console_.locator(`.order-detail[data-order-id="${orderId}"]`).waitFor();
  await audit(console_, "order detail");
  const stockBefore = (await (await console_.request.get("/api/products/BR-004/stock")).json()).available as number;
  await console_.getByRole("button", { name: "Refund part…" }).click();
  const form = console_.getByRole("form", { name: "Refund part of the order" });
  await form.getByLabel("Rose Quartz Whisper").fill("1");
  await form.getByLabel("Put the chosen items back in stock").check();
  // One of two at €42.00 with its share of the tax: €50.40 (shipping stays paid).
  await form.getByRole("button", { name: "Refund €50.40" }).waitFor();
  await shot(console_, "03-console-refund-part.png");
  await form.getByRole("button", { name: "Refund €50.40" }).click();
  await console_.getByText("Refunded €50.40; credit note issued.").waitFor();
  await console_
    .locator(".order-timeline li")
    .filter({ hasText: "Refunded 50.40 EUR (1 × Rose Quartz Whisper; back in stock)" })
    .waitFor();
  const stockAfter = (await (await console_.request.get("/api/products/BR-004/stock")).json()).available as number;
  assert.equal(stockAfter, stockBefore + 1, "the refunded bracelet is back on sale");
  await shot(console_, "04-console-refunded.png");

  // The shopper's open page hears of the refund live, in words a shopper may read.
  await page
    .getByTestId("order-timeline")
    .locator("li")
    .filter({ hasText: "Refunded 50.40 EUR (1 × Rose Quartz Whisper; back in stock)" })
    .waitFor({ timeout: LIVE_TIMEOUT });
  await page.getByRole("link", { name: "Invoice" }).click();
  await page.waitForURL(
    (url) => url.pathname === `/orders/${orderId}/invoice` && url.searchParams.get("token") === token,
  );
  await page.locator('[data-invoice-ready="1"]').waitFor({ timeout: LIVE_TIMEOUT });
  await audit(page);
  assert.equal(await page.getByTestId("invoice-status").textContent(), "Paid, partly refunded");
  assert.equal(await page.getByTestId("invoice-refunded").textContent(), "−€50.40");
  assert.equal(await page.getByTestId("invoice-net").textContent(), "€56.34");
  const note = page.getByTestId("credit-note");
  assert.equal(await note.count(), 1);
  assert.match((await note.getByTestId("credit-note-number").textContent()) ?? "", /^CN-\d{4}$/);
  assert.equal(await note.getByTestId("credit-note-total").textContent(), "€50.40");
  await note.getByText(`Corrects invoice ${await page.getByTestId("invoice-number").textContent()}`).waitFor();
  await shot(page, "05-invoice-and-credit-note.png");

  assert.deepEqual(unexpected(shopper.errors), []);
  assert.deepEqual(unexpected(staff.errors), []);
  await page.context().close();
  await console_.context().close();
});
