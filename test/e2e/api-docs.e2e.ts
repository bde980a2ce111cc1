// /docs in a real browser: Scalar's reference renders the generated OpenAPI document with its script from our own
// assets and no content-security-policy violation. Run with `npx vite build && node test/e2e/run.mjs api-docs`.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { assertEveryPageAudited, audit } from "./axe.ts";
import { launchBrowser, openPage } from "./browser.ts";

let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  assertEveryPageAudited();
});

test("the API reference at /docs renders the routes, loads nothing from other origins and nothing is blocked by the CSP", async () => {
  const { page, errors } = await openPage(browser);
  const foreign: string[] = [];
  const failed: string[] = [];
  page.on("request", (req) => {
    const url = new URL(req.url());
    if (!["127.0.0.1", "localhost"].includes(url.hostname) && url.protocol !== "data:") foreign.push(req.url());
  });
  // The browser's own /favicon.ico probe is the shop's 404 on every page; anything else failing is a fault.
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) failed.push(`${r.status()} ${r.url()}`);
  });
  // Violations reach the page as events (and the console); both are collected.
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(
        `CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`,
      );
    });
  });
  // The reference is one 4 MB script: parsing it takes a while on a busy machine.
  const res = await page.goto("/docs", { waitUntil: "commit" });
  assert.equal(res?.status(), 200);
  await page.getByText("Bracelet Shop API").first().waitFor({ timeout: 90_000 });
  // The first tag's group opens with its operations, each named by its summary from the route's doc().
  await page.getByText("Restock, damage, correction or return").first().waitFor();
  // The page around the reference is ours and audited; Scalar's rendered app (#app) is a third-party widget whose
  // own markup (icon buttons without names, sidebar contrast and target sizes) we cannot change from here: it is
  // left out, and /docs is a developer reference, not a shop page.
  await audit(page, "API reference", { exclude: ["#app"] });
  assert.deepEqual(failed, []);
  // One report is expected and harmless: zod (inside Scalar's bundle) probes once whether it may compile code,
  // `try { Function("") } catch {}`, and falls back to its interpreter when the policy says no.
  const evalProbe = /^CSP violation: script-src eval \S+\/assets\/scalar\/standalone\.js/;
  const notFound = /Failed to load resource: the server responded with a status of 404/;
  assert.ok(errors.filter((e) => evalProbe.test(e)).length <= 1, errors.join("\n"));
  assert.deepEqual(
    errors.filter((e) => !evalProbe.test(e) && !notFound.test(e)),
    [],
  );
  assert.deepEqual(foreign, []);
});
