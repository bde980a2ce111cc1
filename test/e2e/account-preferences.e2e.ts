// The account's message choices in a real browser: a new customer turns back-in-stock e-mail off, saves, and
// finds the choice kept after a reload (and in the API); then turns it back on.
// Run with `npx vite build && node test/e2e/run.mjs account-preferences`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { audit } from "./axe.ts";
import { BASE_URL, browserForFile, openPage } from "./browser.ts";
import { uniqueEmail } from "./steps.ts";

const browser = browserForFile();

test("a customer turns back-in-stock e-mail off in the account and the choice is saved", async () => {
  const { page, errors } = await openPage(browser());
  const email = uniqueEmail("prefs");
  const signup = await page.request.post("/api/auth/signup", {
    data: { name: "Pat Prefs", email, password: "correct horse battery" },
    headers: { origin: BASE_URL },
  });
  assert.equal(signup.status(), 201);

  await page.goto("/account#preferences");
  await page.locator("[data-account-ready]").waitFor();
  const form = page.getByRole("form", { name: "Message choices" });
  const backInStock = form.getByRole("checkbox", { name: "Back in stock by e-mail" });
  await backInStock.waitFor();
  assert.equal(await backInStock.isChecked(), true, "every kind is on until the customer says otherwise");
  assert.equal(await form.getByRole("checkbox", { name: "Order updates by e-mail" }).isChecked(), true);
  await audit(page, "account message choices");

  await backInStock.uncheck();
  await form.getByRole("button", { name: "Save choices" }).click();
  await form.getByRole("status").filter({ hasText: "Your choices are saved." }).waitFor();

  const saved = await page.request.get("/api/account/preferences");
  assert.deepEqual((await saved.json()).email, { order: true, marketing: false, billing: true });

  await page.reload();
  await page.locator("[data-account-ready]").waitFor();
  const again = page
    .getByRole("form", { name: "Message choices" })
    .getByRole("checkbox", { name: "Back in stock by e-mail" });
  await again.waitFor();
  assert.equal(await again.isChecked(), false, "the choice survives a reload");
  assert.equal(
    await page
      .getByRole("form", { name: "Message choices" })
      .getByRole("checkbox", { name: "Billing by e-mail" })
      .isChecked(),
    true,
  );
  await audit(page, "account message choices after saving");

  await again.check();
  await page.getByRole("form", { name: "Message choices" }).getByRole("button", { name: "Save choices" }).click();
  await page.getByRole("form", { name: "Message choices" }).getByRole("status").filter({ hasText: "saved" }).waitFor();
  assert.equal((await (await page.request.get("/api/account/preferences")).json()).email.marketing, true);

  assert.deepEqual(
    errors.filter((e) => !/Failed to load resource/.test(e)),
    [],
  );
  await page.context().close();
});
