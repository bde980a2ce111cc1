/**
 * /api/admin/products (admins): the whole catalog including inactive products, creating products with their
 * opening stock, and editing everything except stock (stock moves through inventory adjustments). Every
 * change purges the cached catalog responses that show the product.
 */
import { type Context, Hono } from "hono";
import * as v from "valibot";
import { config } from "../../config";
import { getDb } from "../../db/client";
import { insertProductIfNew, listAllProducts, updateProduct } from "../../db/products";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { requirePermission } from "../../http/session";
import { validate } from "../../http/validate";
import { purgeTags } from "../../services/catalog/catalog-cache";
import { CatalogRow, CatalogRows } from "../shapes";

const text = (min: number, max: number) => v.pipe(v.string(), v.trim(), v.minLength(min), v.maxLength(max));

export const SkuSchema = v.pipe(
  v.string(),
  v.regex(/^[A-Z0-9-]{3,32}$/, "A SKU is 3 to 32 capital letters, digits and dashes"),
);
const PriceCents = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000_000));
/** Site-relative (`/images/BR-001.svg`) or https; empty means "no image yet". */
const ImageUrl = v.pipe(
  v.string(),
  v.maxLength(2048),
  v.regex(/^(|\/(?!\/)\S*|https:\/\/\S+)$/, "Use a site path (/images/…) or an https URL"),
);
const Threshold = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000));

export const ProductCreateSchema = v.strictObject({
  sku: SkuSchema,
  name: text(1, 100),
  description: text(0, 2000),
  material: text(1, 50),
  colour: text(1, 50),
  priceCents: PriceCents,
  currency: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, "An ISO 4217 code in capitals"))),
  imageUrl: v.optional(ImageUrl, ""),
  lowStockThreshold: v.optional(Threshold, 3),
  initialStock: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000)),
  active: v.optional(v.boolean(), true),
});
export type ProductCreateInput = v.InferOutput<typeof ProductCreateSchema>;

export const ProductPatchSchema = v.pipe(
  v.strictObject({
    name: v.optional(text(1, 100)),
    description: v.optional(text(0, 2000)),
    material: v.optional(text(1, 50)),
    colour: v.optional(text(1, 50)),
    priceCents: v.optional(PriceCents),
    imageUrl: v.optional(ImageUrl),
    lowStockThreshold: v.optional(Threshold),
    active: v.optional(v.boolean()),
  }),
  v.check((patch) => Object.values(patch).some((x) => x !== undefined), "Send at least one field to change"),
);
export type ProductPatch = v.InferOutput<typeof ProductPatchSchema>;

const purgeFor = (sku: string) => ["catalog", `product:${sku}`];

// Hono types its execution context without the Workers-only members; at runtime it is the Worker's own.
const workerCtx = (c: Context<AppEnv>) => c.executionCtx as unknown as ExecutionContext;

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /": doc({ tag: "admin", who: "admin", summary: "All products incl. inactive", body: CatalogRows }),
  "POST /": doc({
    tag: "admin",
    who: "admin",
    summary: "Create a product (purges the catalog cache)",
    ok: 201,
    body: CatalogRow,
    errors: { 409: "conflict: the SKU exists" },
  }),
  "PATCH /:sku": doc({
    tag: "admin",
    who: "admin",
    summary: "Edit, price, activate (purges the catalog cache)",
    body: CatalogRow,
    errors: { 404: "No such product" },
  }),
};

export const adminProducts = new Hono<AppEnv>()
  .use(requirePermission("products:manage"))
  .get("/", spec["GET /"], async (c) => {
    const rows = await listAllProducts(getDb(c.env.DB));
    return c.json({ products: rows }, 200);
  })
  .post("/", spec["POST /"], validate("json", ProductCreateSchema), async (c) => {
    const { initialStock, currency, ...input } = c.req.valid("json");
    // One shop, one currency: totals add prices, so a product in another currency could never be sold.
    const shopCurrency = config(c.env).currency;
    if (currency !== undefined && currency !== shopCurrency) {
      throw new ApiError("validation_failed", "The request is not valid", [
        { path: "currency", message: `This shop sells in ${shopCurrency}` },
      ]);
    }
    const now = Date.now();
    const row = await insertProductIfNew(getDb(c.env.DB), {
      ...input,
      currency: shopCurrency,
      // The ProductStock object adopts these as its opening balance the first time it runs.
      stockOnHand: initialStock,
      stockReserved: 0,
      stockAvailable: initialStock,
      createdAt: now,
      updatedAt: now,
    });
    if (!row) throw new ApiError("conflict", `A product with SKU ${input.sku} exists`, { sku: input.sku });
    await purgeTags(c.env, purgeFor(row.sku), workerCtx(c));
    return c.json(row, 201);
  })
  .patch("/:sku", spec["PATCH /:sku"], validate("json", ProductPatchSchema), async (c) => {
    const sku = c.req.param("sku");
    const row = await updateProduct(getDb(c.env.DB), { sku, change: c.req.valid("json"), now: Date.now() });
    if (!row) throw new ApiError("not_found", `No product with SKU ${sku}`);
    await purgeTags(c.env, purgeFor(row.sku), workerCtx(c));
    return c.json(row, 200);
  });
