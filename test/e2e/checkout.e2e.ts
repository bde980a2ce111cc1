// Checkout and the live order page in a real browser: a guest buys a bracelet and watches the order confirm
// (and ship) without a reload, then opens the invoice; a declined card is retried from the order page; a
// reserved order is amended and cancelled. Run with `npx vite build && npx node test/e2e/run.mjs checkout`.
// Fraud velocity counts orders per email, so every test uses its own address (shipping to the US: under
// `wrangler dev` the request country is US, and a mismatch would add risk points).
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Page, request } from "playwright-core";
import { audit } from "./axe.ts";
import { BASE_URL, browserForFile, openPage } from "./browser.ts";
import { cartToCheckout, LIVE_TIMEOUT, markDocument, placeOrder, sameDocument, uniqueEmail } from "./steps.ts";

const browser = browserForFile();

/** The browser logs every 4xx fetch (401 from /api/me for a guest) as a console error; those are expected. */
const unexpected = (errors: string[]) => errors.filter((e) => !/Failed to load resource/.test(e));

const waitForStatus = (page: Page, status: string) =>
  page.locator(`.order-page[data-order-status="${status}"]`).waitFor({ timeout: LIVE_TIMEOUT });

test("a guest checks out, watches the order confirm and ship without a reload, and opens the invoice", async () => {
  const { page, errors } = await openPage(browser());
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
  const { page, errors } = await openPage(browser());
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
  const { page, errors } = await openPage(browser());
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
    .locator('li[data-status="cancelled"]', { hasText: "You cancelled this order" })
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
  const { page, errors } = await openPage(browser());
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

test("checkout shows subtotal, shipping, tax and total before the click, follows the cart, and charges that total", async () => {
  const { page, errors } = await openPage(browser());
  await cartToCheckout(page, "BR-004");
  const totals = page.locator('[data-testid="checkout-totals"][data-quote-ready="1"]');
  await totals.waitFor();
  // €42.00 + €4.95 shipping, 20 % tax on both, from the server's quote before anything is placed.
  assert.equal(await page.getByTestId("checkout-subtotal").textContent(), "€42.00");
  assert.equal(await page.getByTestId("checkout-shipping").textContent(), "€4.95");
  assert.equal(await page.getByTestId("checkout-tax").textContent(), "€9.39");
  assert.equal(await page.getByTestId("checkout-total").textContent(), "€56.34");

  // Three of them pass the free-shipping threshold: the quote follows the cart.
  await page.getByRole("link", { name: "Change the cart" }).click();
  await page.locator('.cart[data-ready="true"]').waitFor();
  const more = page.getByRole("button", { name: /^One more / });
  await more.click();
  await page.getByTestId("cart-count").filter({ hasText: /^2$/ }).waitFor();
  await more.click();
  await page.getByTestId("cart-count").filter({ hasText: /^3$/ }).waitFor();
  await page.getByRole("link", { name: "Checkout" }).click();
  await page.waitForURL(/\/checkout$/);
  await page.getByTestId("checkout-subtotal").filter({ hasText: "€126.00" }).waitFor();
  await totals.waitFor();
  assert.equal(await page.getByTestId("checkout-shipping").textContent(), "Free");
  assert.equal(await page.getByTestId("checkout-total").textContent(), "€151.20");
  await page.getByText("You pay €151.20, shipping and tax included.").waitFor();

  await placeOrder(page, uniqueEmail("quote"), "4242 4242 4242 4242");
  await page.getByTestId("order-total").filter({ hasText: "€151.20" }).waitFor();
  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});

test("a price that changes after the total was shown is announced with the new total, and the next click pays it", async () => {
  const { page, errors } = await openPage(browser());
  await cartToCheckout(page, "BR-006");
  const form = page.getByRole("form", { name: "Checkout" });
  await form.getByLabel("Email").fill(uniqueEmail("price"));
  await form.getByLabel("Full name").fill("Sam Guest");
  await form.getByLabel("Address line 1").fill("1 Market Street");
  await form.getByLabel("City").fill("San Francisco");
  await form.getByLabel("Postal code").fill("94105");
  await form.getByLabel("Country").selectOption("US");
  await form.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.locator('[data-testid="checkout-totals"][data-quote-ready="1"]').waitFor();
  const shown = (await page.getByTestId("checkout-total").textContent()) ?? "";

  // The shop raises the price while the shopper looks at the total.
  const admin = await request.newContext({ baseURL: BASE_URL });
  const setPrice = async (priceCents: number) => {
    const res = await admin.patch("/api/admin/products/BR-006", { data: { priceCents } });
    assert.equal(res.status(), 200, await res.text());
  };
  const login = await admin.post("/api/auth/login", {
    data: { email: "admin@example.com", password: process.env.SEED_PASSWORD || "shop-dev-password" },
  });
  assert.equal(login.status(), 200);
  const original = (await (await admin.get("/api/products/BR-006")).json()).priceCents as number;
  await setPrice(original + 500);
  try {
    await form.getByRole("button", { name: "Place order" }).click();
    const alert = page.locator(".form-error").filter({ hasText: "A price changed while you were checking out" });
    await alert.waitFor();
    const now = (await page.getByTestId("checkout-total").textContent()) ?? "";
    assert.notEqual(now, shown, "the new total replaces the old one");
    assert.match((await alert.textContent()) ?? "", new RegExp(`The total is now ${now.replace(/[.$]/g, "\\$&")}`));
    assert.equal(page.url().endsWith("/checkout"), true, "no order page: nothing was placed");

    await form.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/orders\/ord_/);
    await page.getByTestId("order-total").filter({ hasText: now }).waitFor();
  } finally {
    await setPrice(original);
    await admin.dispose();
  }
  // The refused order (409) is a failed fetch the browser logs; nothing else.
  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});
