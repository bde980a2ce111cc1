import type { Context } from "hono";
import type { ComponentChildren } from "preact";
import { renderToString } from "preact-render-to-string";
import { paymentSetup } from "../config";
import type { AppEnv } from "../http/app-env";
import { TestModeContext } from "./test-mode";

/**
 * A page component as a full HTML document. With `env`, the shell says whether this shop takes test payments
 * (the banner of src/pages/test-mode.tsx): the same for every visitor, so cached pages stay shareable.
 */
export function renderDocument(page: ComponentChildren, env?: Env): string {
  const setup = env ? paymentSetup(env) : undefined;
  const testMode = setup !== undefined && setup.kind !== "disabled" && setup.banner;
  const tree = <TestModeContext.Provider value={testMode}>{page}</TestModeContext.Provider>;
  return `<!doctype html>${renderToString(tree)}`;
}

/** Renders a page component to a full HTML document response. */
export function renderPage(c: Context<AppEnv>, page: ComponentChildren, status: 200 | 400 | 404 = 200): Response {
  return c.html(renderDocument(page, c.env), status);
}
