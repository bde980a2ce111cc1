// Checkout and the live order page in a real browser: a guest buys a bracelet and watches the order confirm
// (and ship) without a reload, then opens the invoice; a declined card is retried from the order page; a
// reserved order is amended and cancelled. Run with `npx vite build && npx node test/e2e/run.mjs checkout`.
// Fraud velocity counts orders per email, so every test uses its own address (shipping to the US: under
// `wrangler dev` the request country is US, and a mismatch would add risk points).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Browser, type Page, request } from "playwright-core";
import { BASE_URL, launchBrowser, openPage } from "./browser.ts";

let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** The browser logs every 4xx fetch (401 from /api/me for a guest) as a console error; those are expected. */
const unexpected = (errors: string[]) => errors.filter((e) => !/Failed to load resource/.test(e));

const uniqueEmail = (who: string) => `${who}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;

/** Live transitions (payment, fraud check through the queue) get a generous but bounded wait. */
const LIVE_TIMEOUT = 20_000;

const orderRoot = (page: Page) => page.locator(".order-page[data-order-status]");
const waitForStatus = (page: Page, status: string) =>
  page.locator(`.order-page[data-order-status="${status}"]`).waitFor({ timeout: LIVE_TIMEOUT });

/** Marks the current document; the mark survives only as long as the page is not reloaded or replaced. */
const markDocument = (page: Page) =>
  page.evaluate(() => {
    (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
  });
const sameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

/** Adds `sku` from its product page, goes to the cart and follows its Checkout link. */
async function cartToCheckout(page: Page, sku: string) {
  await page.goto(`/products/${sku}`);
  await page.locator('form.add-to-cart[data-hydrated="true"]').waitFor();
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.getByTestId("cart-count").filter({ hasText: /^1$/ }).waitFor();
  await page.getByRole("link", { name: /^Cart/ }).click();
  await page.waitForURL(/\/cart$/);
  await page.locator('.cart[data-ready="true"]').waitFor();
  await page.getByRole("link", { name: "Checkout" }).click();
  await page.waitForURL(/\/checkout$/);
  await page.locator('.checkout[data-checkout-ready="1"]').waitFor();
}

/** Fills the checkout form and places the order; resolves on the order page. */
async function placeOrder(page: Page, email: string, card: string) {
  const form = page.getByRole("form", { name: "Checkout" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Full name").fill("Sam Guest");
  await form.getByLabel("Address line 1").fill("1 Market Street");
  await form.getByLabel("City").fill("San Francisco");
  await form.getByLabel("Region or state").fill("CA");
  await form.getByLabel("Postal code").fill("94105");
  await form.getByLabel("Country").selectOption("US");
  await form.getByLabel("Card number").fill(card);
  await form.getByRole("button", { name: "Place order" }).click();
  await page.waitForURL(/\/orders\/ord_[A-Za-z0-9_-]+\?token=[A-Za-z0-9_-]+$/);
  await orderRoot(page).waitFor();
  const url = new URL(page.url());
  return { orderId: url.pathname.split("/")[2] ?? "", token: url.searchParams.get("token") ?? "" };
}

test("a guest checks out, watches the order confirm and ship without a reload, and opens the invoice", async () => {
  const { page, errors } = await openPage(browser);
  await cartToCheckout(page, "BR-004");
  const line = page.locator('.checkout-line[data-sku="BR-004"]');
  await line.getByText("Rose Quartz Whisper").waitFor();
  // The test card numbers are shown next to the card field.
  await page.getByText("4242 4242 4242 4242").waitFor();

  const { orderId, token } = await placeOrder(page, uniqueEmail("guest"), "4242 4242 4242 4242");
  await markDocument(page);
  // The cart is emptied once the order is paid for.
  assert.equal(await page.getByTestId("cart-count").textContent(), "0");

  await waitForStatus(page, "confirmed");
  await page.locator('.order-page[data-live="1"]').waitFor();
  assert.equal(await sameDocument(page), true, "the order page was not reloaded");
  const timeline = page.getByTestId("order-timeline");
  await timeline.locator('li[data-status="payment_pending"]').waitFor();
  await timeline.locator('li[data-status="confirmed"]').waitFor();
  // €42.00 + €4.95 shipping, 20 % tax on both: the server's totals.
  assert.equal(await page.getByTestId("order-total").textContent(), "€56.34");

  // Staff ship it from elsewhere: the shopper's open page moves on by itself, with the tracking number.
  const staff = await request.newContext({ baseURL: BASE_URL });
  try {
    const login = await staff.post("/api/auth/login", {
      data: { email: "staff@example.com", password: process.env.SEED_PASSWORD || "shop-dev-password" },
    });
    assert.equal(login.status(), 200);
    const ship = await staff.post(`/api/admin/orders/${orderId}/ship`, { data: { trackingNumber: "TRACK-E2E-1" } });
    assert.equal(ship.status(), 200, await ship.text());
  } finally {
    await staff.dispose();
  }
  await waitForStatus(page, "shipped");
  await page.getByTestId("tracking-number").filter({ hasText: "TRACK-E2E-1" }).waitFor();
  assert.equal(await sameDocument(page), true, "the order page was not reloaded");

  await page.getByRole("link", { name: "Invoice" }).click();
  await page.waitForURL(
    (url) => url.pathname === `/orders/${orderId}/invoice` && url.searchParams.get("token") === token,
  );
  await page.locator('[data-invoice-ready="1"]').waitFor({ timeout: LIVE_TIMEOUT });
  assert.match((await page.getByTestId("invoice-number").textContent()) ?? "", /^\S+$/);
  assert.equal(await page.getByTestId("invoice-total").textContent(), "€56.34");
  await page.getByText("Sam Guest").waitFor();
  await page.getByRole("button", { name: "Print" }).waitFor();
  assert.equal(await page.getByText("Loading the invoice…").count(), 0, "the loading text is gone");

  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});

test("a declined card is retried with another card on the order page, which then confirms live", async () => {
  const { page, errors } = await openPage(browser);
  await cartToCheckout(page, "BR-001");
  await placeOrder(page, uniqueEmail("declined"), "4000 0000 0000 0002");

  await waitForStatus(page, "payment_failed");
  await markDocument(page);
  await page.getByTestId("decline").filter({ hasText: "Your card was declined." }).waitFor();
  await page.getByTestId("order-expiry").waitFor();

  const retry = page.getByRole("form", { name: "Try another card" });
  await retry.getByLabel("Card number").fill("4242 4242 4242 4242");
  await retry.getByRole("button", { name: "Pay now" }).click();
  await waitForStatus(page, "confirmed");
  assert.equal(await sameDocument(page), true, "the order page was not reloaded");
  const timeline = page.getByTestId("order-timeline");
  await timeline.locator('li[data-status="payment_failed"]').waitFor();
  assert.equal(await page.getByTestId("decline").count(), 0);
  await page.getByRole("link", { name: "Invoice" }).waitFor();

  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});

test("a reserved order is changed and then cancelled from its page, and the browser remembers its token", async () => {
  const { page, errors } = await openPage(browser);
  const created = await page.request.post("/api/orders", {
    data: {
      items: [{ sku: "BR-006", qty: 1 }],
      email: uniqueEmail("cancel"),
      shippingAddress: { name: "Kim Later", line1: "9 Elm Road", city: "Austin", postalCode: "73301", country: "US" },
    },
  });
  assert.equal(created.status(), 201, await created.text());
  const { id, accessToken } = (await created.json()) as { id: string; accessToken: string };

  await page.goto(`/orders/${id}?token=${accessToken}`);
  await waitForStatus(page, "reserved");
  await page.locator('.order-page[data-live="1"]').waitFor();
  await markDocument(page);
  await page.getByTestId("order-expiry").waitFor();
  // €39.00 + €4.95 shipping + 20 % tax.
  assert.equal(await page.getByTestId("order-total").textContent(), "€52.74");

  await page.getByRole("button", { name: "Change quantities" }).click();
  await page.getByLabel("Copper Braid").fill("3");
  await page.getByRole("button", { name: "Save quantities" }).click();
  // Three come to €117.00: shipping is free above €100, so €140.40 with tax.
  await page.getByTestId("order-total").filter({ hasText: "€140.40" }).waitFor();
  assert.equal(await page.locator('tr[data-sku="BR-006"] td.num').first().textContent(), "3");

  await page.getByRole("button", { name: "Cancel order" }).click();
  await page.getByRole("button", { name: "Yes, cancel the order" }).click();
  await waitForStatus(page, "cancelled");
  await page
    .getByTestId("order-timeline")
    .locator('li[data-status="cancelled"]', { hasText: "Cancelled by the customer" })
    .waitFor();
  assert.equal(await sameDocument(page), true, "the order page was not reloaded");
  assert.equal(await page.getByRole("button", { name: "Cancel order" }).count(), 0);

  // Without the token in the address, this browser still opens its own order.
  await page.goto(`/orders/${id}`);
  await waitForStatus(page, "cancelled");

  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});
