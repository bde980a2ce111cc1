// /docs in a real browser: the API reference, rendered on the server from the generated OpenAPI document, passes
// the axe audit with nothing left out, loads nothing from other origins, breaks no content security policy, and its
// Try-it forms send real requests from the keyboard. Run with `npx vite build && node test/e2e/run.mjs api-docs`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { audit } from "./axe.ts";
import { browserForFile, openPage } from "./browser.ts";

const browser = browserForFile();

test("the API reference at /docs lists the operations by tag, passes axe, loads nothing from other origins and nothing is blocked by the CSP", async () => {
  const { page, errors } = await openPage(browser());
  const foreign: string[] = [];
  const failed: string[] = [];
  page.on("request", (req) => {
    const url = new URL(req.url());
    if (!["127.0.0.1", "localhost"].includes(url.hostname) && url.protocol !== "data:") foreign.push(req.url());
  });
  // The shell's account menu asks who is signed in: 401 for a visitor is its expected answer.
  const whoAmI = (url: string) => new URL(url).pathname === "/api/me";
  page.on("response", (r) => {
    if (r.status() >= 400 && !(r.status() === 401 && whoAmI(r.url()))) failed.push(`${r.status()} ${r.url()}`);
  });
  // Violations reach the page as events (and the console); both are collected.
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const res = await page.goto("/docs");
  assert.equal(res?.status(), 200);
  await page.getByRole("heading", { level: 1, name: "Bracelet Shop API" }).waitFor();
  // Each tag is a section; each operation is named by its method and path and says what it does and who may call.
  const admin = page.getByRole("region", { name: "admin", exact: true });
  const adjust = admin.getByRole("region", { name: "POST /api/admin/inventory/{sku}/adjustments" });
  await adjust.getByText("Restock, damage, correction or return").waitFor();
  await adjust.getByText("Staff or admin; 401 anonymous, 403 customers.").waitFor();
  const nav = page.getByRole("navigation", { name: "Operations" });
  assert.ok((await nav.getByRole("link").count()) > 60, "the table of contents links every operation");
  // The script enhanced every Try-it form (a form it did not reach stays hidden, as without JavaScript).
  await page.waitForFunction(() => document.querySelector("form.api-try[hidden]") === null);
  await audit(page, "API reference");
  assert.deepEqual(failed, []);
  assert.deepEqual(
    errors.filter((e) => !/status of 401/.test(e)),
    [],
  );
  assert.deepEqual(foreign, []);
});

test("Try it sends a request from the keyboard and shows its status and JSON answer", async () => {
  const { page } = await openPage(browser());
  await page.goto("/docs");
  await page.waitForFunction(() => document.querySelector("form.api-try[hidden]") === null);
  const op = page.getByRole("region", { name: "GET /api/products/{sku}", exact: true });
  const form = op.getByRole("form", { name: "Try it" });
  await form.getByLabel("sku").focus();
  await page.keyboard.type("BR-001");
  await page.keyboard.press("Enter");
  const status = form.getByRole("status");
  await status.filter({ hasText: "GET /api/products/BR-001: 200" }).waitFor();
  assert.match((await form.locator(".api-try-result").textContent()) ?? "", /"sku": "BR-001"/);

  // A failure shows the error envelope, and a body that is not JSON is refused before anything is sent.
  const create = page
    .getByRole("region", { name: "POST /api/orders", exact: true })
    .getByRole("form", { name: "Try it" });
  const body = create.getByLabel("Request body (JSON)");
  await body.fill("{ not json");
  await create.getByRole("button", { name: "Send POST request" }).click();
  await create.getByRole("status").filter({ hasText: "not valid JSON" }).waitFor();
  assert.equal(await body.getAttribute("aria-invalid"), "true");
  await body.fill('{"items": []}');
  await create.getByRole("button", { name: "Send POST request" }).press("Enter");
  await create.getByRole("status").filter({ hasText: "POST /api/orders: 400" }).waitFor();
  assert.match((await create.locator(".api-try-result").textContent()) ?? "", /"code": "validation_failed"/);
  await audit(page, "API reference after Try it");
});
