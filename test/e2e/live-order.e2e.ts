// The shop's main promise end to end, with both sides in real browsers at once: a shopper buys a bracelet
// through the storefront and the order page reaches "confirmed" without a reload, while the staff console,
// open on the Orders page the whole time, shows the new order arrive and confirm — also without a reload.
// Run with `npx vite build && npx node test/e2e/run.mjs live-order`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";
import { cartToCheckout, LIVE_TIMEOUT, markDocument, placeOrder, sameDocument, signIn, uniqueEmail } from "./steps.ts";

/** BR-008 is bought by no other browser test, which share this server. */
const SKU = "BR-008";

const browser = browserForFile();

test("a shopper's order confirms live on their page while the staff console shows it arrive and confirm", async () => {
  const staff = await openPage(browser());
  await signIn(staff.page, "staff@example.com", "/admin/orders");
  await staff.page.locator("[data-orders-ready]").waitFor();
  await audit(staff.page);
  await staff.page.locator('.console[data-live="1"]').waitFor({ timeout: LIVE_TIMEOUT });
  await markDocument(staff.page);

  const shopper = await openPage(browser());
  await cartToCheckout(shopper.page, SKU);
  const { orderId } = await placeOrder(shopper.page, uniqueEmail("live"), "4242 4242 4242 4242");
  await markDocument(shopper.page);

  await shopper.page.locator('.order-page[data-order-status="confirmed"]').waitFor({ timeout: LIVE_TIMEOUT });
  assert.equal(await sameDocument(shopper.page), true, "the shopper's order page was not reloaded");

  const row = staff.page.locator(`tr[data-order-id="${orderId}"]`);
  await staff.page
    .locator(`tr[data-order-id="${orderId}"][data-status="confirmed"]`)
    .waitFor({ timeout: LIVE_TIMEOUT });
  assert.match((await row.textContent()) ?? "", /@example\.com/);
  assert.equal(await sameDocument(staff.page), true, "the staff console was not reloaded");

  const stray = (errors: string[]) => errors.filter((e) => !/Failed to load resource|status of 401/.test(e));
  assert.deepEqual(stray(shopper.errors), []);
  assert.deepEqual(stray(staff.errors), []);
});
