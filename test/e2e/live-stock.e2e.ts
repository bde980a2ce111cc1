// Live stock in a real browser: two shoppers watch a product page while staff change its stock; both labels
// follow without a reload. Run with `npx vite build && npx node test/e2e/run.mjs live-stock`.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { APIRequestContext } from "playwright-core";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";

const SKU = "BR-014";

const browser = browserForFile();

/** Anonymous visitors get 401 from GET /api/me (the account menu asks); the browser logs that as an error. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 401/.test(e));

type Level = { sku: string; onHand: number; reserved: number; available: number };

async function level(request: APIRequestContext): Promise<Level> {
  const res = await request.get(`/api/products/${SKU}/stock`);
  assert.equal(res.status(), 200);
  return (await res.json()) as Level;
}

/** Sets available to `target` through a staff adjustment and returns the level the API answered. */
async function setAvailable(request: APIRequestContext, target: number): Promise<Level> {
  const current = await level(request);
  const res = await request.post(`/api/admin/inventory/${SKU}/adjustments`, {
    data: { delta: target - current.available, reason: "correction" },
  });
  assert.equal(res.status(), 200, await res.text());
  return (await res.json()) as Level;
}

test("shoppers on a product page see its stock change live as staff adjust it", async () => {
  const staff = await openPage(browser());
  const login = await staff.page.request.post("/api/auth/login", {
    data: { email: "staff@example.com", password: "shop-dev-password" },
  });
  assert.equal(login.status(), 200, await login.text());
  const original = await level(staff.page.request);

  const shoppers = [await openPage(browser()), await openPage(browser())];
  try {
    for (const { page } of shoppers) {
      await page.goto(`/products/${SKU}`);
      await page.locator(`.stock[data-sku="${SKU}"][data-live="1"]`).waitFor();
      await audit(page, "product page with live stock");
    }

    assert.equal((await setAvailable(staff.page.request, 7)).available, 7);
    for (const { page } of shoppers)
      await page
        .locator(".stock")
        .filter({ hasText: /^7 left$/ })
        .waitFor();

    assert.equal((await setAvailable(staff.page.request, 0)).available, 0);
    for (const { page } of shoppers) {
      await page
        .locator(".stock.sold-out")
        .filter({ hasText: /^Sold out$/ })
        .waitFor();
    }
    for (const { errors } of shoppers) assert.deepEqual(unexpected(errors), []);
  } finally {
    await setAvailable(staff.page.request, original.available);
  }
  assert.deepEqual(await level(staff.page.request), original);
});
