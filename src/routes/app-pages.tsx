/**
 * The app shells: pages that belong to one person (staff console, account, checkout, order tracking). The
 * server sends a small, never-cached document; the island renders in the browser and talks to /api.
 */
import { type Context, Hono } from "hono";
import { Island } from "../../web/src/island";
import type { AppEnv } from "../http/app-env";
import { Layout } from "../pages/layout";
import { notFoundPage } from "../pages/not-found";
import { renderPage } from "../pages/render";

const noStore = { "Cache-Control": "no-store" };

/** The shape of an order id (src/routes/orders.ts); anything else is a plain 404 page without an island. */
const ORDER_ID = /^ord_[A-Za-z0-9_-]{16,64}$/;

/**
 * Headers of the order pages: never cached, and the address (which carries the guest's access token in
 * `?token=`) is never sent on as a Referer to the pages and images they link to.
 */
function privatePage(c: Context<AppEnv>): void {
  c.header("Cache-Control", noStore["Cache-Control"]);
  c.header("Referrer-Policy", "no-referrer");
}

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
  })
  .get("/checkout", (c) => {
    c.header("Cache-Control", noStore["Cache-Control"]);
    return renderPage(
      c,
      <Layout title="Checkout">
        <Island name="CheckoutApp" props={{}} clientOnly fallback={<p aria-busy="true">Loading your cart…</p>} />
      </Layout>,
    );
  })
  .get("/orders/:id/invoice", (c) => {
    const orderId = c.req.param("id");
    if (!ORDER_ID.test(orderId)) return notFoundPage(c, "This order");
    privatePage(c);
    return renderPage(
      c,
      <Layout title="Invoice">
        <Island
          name="InvoiceApp"
          props={{ orderId }}
          clientOnly
          fallback={<p aria-busy="true">Loading the invoice…</p>}
        />
      </Layout>,
    );
  })
  .get("/orders/:id", (c) => {
    const orderId = c.req.param("id");
    if (!ORDER_ID.test(orderId)) return notFoundPage(c, "This order");
    privatePage(c);
    return renderPage(
      c,
      <Layout title="Your order">
        <Island name="OrderApp" props={{ orderId }} clientOnly fallback={<p aria-busy="true">Loading your order…</p>} />
      </Layout>,
    );
  });
