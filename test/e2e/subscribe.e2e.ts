// Monthly boxes in a real browser: the storefront's /subscribe lists the plans; a new shopper follows a plan
// through sign-up to the subscribe form, gives a shipping address (checkout's country picker) and a card, sees
// where the box ships, skips next month and undoes it, and changes the card from the e-mail's card link.
// Run with `npx vite build && node test/e2e/run.mjs subscribe`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { audit } from "./axe.ts";
import { BASE_URL, browserForFile, openPage } from "./browser.ts";
import { cartToCheckout, placeOrder, uniqueEmail } from "./steps.ts";

const browser = browserForFile();

test("a new shopper subscribes from the storefront with a shipping address, then skips a month and changes the card", async () => {
  const { page, errors } = await openPage(browser());

  await page.goto("/");
  await audit(page, "catalog with the monthly boxes link");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Monthly boxes" }).click();
  await page.waitForURL((url) => url.pathname === "/subscribe");
  await page.getByRole("heading", { name: "Monthly boxes", level: 1 }).waitFor();
  await audit(page, "storefront monthly boxes");
  const plan = page.locator(".storefront-plans > li").first();
  const planName = (await plan.getByRole("heading").textContent())?.trim() ?? "";
  assert.ok(planName, "a plan is on offer");

  // New here: sign up first, then land on that plan's subscribe form.
  await plan.getByRole("link", { name: "Create an account" }).click();
  await page.waitForURL((url) => url.pathname === "/account/signup");
  await page.getByRole("heading", { name: "Create an account" }).waitFor();
  await audit(page, "sign up on the way to a box");
  await page.getByLabel("Name").fill("Box Fan");
  await page.getByLabel("Email").fill(uniqueEmail("boxfan"));
  await page.getByLabel("Password", { exact: true }).fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL((url) => url.pathname === "/account/subscriptions" && url.searchParams.has("plan"));
  const form = page.getByRole("form", { name: `Subscribe to ${planName}` });
  await form.waitFor();
  await audit(page, "subscribe form");

  // The address is required: the server says so on the field.
  await form.getByLabel("Card number").fill("4242 4242 4242 4242");
  await form.getByRole("button", { name: "Subscribe and pay" }).click();
  await form.locator('[aria-invalid="true"]').first().waitFor();

  await form.getByLabel("Full name").fill("Box Fan");
  await form.getByLabel("Address line 1").fill("12 Canal Street");
  await form.getByLabel("City").fill("Amsterdam");
  await form.getByLabel("Postal code").fill("1012 AB");
  await form.getByLabel("Country").selectOption("NL");
  await form.getByRole("button", { name: "Subscribe and pay" }).click();
  await page
    .getByRole("status")
    .filter({ hasText: `Subscribed to ${planName}` })
    .waitFor();
  const box = page.locator(".subscription-list > li").first();
  await box.getByText("Ships to: Box Fan, 12 Canal Street, 1012 AB Amsterdam, NL").waitFor();
  await box.getByText(/Card: .*4242/).waitFor();
  await audit(page, "subscribed box");

  // Skip next month, then undo it.
  await box.getByRole("button", { name: "Skip next month" }).click();
  await page.getByRole("status").filter({ hasText: "is skipped" }).waitFor();
  await box.getByText(/You skipped the month from/).waitFor();
  await audit(page, "skipped month");
  await box.getByRole("button", { name: "Undo the skip" }).click();
  await page.getByRole("status").filter({ hasText: "The skip is undone" }).waitFor();
  await box.getByRole("button", { name: "Skip next month" }).waitFor();

  // The declined-renewal e-mail links to the box's card form.
  const id = await box.getAttribute("data-subscription-id");
  await page.goto(`/account/subscriptions/${id}/card`);
  const cardForm = page.getByRole("form", { name: `New card for ${planName}` });
  await cardForm.waitFor();
  await audit(page, "card form");
  await cardForm.getByLabel("New card number").fill("4000 0000 0000 0002");
  await cardForm.getByRole("button", { name: "Use this card" }).click();
  await cardForm.getByText("That card was declined. The card on file is unchanged.").waitFor();
  await cardForm.getByLabel("New card number").fill("5555 5555 5555 4444");
  await cardForm.getByRole("button", { name: "Use this card" }).click();
  await page.getByRole("status").filter({ hasText: "from now on" }).waitFor();
  await page
    .locator(".subscription-list > li")
    .first()
    .getByText(/Card: .*4444/)
    .waitFor();

  assert.deepEqual(
    errors.filter((e) => !/Failed to load resource/.test(e)),
    [],
  );
});

test("a signed-in customer's checkout offers to save the address to the account, and does", async () => {
  const { page } = await openPage(browser());
  const email = uniqueEmail("saver");
  const signup = await page.request.post("/api/auth/signup", {
    data: { email, password: "correct horse battery", name: "Sam Saver" },
    headers: { origin: BASE_URL },
  });
  assert.ok(signup.ok(), `signup answered ${signup.status()}`);
  await cartToCheckout(page, "BR-002");
  const save = page.getByRole("form", { name: "Checkout" }).getByLabel("Save this address to my account");
  await save.waitFor();
  assert.equal(await save.isChecked(), true, "ticked while the account has no saved address");
  await placeOrder(page, email, "4242 4242 4242 4242");
  const profile = await (await page.request.get("/api/account/profile")).json();
  assert.equal(profile.profile.shippingAddress?.city, "San Francisco");
  assert.equal(profile.profile.shippingAddress?.country, "US");
});
