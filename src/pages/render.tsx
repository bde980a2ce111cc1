import type { Context } from "hono";
import type { ComponentChildren } from "preact";
import { renderToString } from "preact-render-to-string";
import type { AppEnv } from "../http/app-env";

/** Renders a page component to a full HTML document response. */
export function renderPage(c: Context<AppEnv>, page: ComponentChildren, status: 200 | 404 = 200): Response {
  return c.html(`<!doctype html>${renderToString(<>{page}</>)}`, status);
}
