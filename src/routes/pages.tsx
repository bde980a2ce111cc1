/**
 * The server-rendered storefront: the catalog (GET /), product pages, the monthly boxes (/subscribe) and the
 * cart shell. Catalog and product
 * pages are the same for everyone and go through the catalog cache with the same tags as the JSON API, so an
 * admin edit or a stock change purges them too.
 */
import { type Context, Hono } from "hono";
import * as v from "valibot";
import { Island } from "../../web/src/island";
import { getProduct, listProducts } from "../db/catalog";
import { getDb } from "../db/client";
import { listPlans } from "../db/subscriptions";
import { CatalogQuerySchema, canonicalSearch, isSku } from "../domain/catalog";
import type { AppEnv } from "../http/app-env";
import { entryAssets } from "../pages/assets";
import { BadQueryView, CatalogView } from "../pages/catalog";
import { Layout } from "../pages/layout";
import { notFoundPage } from "../pages/not-found";
import { ProductView } from "../pages/product";
import { renderDocument, renderPage } from "../pages/render";
import { SubscribeView } from "../pages/subscribe";
import { CATALOG_TAG, PAGES_TAG, productTag, serveCached } from "../services/catalog/catalog-cache";

/**
 * A cached page's key: its canonical URL plus the bundle's build id, so pages cached before a deploy (which link
 * the previous build's hashed files) are never answered after it.
 */
const pageKey = (url: string, canonical: string) =>
  `${new URL(url).origin}${canonical}${canonical.includes("?") ? "&" : "?"}build=${entryAssets().build}`;

const HTML_TYPE = "text/html; charset=UTF-8";

/** The query string as the validator middleware sees it: one value, or an array when a key repeats. */
function queryRecord(c: Context<AppEnv>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(c.req.queries())) out[key] = values.length === 1 ? values[0]! : values;
  return out;
}

export const pages = new Hono<AppEnv>()
  .get("/", async (c) => {
    const parsed = v.safeParse(CatalogQuerySchema, queryRecord(c));
    if (!parsed.success) {
      return renderPage(
        c,
        <Layout title="Search not understood">
          <BadQueryView
            issues={parsed.issues.map((i) => ({ path: v.getDotPath(i) ?? "(root)", message: i.message }))}
          />
        </Layout>,
        400,
      );
    }
    const query = parsed.output;
    const key = pageKey(c.req.url, `/${canonicalSearch(query)}`);
    return serveCached(c, key, async () => {
      const page = await listProducts(getDb(c.env.DB), query, { facets: true });
      const body = renderDocument(
        <Layout title="Handmade bracelets" description="Handmade bracelets in glass, stone, metal, wood and more.">
          <CatalogView query={query} page={page} facets={page.facets ?? { materials: [], colours: [] }} />
        </Layout>,
        c.env,
      );
      return {
        body,
        contentType: HTML_TYPE,
        tags: [PAGES_TAG, CATALOG_TAG, ...page.items.map((p) => productTag(p.sku))],
      };
    });
  })
  .get("/products/:sku", async (c) => {
    const sku = c.req.param("sku");
    if (!isSku(sku)) return notFoundPage(c, "This bracelet");
    const key = pageKey(c.req.url, `/products/${sku}`);
    return serveCached(c, key, async () => {
      const product = await getProduct(getDb(c.env.DB), sku);
      if (!product) return notFoundPage(c, "This bracelet");
      const body = renderDocument(
        <Layout title={product.name} description={product.description}>
          <ProductView product={product} />
        </Layout>,
        c.env,
      );
      return { body, contentType: HTML_TYPE, tags: [PAGES_TAG, productTag(sku)] };
    });
  })
  /** The monthly boxes on offer, for anyone; subscribing itself is in the account. */
  .get("/subscribe", async (c) => {
    const plans = await listPlans(getDb(c.env.DB));
    return renderPage(
      c,
      <Layout title="Monthly boxes" description="A box of handmade bracelets every month, shipped free.">
        <SubscribeView plans={plans} />
      </Layout>,
    );
  })
  .get("/cart", (c) =>
    renderPage(
      c,
      <Layout title="Your cart">
        <h1>Your cart</h1>
        <Island name="CartView" props={{}} clientOnly fallback={<p aria-busy="true">Loading your cart…</p>} />
      </Layout>,
    ),
  );
