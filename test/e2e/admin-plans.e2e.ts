// Plans in the console: an admin adds a subscription plan, reprices it and takes it off sale; the public plan
// list follows each step. Run with `npx vite build && node test/e2e/run.mjs admin-plans`.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";
import { signIn } from "./steps.ts";

const browser = browserForFile();

const publicPlan = async (page: Page, name: string) => {
  const res = await page.request.get("/api/plans");
  const body = (await res.json()) as { plans: { name: string; priceCents: number }[] };
  return body.plans.find((p) => p.name === name);
};

test("an admin adds a plan, reprices it and takes it off sale from the console", async () => {
  const { page, errors } = await openPage(browser());
  await signIn(page, "admin@example.com", "/admin/plans");
  await page.locator("[data-plans-ready]").waitFor();
  await audit(page);

  const name = `Browser box ${Date.now()}`;
  const form = page.getByRole("form", { name: "Add a plan" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Monthly price", { exact: true }).fill("12.50");
  await form.getByRole("button", { name: "Add plan" }).click();
  const row = page.locator("tr", { hasText: name });
  await row.waitFor();
  assert.equal((await publicPlan(page, name))?.priceCents, 1250);

  await row.getByLabel(`Monthly price of ${name}`).fill("14.00");
  await row.getByRole("button", { name: "Save price" }).click();
  await row.getByText(/now costs/).waitFor();
  assert.equal((await publicPlan(page, name))?.priceCents, 1400);

  await row.getByRole("button", { name: "Take off sale" }).click();
  // The badge, not the status line that also says the plan "is off sale".
  await row.getByText("Off sale", { exact: true }).waitFor();
  assert.equal(await publicPlan(page, name), undefined);
  assert.deepEqual(
    errors.filter((e) => !/Failed to load resource/.test(e)),
    [],
  );
});
