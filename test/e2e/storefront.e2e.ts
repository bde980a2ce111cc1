// The storefront in a real browser: browse, filter, open a product, add it to the cart, and find the cart
// still there after a reload. Run with `npx vite build && npx node test/e2e/run.mjs storefront` (the runner
// seeds BR-001..BR-016 from scripts/seed-data.mjs).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";

const browser = browserForFile();

const cardNames = (page: Page) => page.locator(".product-card-name").allTextContents();
const cartCount = (page: Page) => page.getByTestId("cart-count");
const focusedLabel = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? null);

/** Signed-out pages log nothing: without the session hint cookie the account menu does not ask GET /api/me. */
const unexpected = (errors: string[]) => errors;

test("a shopper filters the catalog, adds a bracelet to the cart and still has it after a reload", async () => {
  const { page, errors } = await openPage(browser());

  await page.goto("/");
  await audit(page, "catalog");
  assert.equal(await page.locator("h1").textContent(), "Bracelets");
  assert.equal((await cardNames(page)).length, 12);
  await page.getByRole("link", { name: "Next →" }).waitFor();

  // The filter form is a plain GET form: it works before (and without) any JavaScript.
  await page.getByLabel("Material").selectOption("stone");
  await page.getByRole("button", { name: "Show bracelets" }).click();
  await page.waitForURL(/material=stone/);
  assert.deepEqual(await cardNames(page), [
    "Forest Jade",
    "Lapis Night Sky",
    "Midnight Onyx",
    "Rose Quartz Whisper",
    "Tiger Eye Strength",
  ]);

  await page.getByRole("link", { name: "Midnight Onyx" }).click();
  await page.waitForURL(/\/products\/BR-003$/);
  assert.equal(await page.locator("h1").textContent(), "Midnight Onyx");
  assert.match((await page.locator(".product-detail-price").textContent()) ?? "", /€45\.00/);

  // The cart lives in localStorage: wait until the island has hydrated before using it.
  await page.locator('form.add-to-cart[data-hydrated="true"]').waitFor();
  await audit(page, "product page");
  await page.getByLabel("Quantity").fill("2");
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.getByRole("status").filter({ hasText: "Added 2 × Midnight Onyx" }).waitFor();
  await cartCount(page).filter({ hasText: /^2$/ }).waitFor();

  await page.reload();
  await page.locator('form.add-to-cart[data-hydrated="true"]').waitFor();
  await cartCount(page).filter({ hasText: /^2$/ }).waitFor();

  await page.getByRole("link", { name: /^Cart/ }).click();
  await page.waitForURL(/\/cart$/);
  await page.locator('.cart[data-ready="true"]').waitFor();
  const line = page.locator('.cart-line[data-sku="BR-003"]');
  assert.equal(await line.getByRole("link", { name: "Midnight Onyx" }).count(), 1);
  assert.equal(await line.getByLabel("Quantity of Midnight Onyx").inputValue(), "2");
  assert.equal(await page.getByTestId("cart-subtotal").textContent(), "€90.00");
  await audit(page, "cart");

  await line.getByRole("button", { name: "One more Midnight Onyx" }).click();
  await page.getByTestId("cart-subtotal").filter({ hasText: "€135.00" }).waitFor();
  await cartCount(page).filter({ hasText: /^3$/ }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Checkout" }).getAttribute("href"), "/checkout");
  // The change is announced, and the keyboard focus stays on the control that made it.
  await page.getByTestId("cart-status").filter({ hasText: "Midnight Onyx: quantity 3. Subtotal €135.00." }).waitFor();
  assert.equal(await focusedLabel(page), "One more Midnight Onyx");

  await line.getByRole("button", { name: "Remove Midnight Onyx" }).click();
  await page.getByText("Your cart is empty.").waitFor();
  await cartCount(page).filter({ hasText: /^0$/ }).waitFor();
  await page.getByTestId("cart-status").filter({ hasText: "Removed Midnight Onyx from the cart." }).waitFor();
  // Focus moves to what replaced the line instead of falling to <body>.
  assert.equal(await page.evaluate(() => document.activeElement?.className), "cart-empty");
  await audit(page, "empty cart");

  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});

test("the add-to-cart control never offers more than the stock shown", async () => {
  const { page, errors } = await openPage(browser());
  // BR-016 is seeded with 2 in stock.
  await page.goto("/products/BR-016");
  await page.locator('form.add-to-cart[data-hydrated="true"]').waitFor();
  assert.equal(await page.getByLabel("Quantity").getAttribute("max"), "2");
  await page.getByLabel("Quantity").fill("2");
  await page.getByRole("button", { name: "Add to cart" }).click();
  await cartCount(page).filter({ hasText: /^2$/ }).waitFor();
  // Both are in the cart now: nothing is left to add, so the button turns off, and says why after a reload.
  assert.equal(await page.getByRole("button", { name: "Add to cart" }).isDisabled(), true);
  await page.reload();
  await page.locator('form.add-to-cart[data-hydrated="true"]').waitFor();
  await page.getByText("All we have is already in your cart.").waitFor();
  assert.equal(await page.getByRole("button", { name: "Add to cart" }).isDisabled(), true);
  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});

test("signed-in staff see My account and Console in the header of the shared, cached catalog page", async () => {
  const { page, errors } = await openPage(browser());
  await page.goto("/?colour=blue");
  await page.locator('.account-menu[data-ready="true"]').waitFor();
  assert.equal(await page.getByRole("link", { name: "Sign in" }).count(), 1);

  const login = await page.request.post("/api/auth/login", {
    data: { email: "staff@example.com", password: process.env.SEED_PASSWORD || "shop-dev-password" },
  });
  assert.equal(login.status(), 200);
  // The same cached document serves everyone (asked outside the browser's own HTTP cache, with the cookie).
  const shared = await page.request.get("/?colour=blue");
  assert.equal(shared.headers()["x-cache"], "HIT");
  assert.match(await shared.text(), /href="\/account\/login"/);
  await page.goto("/?colour=blue");
  await page.locator('.account-menu[data-ready="true"]').waitFor();
  await page.getByRole("link", { name: "My account" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Console" }).getAttribute("href"), "/admin");
  assert.equal(await page.getByRole("link", { name: "Sign in" }).count(), 0);
  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});

test("a keyboard-only shopper edits the cart and never loses the focus", async () => {
  const { page, errors } = await openPage(browser());
  await page.goto("/cart");
  await page.evaluate(() =>
    localStorage.setItem(
      "bracelet-shop:cart",
      JSON.stringify([
        { sku: "BR-001", qty: 2 },
        { sku: "BR-002", qty: 1 },
      ]),
    ),
  );
  await page.reload();
  await page.locator('.cart[data-ready="true"]').waitFor();
  const first = page.locator('.cart-line[data-sku="BR-001"]');
  const name = (await first.locator(".cart-line-info a").textContent()) ?? "";

  // "One fewer" down to 1: the button turns inert but keeps the focus (a disabled button would drop it).
  await first.getByRole("button", { name: `One fewer ${name}` }).focus();
  await page.keyboard.press("Enter");
  await page
    .getByTestId("cart-status")
    .filter({ hasText: `${name}: quantity 1.` })
    .waitFor();
  assert.equal(await focusedLabel(page), `One fewer ${name}`);
  assert.equal(await first.getByRole("button", { name: `One fewer ${name}` }).getAttribute("aria-disabled"), "true");
  await page.keyboard.press("Enter");
  assert.equal(await first.getByLabel(`Quantity of ${name}`).inputValue(), "1");

  // Tab on to the line's Remove button and press it: focus lands on the next line's Remove button.
  while ((await focusedLabel(page)) !== `Remove ${name}`) await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page
    .getByTestId("cart-status")
    .filter({ hasText: `Removed ${name} from the cart.` })
    .waitFor();
  await first.waitFor({ state: "detached" });
  assert.match((await focusedLabel(page)) ?? "", /^Remove /);
  assert.equal(await page.locator(".cart-line").count(), 1);
  await audit(page, "cart after a keyboard removal");
  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});

test("a repeat visit fetches no unchanged asset: built files are content-hashed and immutable, HTML revalidates", async () => {
  const { page, errors } = await openPage(browser());
  // What reached the network for /assets/*, seen through the browser's own protocol (routing a request in
  // Playwright would switch the HTTP cache off).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const fromCache = new Set<string>();
  const network: { url: string; cacheControl: string }[] = [];
  cdp.on("Network.requestServedFromCache", (e) => fromCache.add(e.requestId));
  cdp.on("Network.responseReceived", (e) => {
    if (!new URL(e.response.url).pathname.startsWith("/assets/")) return;
    if (e.response.fromDiskCache || fromCache.has(e.requestId)) return;
    const header = Object.entries(e.response.headers).find(([name]) => name.toLowerCase() === "cache-control");
    network.push({ url: e.response.url, cacheControl: String(header?.[1] ?? "") });
  });

  await page.goto("/");
  await page.locator('.account-menu[data-ready="true"]').waitFor();
  assert.ok(network.length > 0, "the first visit loads the bundle");
  for (const asset of network) {
    assert.match(asset.url, /\/assets\/[\w.]+-[\w-]{8,}\.(js|css)$/, "built files carry a content hash");
    assert.equal(asset.cacheControl, "public, max-age=31536000, immutable");
  }
  const html = await page.request.get("/");
  assert.match(html.headers()["cache-control"] ?? "", /max-age=30\b/, "HTML is cached briefly and revalidated");
  assert.equal((await page.request.get(`${new URL(network[0]?.url ?? "").pathname}.map`)).status(), 404);

  network.length = 0;
  await page.goto("/products/BR-002");
  await page.locator('form.add-to-cart[data-hydrated="true"]').waitFor();
  await page.goto("/");
  await page.locator('.account-menu[data-ready="true"]').waitFor();
  assert.deepEqual(
    network.map((a) => a.url),
    [],
    "nothing unchanged is fetched again",
  );
  assert.deepEqual(unexpected(errors), []);
  await page.context().close();
});
