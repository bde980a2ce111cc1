/**
 * Launches Debian's chromium through playwright-core (nothing downloads a browser), with the flags this
 * closed network needs. Playwright gives every launch a fresh temporary profile (and refuses
 * `--user-data-dir` in `args`).
 */

import { after, before } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { assertEveryPageAudited, trackVisits } from "./axe.ts";

export const BASE_URL = process.env.E2E_BASE_URL ?? "http://127.0.0.1:8787";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-sync",
      "--disable-component-update",
    ],
  });
}

/** A page whose console errors and failed requests are collected, so a test can assert there were none. */
/**
 * The test file's browser: launched before its first test and closed after its last, when every page the file
 * visited must have been audited (axe.ts). Call it at the top of a test file; the getter answers the browser.
 */
export function browserForFile(): () => Browser {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    assertEveryPageAudited();
  });
  return () => {
    if (!browser) throw new Error("The browser is launched in the file's before hook");
    return browser;
  };
}

export async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: BASE_URL });
  const page = await context.newPage();
  trackVisits(page);
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.setDefaultTimeout(10_000);
  return { page, errors };
}
