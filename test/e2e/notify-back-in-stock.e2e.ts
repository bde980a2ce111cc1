// Back in stock in a real browser: a guest asks to be told on a sold-out product page, staff restock it from the
// console's Inventory (which shows the shopper waiting), and the e-mail the shop sent is in the console Mailbox.
// Run with `npx vite build && node test/e2e/run.mjs notify-back-in-stock`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { audit } from "./axe.ts";
import { BASE_URL, browserForFile, openPage } from "./browser.ts";

// A SKU no other browser test uses; this test leaves its stock level as it found it.
const SKU = "BR-011";
/** The restock's event reaches the notifications service through the queue; never longer than this. */
const QUEUE_TIMEOUT = 20_000;

const browser = browserForFile();

/** 401 from /api/me before signing in is expected; nothing else may go wrong. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 401/.test(e));

test("a shopper signs up on a sold-out product, staff restock it, and the e-mail is in the console mailbox", async () => {
  const staff = await openPage(browser());
  const login = await staff.page.request.post("/api/auth/login", {
    data: { email: "staff@example.com", password: "shop-dev-password" },
  });
  assert.equal(login.status(), 200, await login.text());
  const level = async () =>
    (await (await staff.page.request.get(`/api/products/${SKU}/stock`)).json()) as { available: number };
  const start = (await level()).available;
  assert.ok(start > 0);
  const soldOut = await staff.page.request.post(`/api/admin/inventory/${SKU}/adjustments`, {
    data: { delta: -start, reason: "damage" },
    headers: { origin: BASE_URL },
  });
  assert.equal(soldOut.status(), 200, await soldOut.text());

  // The guest sees it sold out (the cached page is purged by the stock change) and leaves an e-mail.
  const shopper = await openPage(browser());
  const email = `waiting-${Date.now()}@example.com`;
  const deadline = Date.now() + QUEUE_TIMEOUT;
  for (;;) {
    await shopper.page.goto(`/products/${SKU}`);
    if ((await shopper.page.getByLabel("Tell me when it's back").count()) > 0) break;
    assert.ok(Date.now() < deadline, "the product page shows the sign-up once the SKU is sold out");
  }
  await shopper.page.locator("form.back-in-stock[data-hydrated]").waitFor();
  await audit(shopper.page, "sold-out product with the back-in-stock form");
  await shopper.page.getByLabel("Tell me when it's back").fill(email);
  await shopper.page.getByRole("button", { name: "Notify me" }).click();
  await shopper.page.getByText(`we will e-mail ${email} once`).waitFor();

  // Staff see one shopper waiting in Inventory and restock through the page.
  await staff.page.goto("/admin/inventory");
  await staff.page.locator("[data-inventory-ready]").waitFor();
  await audit(staff.page);
  const row = staff.page.locator(`tr[data-sku="${SKU}"]`);
  await row.locator('[data-waiting="1"]').waitFor();
  await row.getByLabel(/^Change in stock on hand/).fill(String(start));
  await row.getByLabel(/^Reason for/).selectOption("restock");
  await row.getByRole("button", { name: /^Adjust/ }).click();
  await row.locator(`td[data-available="${start}"]`).waitFor();

  // The Mailbox lists the message (live, as NotificationSent arrives) and shows it as the shopper got it.
  await staff.page.getByRole("link", { name: "Mailbox" }).click();
  const mail = staff.page.locator('tr[data-template="back_in_stock_available"]').filter({ hasText: email });
  await mail.waitFor({ timeout: QUEUE_TIMEOUT });
  await mail.locator(".delivery-sent").waitFor({ timeout: QUEUE_TIMEOUT });
  await audit(staff.page, "mailbox");
  await mail.getByRole("link", { name: /is back in stock$/ }).click();
  const frame = staff.page.frameLocator("iframe.mail-html");
  await frame.getByRole("heading", { name: /is back$/ }).waitFor();
  await audit(staff.page, "one message in the mailbox");
  assert.match((await staff.page.locator("pre.mail-text").textContent()) ?? "", new RegExp(`/products/${SKU}`));
  await staff.page.getByText("sent after 1 attempt").waitFor();

  // The request was answered and closed: nobody waits for the SKU any more.
  const waiting = (await (await staff.page.request.get("/api/admin/back-in-stock")).json()) as {
    items: { sku: string }[];
  };
  assert.equal(waiting.items.filter((i) => i.sku === SKU).length, 0);
  assert.deepEqual(unexpected(staff.errors), []);
  assert.deepEqual(unexpected(shopper.errors), []);
});
