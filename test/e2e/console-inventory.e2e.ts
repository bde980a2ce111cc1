// The console's Inventory page in a real browser: staff restock a SKU, are refused taking it below what open
// orders hold, read its history, and watch a shopper's reservation arrive without a reload. Run with
// `npx vite build && npx node test/e2e/run.mjs console-inventory`.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";

const SKU = "BR-010";
/** Reaching the page through the queue and the staff feed takes a moment; never longer than this. */
const LIVE_TIMEOUT = 20_000;

const browser = browserForFile();

/**
 * Responses the page is meant to get (401 from /api/me before signing in, the 400 and 409 this test provokes),
 * which the browser logs as errors anyway.
 */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of (400|401|409)/.test(e));

type Level = { sku: string; onHand: number; reserved: number; available: number };

async function level(page: Page): Promise<Level> {
  const res = await page.request.get(`/api/products/${SKU}/stock`);
  assert.equal(res.status(), 200);
  return (await res.json()) as Level;
}

const availableIs = (row: Locator, n: number) => row.locator(`td[data-available="${n}"]`).waitFor();

async function adjust(row: Locator, delta: string, reason: string): Promise<void> {
  await row.getByLabel(/^Change in stock on hand/).fill(delta);
  await row.getByLabel(/^Reason for/).selectOption(reason);
  await row.getByRole("button", { name: /^Adjust/ }).click();
}

test("staff adjust stock, are told why a removal is refused, and see a shopper's reservation live", async () => {
  const { page, errors } = await openPage(browser());
  await page.goto(`/account/login?next=${encodeURIComponent("/admin/inventory")}`);
  await audit(page, "sign in");
  await page.getByLabel("Email").fill("staff@example.com");
  await page.getByLabel("Password").fill("shop-dev-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/admin\/inventory$/);
  await page.locator("[data-inventory-ready]").waitFor();
  await audit(page);
  await page.locator('.console[data-live="1"]').waitFor();
  assert.equal(await page.getByRole("link", { name: "Inventory" }).getAttribute("aria-current"), "page");

  const row = page.locator(`tr[data-sku="${SKU}"]`);
  const start = await level(page);
  await availableIs(row, start.available);
  assert.equal(await page.locator("tr[data-sku]").count(), 16);

  // A restock of 5 shows on the row from the answer, and the shop agrees.
  await adjust(row, "5", "restock");
  await availableIs(row, start.available + 5);
  await row.getByText(`Restock +5: ${start.available + 5} available now.`).waitFor();
  assert.equal((await level(page)).available, start.available + 5);

  // A fractional change is the server's 400: the field is marked and the reason announced.
  await adjust(row, "1.5", "correction");
  await row.getByText("The change must be a whole number").waitFor();
  assert.equal(await row.getByLabel(/^Change in stock on hand/).getAttribute("aria-invalid"), "true");

  // Taking away more than is on hand is refused (409 below_reserved) and changes nothing.
  await adjust(row, "-10000", "damage");
  await row.getByText(/^Cannot go below (the \d+ units? reserved for open orders|zero)/).waitFor();
  assert.equal(await row.locator("[aria-live]").count(), 1);
  assert.equal(await row.getByLabel(/^Change in stock on hand/).getAttribute("aria-invalid"), "true");
  await availableIs(row, start.available + 5);
  assert.deepEqual(await level(page), { ...start, onHand: start.onHand + 5, available: start.available + 5 });

  // The history lists the restock (and not the refused attempts), newest first.
  await row.getByRole("button", { name: /^History/ }).click();
  assert.equal(await row.getByRole("button", { name: /^History/ }).getAttribute("aria-expanded"), "true");
  const history = page.locator(`[data-history-for="${SKU}"]`);
  const restock = history.locator('tr[data-reason="restock"]').first();
  await restock.waitFor();
  assert.match(
    (await restock.textContent()) ?? "",
    new RegExp(`Restock\\+5.*${start.available} → ${start.available + 5}`),
  );
  assert.equal(await history.locator("tr[data-reason=damage], tr[data-reason=correction]").count(), 0);
  // "By" names the staff member, not their account id.
  assert.equal((await restock.locator("td").nth(3).textContent())?.trim(), "Sam Staff");
  assert.doesNotMatch((await history.textContent()) ?? "", /cus_/);

  // The same panel splits the SKU across shard objects for a sale and puts it back in one.
  const shards = history.getByRole("form", { name: `Shards of ${SKU}` });
  await shards.getByLabel(/^Shard objects/).fill("4");
  await shards.getByRole("button", { name: "Set shards" }).click();
  await shards.getByText(`${SKU} is split across 4 shards.`).waitFor();
  await audit(page, "inventory with shards");
  await shards.getByLabel(/^Shard objects/).fill("1");
  await shards.getByRole("button", { name: "Set shards" }).click();
  await shards.getByText(`${SKU} is sold from one object.`).waitFor();

  // A shopper in another browser context reserves 2; the console's row follows without a reload.
  const shopper = await openPage(browser());
  await shopper.page.goto("/");
  await audit(shopper.page, "catalog");
  const placed = await shopper.page.evaluate(async (sku) => {
    const res = await fetch("/api/orders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        items: [{ sku, qty: 2 }],
        email: "s@example.com",
        shippingAddress: { name: "S", line1: "1 St", city: "X", postalCode: "1", country: "FR" },
      }),
    });
    return { status: res.status, body: await res.text() };
  }, SKU);
  assert.equal(placed.status, 201, placed.body);
  await row.locator(`td[data-available="${start.available + 3}"]`).waitFor({ timeout: LIVE_TIMEOUT });
  await row.locator(`td[data-reserved="${start.reserved + 2}"]`).waitFor();
  // The open history gains the reservation as it happens.
  await history.locator('tr[data-reason="reserve"]').first().waitFor({ timeout: LIVE_TIMEOUT });

  assert.deepEqual(unexpected(errors), []);
  assert.deepEqual(unexpected(shopper.errors), []);
});

test("a LowStock alert highlights its row, and the low-stock filter keeps only low rows across a reload", async () => {
  const { page, errors } = await openPage(browser());
  const login = await page.request.post("/api/auth/login", {
    data: { email: "staff@example.com", password: "shop-dev-password" },
  });
  assert.equal(login.status(), 200, await login.text());
  await page.goto("/admin/inventory");
  await page.locator("[data-inventory-ready]").waitFor();
  await audit(page);
  await page.locator('.console[data-live="1"]').waitFor();

  // BR-012 (8 in stock, low at 3) taken down to its threshold through the page: LowStock reaches the console.
  const row = page.locator('tr[data-sku="BR-012"]');
  const before = Number(await row.locator("td[data-available]").getAttribute("data-available"));
  const threshold = Number(await row.locator("td").nth(4).textContent());
  assert.ok(before > threshold, `BR-012 starts above its threshold (${before} > ${threshold})`);
  await adjust(row, String(threshold - before), "correction");
  await page.locator('tr[data-sku="BR-012"][data-low="1"]').waitFor();
  await row.getByText("Low", { exact: true }).waitFor();
  await page.locator('tr[data-sku="BR-012"][data-alert="low"]').waitFor({ timeout: LIVE_TIMEOUT });
  await page.locator(".console-alerts").getByText("Low stock: BR-012").waitFor();

  await page.getByLabel("Low stock only").check();
  await page.waitForURL(/\/admin\/inventory\?low=1$/);
  await page
    .getByRole("status")
    .filter({ hasText: /low on stock/ })
    .waitFor();
  await page.locator('tr[data-sku="BR-012"]').waitFor();
  const low = await page.locator("tr[data-sku]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-low")));
  assert.deepEqual(new Set(low), new Set(["1"]));

  await page.reload();
  await page.locator("[data-inventory-ready]").waitFor();
  await audit(page);
  assert.equal(await page.getByLabel("Low stock only").isChecked(), true);
  await page.locator('tr[data-sku="BR-012"]').waitFor();
  assert.deepEqual(unexpected(errors), []);
});
