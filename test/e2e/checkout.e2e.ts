// Checkout and the live order page in a real browser: a guest buys a bracelet and watches the order confirm
// (and ship) without a reload, then opens the invoice; a declined card is retried from the order page; a
// reserved order is amended and cancelled. Run with `npx vite build && npx node test/e2e/run.mjs checkout`.
// Fraud velocity counts orders per email, so every test uses its own address (shipping to the US: under
// `wrangler dev` the request country is US, and a mismatch would add risk points).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Browser, type Page, request } from "playwright-core";
import { assertEveryPageAudited, audit } from "./axe.ts";
import { BASE_URL, launchBrowser, openPage } from "./browser.ts";
import { cartToCheckout, LIVE_TIMEOUT, markDocument, placeOrder, sameDocument, uniqueEmail } from "./steps.ts";

let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  assertEveryPageAudited();
});

/** The browser logs every 4xx fetch (401 from /api/me for a guest) as a console error; those are expected. */
const unexpected = (errors: string[]) => errors.filter((e) => !/Failed to load resource/.test(e));

const waitForStatus = (page: Page, status: string) =>
  page.locator(`.order-page[data-order-status="${status}"]`).waitFor({ timeout: LIVE_TIMEOUT });

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
  await audit(page, "invoice");
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
  // The decline was on the page before anything could announce it: focus is moved onto it, so it is read.
  await page.waitForFunction(() => document.activeElement?.getAttribute("data-testid") === "decline");
  await audit(page, "order page after a decline");

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

/** Presses Tab until the focused control is the one labelled `label` (bounded: fails loudly if never reached). */
async function tabTo(page: Page, label: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const focused = await page.evaluate(
      () => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent?.trim() ?? "",
    );
    if (focused.startsWith(label)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached the field labelled ${label}`);
}

test("a keyboard-only guest checks out: a card error takes the focus and is read before the hint", async () => {
  const { page, errors } = await openPage(browser);
  await cartToCheckout(page, "BR-006");
  const fields: [string, string][] = [
    ["Email", uniqueEmail("keyboard")],
    ["Full name", "Kim Keys"],
    ["Address line 1", "2 Market Street"],
    ["City", "San Francisco"],
    ["Region or state", "CA"],
    ["Postal code", "94105"],
  ];
  for (const [label, value] of fields) {
    await tabTo(page, label);
    await page.keyboard.type(value);
  }
  await tabTo(page, "Country");
  await page.keyboard.type("United States");
  await tabTo(page, "Card number");
  await page.keyboard.type("4242 4242 4242 4241");
  await page.keyboard.press("Enter");

  // The invalid card keeps the shopper on the form, with focus on the card field and the error said first.
  await page.waitForFunction(() => document.activeElement?.getAttribute("aria-invalid") === "true");
  const description = await page.evaluate(() => {
    const ids = document.activeElement?.getAttribute("aria-describedby")?.split(" ") ?? [];
    return ids.map((id) => document.getElementById(id)?.textContent ?? "");
  });
  assert.match(description[0] ?? "", /That card number is not valid/);
  assert.doesNotMatch(description[0] ?? "", /below/);
  await audit(page, "checkout with a card error");

  await page.keyboard.press("Control+A");
  await page.keyboard.type("4242 4242 4242 4242");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/orders\/ord_[A-Za-z0-9_-]+\?token=/);
  await waitForStatus(page, "confirmed");
  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});
