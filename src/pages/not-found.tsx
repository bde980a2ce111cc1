/** The HTML 404 for storefront paths (the API keeps its JSON error envelope). */
import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import { Layout } from "./layout";
import { renderPage } from "./render";

export function notFoundPage(c: Context<AppEnv>, what = "This page"): Response {
  return renderPage(
    c,
    <Layout title="Not found">
      <h1>Not found</h1>
      <p>{what} is not here, or not any more.</p>
      <p>
        <a href="/">Browse the bracelets</a>
      </p>
    </Layout>,
    404,
  );
}
