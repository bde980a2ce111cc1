import type { Context } from "hono";
import type { ComponentChildren } from "preact";
import { renderToString } from "preact-render-to-string";
import type { AppEnv } from "../http/app-env";

/** A page component as a full HTML document. */
export function renderDocument(page: ComponentChildren): string {
  return `<!doctype html>${renderToString(page as preact.VNode)}`;
}

/** Renders a page component to a full HTML document response. */
export function renderPage(c: Context<AppEnv>, page: ComponentChildren, status: 200 | 400 | 404 = 200): Response {
  return c.html(renderDocument(page), status);
}
