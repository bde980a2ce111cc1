// The staff console in a real browser: an admin signs in through /account/login, changes a bracelet's price on
// the Products page and the storefront shows the new price; staff do not see the admin-only sections; an admin
// manages staff accounts. Run with `npx vite build && node test/e2e/run.mjs admin-products`.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Locator, Page, Response } from "playwright-core";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";

const PASSWORD = "shop-dev-password";
// BR-006 (Copper Braid, seeded at €39.00) is used by no other browser test, which share this server.
const SKU = "BR-006";

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

const only = (failures: string[], expected: string[]) =>
  assert.deepEqual(
    failures.filter((f) => !expected.includes(f)),
    [],
  );

async function signIn(page: Page, email: string, next: string): Promise<void> {
  await page.goto(`/account/login?next=${encodeURIComponent(next)}`);
  await audit(page, "sign in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === next);
  await page.locator("[data-console-ready]").waitFor();
  await audit(page);
}

const navLabels = (page: Page) => page.getByRole("navigation", { name: "Console" }).getByRole("link").allTextContents();

/** Reloads `page` until `locator` has `text`, for at most `ms`: the edit purges the cache, this proves it. */
async function reloadUntil(page: Page, locator: Locator, text: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last = "first load";
  for (;;) {
    if ((await locator.textContent())?.includes(text)) return;
    if (Date.now() > deadline) {
      // What the server said last (cache hit or miss, which entity), so a failure says why.
      assert.fail(`still "${await locator.textContent()}" after ${ms} ms, expected "${text}"; last answer: ${last}`);
    }
    const res = await page.reload({ waitUntil: "domcontentloaded" });
    last = res
      ? `${res.status()} x-cache=${res.headers()["x-cache"]} etag=${res.headers().etag} from-cache=${res.fromServiceWorker()}`
      : "no response";
  }
}

async function setPrice(page: Page, price: string, shown: string): Promise<void> {
  const row = page.locator(`tr[data-sku="${SKU}"]`);
  await row.getByRole("button", { name: /^Edit / }).click();
  const form = page.getByRole("form", { name: `Edit ${SKU}` });
  await form.getByLabel("Price").fill(price);
  await form.getByRole("button", { name: "Save" }).click();
  await row.locator('[data-col="price"]').filter({ hasText: shown }).waitFor();
  await page
    .getByRole("status")
    .filter({ hasText: `Saved ${SKU}.` })
    .waitFor();
  assert.equal(await form.count(), 0, "the editor closes after saving");
}

test("an admin changes a bracelet's price in the console and the storefront shows it", async () => {
  const { page, errors } = await openPage(browser());
  const failures = failedResponses(page);
  await signIn(page, "admin@example.com", "/admin/products");
  await page.locator("[data-products-ready]").waitFor();
  await audit(page);
  const labels = await navLabels(page);
  for (const label of ["Products", "Customers", "Staff"]) assert.ok(labels.includes(label), label);
  assert.ok(labels.indexOf("Products") < labels.indexOf("Customers"));
  assert.ok(labels.indexOf("Customers") < labels.indexOf("Events"));
  assert.equal(labels.at(-1), "Staff");

  // Inactive products are listed too; every seeded SKU has a row.
  assert.equal((await page.locator("tr[data-sku]").count()) >= 16, true);
  const row = page.locator(`tr[data-sku="${SKU}"]`);
  assert.match((await row.locator('[data-col="price"]').textContent()) ?? "", /€39\.00/);

  // Problems are shown on their fields: the price is checked in the browser, the name by the server.
  await row.getByRole("button", { name: /^Edit / }).click();
  const form = page.getByRole("form", { name: `Edit ${SKU}` });
  await form.getByLabel("Price").fill("forty");
  await form.getByRole("button", { name: "Save" }).click();
  await form.locator('input[aria-invalid="true"]').first().waitFor();
  assert.equal(await form.getByLabel("Price").getAttribute("aria-invalid"), "true");
  await form.getByLabel("Price").fill("47.50");
  await form.getByLabel("Name").fill("   ");
  await form.getByRole("button", { name: "Save" }).click();
  await form.locator(`#edit-${SKU}-name[aria-invalid="true"]`).waitFor();
  assert.equal(await form.getByLabel("Price").getAttribute("aria-invalid"), null);
  await form.getByLabel("Name").fill("Copper Braid");
  await form.getByRole("button", { name: "Cancel" }).click();

  await setPrice(page, "47.50", "€47.50");

  const shopper = await openPage(browser());
  try {
    const shopperFailures = failedResponses(shopper.page);
    await shopper.page.goto(`/products/${SKU}`);
    await reloadUntil(shopper.page, shopper.page.locator(".product-detail-price"), "€47.50");
    await audit(shopper.page, "product page");
    await shopper.page.goto("/?q=Copper+Braid");
    await reloadUntil(shopper.page, shopper.page.locator(`.product-card[data-sku="${SKU}"] .price`), "€47.50");
    await audit(shopper.page, "catalog search");
    assert.deepEqual(unexpected(shopper.errors), []);
    only(shopperFailures, []);
  } finally {
    // Leave the shared server as seeded for the other browser tests.
    await setPrice(page, "39.00", "€39.00");
    await shopper.page.context().close();
  }
  assert.deepEqual(unexpected(errors), []);
  only(failures, [`400 PATCH /api/admin/products/${SKU}`]);
  await page.context().close();
});

test("staff use the console without the admin-only Products and Staff sections", async () => {
  const { page, errors } = await openPage(browser());
  const failures = failedResponses(page);
  await signIn(page, "staff@example.com", "/admin/customers");
  const labels = await navLabels(page);
  assert.ok(labels.includes("Customers"), labels.join(", "));
  assert.ok(!labels.includes("Products"), labels.join(", "));
  assert.ok(!labels.includes("Staff"), labels.join(", "));

  // Customers: search, open one, see the profile.
  await page.locator("[data-customers-ready]").waitFor();
  await audit(page);
  await page.getByLabel("Search customers").fill("cleo");
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForURL(/\/admin\/customers\?q=cleo$/);
  await page.getByRole("status").filter({ hasText: "Customers matching “cleo”" }).waitFor();
  await page.getByRole("link", { name: "Cleo Customer" }).click();
  await page.locator("[data-customer-ready]").waitFor();
  await audit(page);
  await page.getByRole("heading", { name: "Cleo Customer", level: 1 }).waitFor();
  await page.getByText("customer@example.com").waitFor();
  assert.match((await page.getByTestId("order-count").textContent()) ?? "", /^\d+$/);
  await page.getByRole("link", { name: "← Customers" }).click();
  await page.waitForURL(/\/admin\/customers\?q=cleo$/);
  await page.getByRole("link", { name: "Cleo Customer" }).waitFor();

  // A console tab changes what a screen reader notices: the title names the view and focus moves to its heading.
  assert.equal(await page.title(), "Customers · Console · Bracelet Shop");
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Inventory" }).click();
  await page.waitForURL(/\/admin\/inventory$/);
  await page.waitForFunction(() => /^H[12]$/.test(document.activeElement?.tagName ?? ""));
  assert.equal(await page.title(), "Inventory · Console · Bracelet Shop");
  await audit(page, "inventory");

  assert.deepEqual(unexpected(errors), []);
  only(failures, []);
  await page.context().close();
});

test("an admin adds a staff account, promotes it, and cannot deactivate themselves", async () => {
  const { page, errors } = await openPage(browser());
  const failures = failedResponses(page);
  await signIn(page, "admin@example.com", "/admin/staff");
  await page.locator("[data-staff-ready]").waitFor();
  await audit(page);

  const self = page.locator('tr[data-email="admin@example.com"]');
  const selfId = await self.getAttribute("data-account-id");
  await self.getByRole("button", { name: "Deactivate" }).click();
  await self.getByRole("status").filter({ hasText: "You cannot deactivate your own account" }).waitFor();
  assert.equal(await self.getByText("Active", { exact: true }).count(), 1);

  const email = `helper-${Date.now()}@example.com`;
  const invite = page.getByRole("form", { name: "Add a staff account" });
  await invite.getByLabel("Email").fill(email);
  await invite.getByLabel("Name").fill("Hal Helper");
  await invite.getByLabel("Initial password").fill("a-long-initial-password");
  await invite.getByRole("button", { name: "Add account" }).click();
  await invite
    .getByRole("status")
    .filter({ hasText: `Added ${email}.` })
    .waitFor();

  const added = page.locator(`tr[data-email="${email}"]`);
  await added.getByLabel("Role of Hal Helper").selectOption("admin");
  await added.getByRole("button", { name: "Save role" }).click();
  await added.getByRole("status").filter({ hasText: "Hal Helper is now admin." }).waitFor();
  await added.getByRole("button", { name: "Deactivate" }).click();
  await added.getByRole("button", { name: "Activate" }).waitFor();

  // The same email again is refused on the email field.
  await invite.getByLabel("Email").fill(email);
  await invite.getByLabel("Name").fill("Hal Again");
  await invite.getByLabel("Initial password").fill("a-long-initial-password");
  await invite.getByRole("button", { name: "Add account" }).click();
  await page.locator('#invite-email[aria-invalid="true"]').waitFor();

  assert.deepEqual(unexpected(errors), []);
  only(failures, [`409 PATCH /api/admin/staff/${selfId}`, "409 POST /api/admin/staff"]);
  await page.context().close();
});
