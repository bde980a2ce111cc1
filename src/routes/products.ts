/**
 * GET /api/products and GET /api/products/:sku: the public catalog, served from the catalog cache
 * (src/services/catalog/catalog-cache.ts). Only active products are public; prices always come from here.
 */
import { Hono } from "hono";
import { getProduct, listProducts } from "../db/catalog";
import { getDb } from "../db/client";
import { CatalogQueryFields, CatalogQuerySchema, canonicalSearch, encodeCursor, isSku } from "../domain/catalog";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";
import { CATALOG_TAG, productTag, serveCachedJson } from "../services/catalog/catalog-cache";
import { ProductPage, ProductShape } from "./shapes";

const notFound = (sku: string) => new ApiError("not_found", `No product with SKU ${sku}`);

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /": doc({
    tag: "catalog",
    who: "anyone",
    summary: "Catalog page (cached); facets on a first page",
    query: CatalogQueryFields,
    body: ProductPage,
  }),
  "GET /:sku": doc({
    tag: "catalog",
    who: "anyone",
    summary: "One product with its available stock (cached)",
    body: ProductShape,
    errors: { 404: "No such product" },
  }),
};

export const products = new Hono<AppEnv>()
  .get("/", spec["GET /"], validate("query", CatalogQuerySchema), async (c) => {
    const query = c.req.valid("query");
    const key = `${new URL(c.req.url).origin}/api/products${canonicalSearch(query)}`;
    return serveCachedJson(c, key, async () => {
      // Facets ride along on a first page, where a storefront draws its filters.
      const page = await listProducts(getDb(c.env.DB), query, { facets: query.cursor === null });
      const body = {
        items: page.items,
        nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null,
        ...(page.facets ? { facets: page.facets } : {}),
      };
      return { value: body, tags: [CATALOG_TAG, ...page.items.map((p) => productTag(p.sku))] };
    });
  })
  .get("/:sku", spec["GET /:sku"], async (c) => {
    const sku = c.req.param("sku");
    if (!isSku(sku)) throw notFound(sku);
    const key = `${new URL(c.req.url).origin}/api/products/${sku}`;
    return serveCachedJson(c, key, async () => {
      const product = await getProduct(getDb(c.env.DB), sku);
      if (!product) throw notFound(sku);
      return { value: product, tags: [productTag(sku)] };
    });
  });
