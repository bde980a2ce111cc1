// The staff console on a phone (390 px wide): every view fits the screen (tables become cards or scroll inside
// their own box, the header wraps instead of being cut off), and a staff member who opens an admin-only page is
// told so. Run with `npx vite build && node test/e2e/run.mjs console-phone`.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { audit, trackVisits } from "./axe.ts";
import { BASE_URL, browserForFile } from "./browser.ts";
import { signIn } from "./steps.ts";

const PHONE = { width: 390, height: 844 };
const SLUGS = [
  "overview",
  "orders",
  "inventory",
  "fraud",
  "products",
  "plans",
  "customers",
  "subscriptions",
  "events",
  "dead-letters",
  "notifications",
  "mailbox",
  "reconciliation",
  "staff",
];

const browser = browserForFile();

async function phonePage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser().newContext({ baseURL: BASE_URL, viewport: PHONE, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  trackVisits(page);
  const errors: string[] = [];
  page.on("pageerror", (err: Error) => errors.push(String(err)));
  page.setDefaultTimeout(15_000);
  return { page, errors };
}

/** What sticks out past the right edge of a 390 px screen, by tag and class, for the failure message. */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll<HTMLElement>("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      // Only the outermost offender: its children stick out because it does.
      .filter((el) => !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1))
      .slice(0, 5)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} (${Math.round(el.getBoundingClientRect().right)} px)`,
      );
    return { scrollWidth: document.documentElement.scrollWidth, wide };
  });

test("every console view fits a 390 px phone screen", async () => {
  const { page, errors } = await phonePage();
  await signIn(page, "admin@example.com", "/admin/overview");
  await page.locator("[data-console-ready]").waitFor();
  const failures: string[] = [];
  for (const slug of SLUGS) {
    await page.goto(`/admin/${slug}`);
    await page.locator(".console-page h1").first().waitFor();
    // Views fill in once their data arrives: wait until nothing is loading.
    await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0);
    // A table's row actions (the inventory's history, an order's detail) must stay reachable too: open the first.
    const { scrollWidth, wide } = await overflow(page);
    if (scrollWidth > PHONE.width) failures.push(`/admin/${slug}: ${scrollWidth} px wide; ${wide.join(", ")}`);
    await audit(page, `${slug} at 390 px`);
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test("the console header stays whole on a phone: every navigation link can be reached", async () => {
  const { page } = await phonePage();
  await signIn(page, "admin@example.com", "/admin/inventory");
  await page.locator("[data-console-ready]").waitFor();
  const nav = page.getByRole("navigation", { name: "Console" });
  for (const link of await nav.getByRole("link").all()) {
    const box = await link.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `${await link.textContent()} is on screen`);
  }
  await audit(page, "inventory at 390 px");
  await page.context().close();
});

test("a staff member who opens an admin-only page is told it is for admins", async () => {
  const { page, errors } = await phonePage();
  await signIn(page, "staff@example.com", "/admin/products");
  const heading = page.getByRole("heading", { name: "Products is for admins", level: 1 });
  await heading.waitFor();
  await page.getByText("Only admins can open Products").waitFor();
  assert.equal(await page.title(), "Products is for admins · Console · Bracelet Shop");
  await audit(page, "admin-only page as staff");
  await page.getByRole("link", { name: "Go to Overview" }).click();
  await page.waitForURL((url) => url.pathname === "/admin/overview");
  await page.locator(".console-page h1").first().waitFor();
  await audit(page, "overview after the refusal");
  assert.deepEqual(errors, []);
  await page.context().close();
});
