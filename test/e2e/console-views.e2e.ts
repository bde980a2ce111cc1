// Every view of the staff console, opened from its navigation as an admin would: each sets its title, moves focus
// to its heading, and passes the accessibility audit (WCAG 2.2 A/AA, no serious or critical finding).
// Run with `npx vite build && node test/e2e/run.mjs console-views`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";
import { signIn } from "./steps.ts";

const browser = browserForFile();

test("every console view names itself, takes the focus to its heading and passes the audit", async () => {
  const { page } = await openPage(browser());
  await signIn(page, "admin@example.com", "/admin");
  await page.locator("[data-console-ready]").waitFor();
  await audit(page, "overview");
  const nav = page.getByRole("navigation", { name: "Console" });
  const labels = await nav.getByRole("link").allTextContents();
  assert.ok(labels.length >= 10, labels.join(", "));
  for (const label of labels.slice(1)) {
    await nav.getByRole("link", { name: label, exact: true }).click();
    await page.waitForFunction((l) => document.title === `${l} · Console · Bracelet Shop`, label);
    await page.waitForFunction(() => /^H[12]$/.test(document.activeElement?.tagName ?? ""));
    // Wait for the view's data: nothing still marked busy inside it.
    await page.waitForFunction(() => !document.querySelector('.console-page [aria-busy="true"]'));
    await audit(page, label);
  }
  await page.context().close();
});
