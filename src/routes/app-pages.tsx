/**
 * The app shells: pages that belong to one person (staff console, account, checkout, order tracking). The
 * server sends a small, never-cached document; the island renders in the browser and talks to /api.
 */
import { Hono } from "hono";
import { Island } from "../../web/src/island";
import type { AppEnv } from "../http/app-env";
import { Layout } from "../pages/layout";
import { renderPage } from "../pages/render";

const noStore = { "Cache-Control": "no-store" };

export const appPages = new Hono<AppEnv>()
  .get("/admin/*", (c) => {
    c.header("Cache-Control", noStore["Cache-Control"]);
    return renderPage(
      c,
      <Layout title="Console">
        <Island name="ConsoleApp" props={{}} clientOnly fallback={<p aria-busy="true">Loading the console…</p>} />
      </Layout>,
    );
  })
  // "/account/*" also matches "/account": sign in, sign up and the account page are one client-side app.
  .get("/account/*", (c) => {
    c.header("Cache-Control", noStore["Cache-Control"]);
    return renderPage(
      c,
      <Layout title="Your account">
        <Island name="AccountApp" props={{}} clientOnly fallback={<p aria-busy="true">Loading your account…</p>} />
      </Layout>,
    );
  });
