/**
 * Accessibility audits for the browser tests: axe-core (the engine auditors use) with the WCAG 2.0/2.1/2.2 A and AA
 * rules, run on the page as it is when `audit` is called. A serious or critical finding fails the test.
 *
 * Every page a test opens is recorded (by route: ids and SKUs folded), and `assertEveryPageAudited` fails a file
 * whose tests visited a page without auditing it, so a new page cannot slip past the audit.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];
const BLOCKING = new Set(["serious", "critical"]);

const visited = new Set<string>();
const audited = new Set<string>();

/** The route a URL belongs to: `/orders/ord_x?token=…` → `/orders/:id`, `/products/BR-003` → `/products/:sku`. */
export function routeOf(url: string): string {
  const { pathname } = new URL(url);
  return (
    pathname
      .replace(/\/(ord|sub|inv|cus|cn|ntf|dlq|evt|plan)_[A-Za-z0-9_-]+/g, "/:id")
      .replace(/^\/products\/[^/]+/, "/products/:sku")
      .replace(/\/$/, "") || "/"
  );
}

/** Records every document the page navigates to (called by openPage). */
export function trackVisits(page: Page): void {
  page.on("framenavigated", (frame) => {
    if (frame !== page.mainFrame()) return;
    const url = frame.url();
    if (url.startsWith("http")) visited.add(routeOf(url));
  });
}

type Violation = { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] };

/**
 * Runs axe on the page now and throws on any serious or critical WCAG 2.2 A/AA finding, listing each rule and up
 * to three of the elements it flagged. `label` names the state audited (e.g. "checkout with a card error").
 * The whole document is audited: nothing may be left out (issue #15), so there is no `exclude`.
 */
export async function audit(page: Page, label = ""): Promise<void> {
  // page.evaluate runs outside the page's content security policy (script-src 'self'), which would refuse an
  // injected <script>.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    (tags) =>
      (
        window as unknown as {
          axe: { run: (ctx: object, opts: object) => Promise<{ violations: unknown[] }> };
        }
      ).axe
        .run(document, {
          runOnly: { type: "tag", values: tags },
          resultTypes: ["violations"],
        })
        .then((r) => r.violations),
    WCAG_TAGS,
  )) as Violation[];
  const route = routeOf(page.url());
  audited.add(route);
  const blocking = violations.filter((v) => v.impact !== null && BLOCKING.has(v.impact));
  if (blocking.length === 0) return;
  const lines = blocking.map(
    (v) =>
      `  ${v.impact} ${v.id}: ${v.help} (${v.nodes.length}×: ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(" "))
        .join(" | ")})`,
  );
  throw new Error(`accessibility: ${route}${label ? ` (${label})` : ""}\n${lines.join("\n")}`);
}

/** Fails when a test in this file opened a page it never audited. Call it in the file's `after` hook. */
export function assertEveryPageAudited(): void {
  const missed = [...visited].filter((r) => !audited.has(r));
  if (missed.length > 0) throw new Error(`pages visited without an accessibility audit: ${missed.join(", ")}`);
}
