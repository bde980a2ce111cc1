/** Steps several browser tests take, written once: signing in, buying through the storefront, and proving a
 * page was never reloaded. */
import type { Page } from "playwright-core";
import { audit } from "./axe.ts";

export const PASSWORD = process.env.SEED_PASSWORD || "shop-dev-password";

/** Live transitions (payment and fraud check through the queue) get a generous but bounded wait. */
export const LIVE_TIMEOUT = 20_000;

/** A fresh email per order: fraud velocity counts orders per email. */
export const uniqueEmail = (who: string) =>
  `${who}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;

/** Signs in through /account/login and waits to land on `next`. */
export async function signIn(page: Page, email: string, next: string): Promise<void> {
  await page.goto(`/account/login?next=${encodeURIComponent(next)}`);
  await audit(page, "sign-in form");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === next);
}

/** Marks the current document; the mark survives only as long as the page is not reloaded or replaced. */
export const markDocument = (page: Page) =>
  page.evaluate(() => {
    (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
  });

export const sameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

/** Adds `sku` from its product page, goes to the cart and follows its Checkout link. */
export async function cartToCheckout(page: Page, sku: string): Promise<void> {
  await page.goto(`/products/${sku}`);
  await page.locator('form.add-to-cart[data-hydrated="true"]').waitFor();
  await audit(page, "product page");
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.getByTestId("cart-count").filter({ hasText: /^1$/ }).waitFor();
  await page.getByRole("link", { name: /^Cart/ }).click();
  await page.waitForURL(/\/cart$/);
  await page.locator('.cart[data-ready="true"]').waitFor();
  await audit(page, "cart with one line");
  await page.getByRole("link", { name: "Checkout" }).click();
  await page.waitForURL(/\/checkout$/);
  await page.locator('.checkout[data-checkout-ready="1"]').waitFor();
  await audit(page, "checkout form");
}

/** Fills the checkout form and places the order; resolves on the order page with its id and token. */
export async function placeOrder(page: Page, email: string, card: string): Promise<{ orderId: string; token: string }> {
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
  await page.locator(".order-page[data-order-status]").waitFor();
  await audit(page, "order page after placing");
  const url = new URL(page.url());
  return { orderId: url.pathname.split("/")[2] ?? "", token: url.searchParams.get("token") ?? "" };
}
