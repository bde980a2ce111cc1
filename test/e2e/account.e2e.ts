// The customer account in a real browser: sign up (with a field error first), land on /account, save a
// shipping address that survives a reload, sign out, fail and then succeed to sign back in.
// Run with `npx vite build && node test/e2e/run.mjs account`.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page, Response } from "playwright-core";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";

const browser = browserForFile();

/** Every answer of 400 or more, as "STATUS METHOD PATH", so a test can say exactly which it expected. */
function failedResponses(page: Page): string[] {
  const seen: string[] = [];
  page.on("response", (res: Response) => {
    if (res.status() >= 400) seen.push(`${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}`);
  });
  return seen;
}

/** The browser logs every 4xx fetch as a console error; those are checked through failedResponses instead. */
const unexpected = (errors: string[]) => errors.filter((e) => !/Failed to load resource/.test(e));

const accountReady = (page: Page) => page.locator("[data-account-ready]").waitFor();

test("a shopper signs up, keeps a shipping address across reloads, signs out and back in", async () => {
  const { page, errors } = await openPage(browser());
  const failures = failedResponses(page);
  const email = `shopper-${Date.now()}@example.com`;
  const password = "correct horse battery";

  // Signed out, /account sends the shopper to sign in and remembers where they were going.
  await page.goto("/account");
  await page.waitForURL((url) => url.pathname === "/account/login" && url.searchParams.get("next") === "/account");
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await audit(page, "sign in");
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.waitForURL(/\/account\/signup\?next=%2Faccount$/);
  const title = page.getByRole("heading", { name: "Create an account" });
  await title.waitFor();
  assert.equal(await title.evaluate((h) => h === document.activeElement), true, "focus moves to the new heading");

  // The server's password policy comes back on the password field, which gets focus.
  await page.getByLabel("Name").fill("Pat Shopper");
  await page.getByLabel("Email").fill(email);
  const passwordBox = page.getByLabel("Password", { exact: true });
  assert.match((await passwordBox.getAttribute("aria-describedby")) ?? "", /signup-password-hint/);
  await passwordBox.fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.locator('#signup-password[aria-invalid="true"]').waitFor();
  assert.match((await page.locator("#signup-password-error").textContent()) ?? "", /at least 10 characters/);
  assert.match((await passwordBox.getAttribute("aria-describedby")) ?? "", /signup-password-error/);
  assert.equal(await passwordBox.evaluate((el) => el === document.activeElement), true);
  await audit(page, "sign-up with a password error");

  await passwordBox.fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL((url) => url.pathname === "/account");
  await accountReady(page);
  await page.getByText(`Signed in as Pat Shopper (${email}).`).waitFor();
  await page.getByText("No orders yet.").waitFor();
  await audit(page, "new account");
  const plans = await page.request.get("/api/plans");
  if (plans.status() === 404) await page.getByText("Monthly boxes are coming soon.").waitFor();
  else {
    for (const plan of ((await plans.json()) as { plans: { name: string }[] }).plans) {
      await page.locator(".plan-list").getByText(plan.name).waitFor();
    }
  }

  // The country is chosen from checkout's picker (only ISO 3166-1 codes are offered).
  const address = page.getByRole("form", { name: "Shipping address" });
  await address.getByLabel("Full name").fill("Pat Shopper");
  await address.getByLabel("Address line 1").fill("Hauptstraße 5");
  await address.getByLabel("City").fill("Berlin");
  await address.getByLabel("Postal code").fill("10115");
  await address.getByLabel("Country").selectOption("DE");
  await address.getByLabel("Phone").fill("+49 30 1234567");
  await address.getByRole("button", { name: "Save address" }).click();
  await address.getByRole("status").filter({ hasText: "Address saved." }).waitFor();
  assert.equal(await address.getByLabel("Country").inputValue(), "DE");

  await page.reload();
  await accountReady(page);
  const reloaded = page.getByRole("form", { name: "Shipping address" });
  assert.equal(await reloaded.getByLabel("Full name").inputValue(), "Pat Shopper");
  assert.equal(await reloaded.getByLabel("Address line 1").inputValue(), "Hauptstraße 5");
  assert.equal(await reloaded.getByLabel("Address line 2").inputValue(), "");
  assert.equal(await reloaded.getByLabel("City").inputValue(), "Berlin");
  assert.equal(await reloaded.getByLabel("Postal code").inputValue(), "10115");
  assert.equal(await reloaded.getByLabel("Country").inputValue(), "DE");
  assert.equal(await reloaded.getByLabel("Phone").inputValue(), "+49 30 1234567");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await page.locator('.account-menu[data-ready="true"]').getByRole("link", { name: "Sign in" }).waitFor();
  await audit(page, "catalog after signing out");

  // Back to /account: signed out again, so it asks to sign in; a wrong password gets the one generic message.
  await page.goto("/account");
  await page.waitForURL((url) => url.pathname === "/account/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not my password");
  await page.getByRole("button", { name: "Sign in" }).click();
  const alert = page.getByRole("alert").filter({ hasText: "The email or password is not right" });
  await alert.waitFor();
  assert.equal(await alert.evaluate((el) => el === document.activeElement), true, "focus moves to the error");

  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/account");
  await accountReady(page);
  await page.getByText(`Signed in as Pat Shopper (${email}).`).waitFor();
  assert.equal(await page.getByRole("form", { name: "Shipping address" }).getByLabel("City").inputValue(), "Berlin");

  assert.deepEqual(unexpected(errors), []);
  const expected = new Set([
    "404 GET /api/plans",
    "400 POST /api/auth/signup",
    "400 PATCH /api/account/profile",
    "401 POST /api/auth/login",
  ]);
  assert.deepEqual(
    failures.filter((f) => !expected.has(f)),
    [],
  );
  await page.context().close();
});
