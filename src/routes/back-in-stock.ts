/**
 * POST /api/products/:sku/back-in-stock `{email}`: ask to be told once when a sold-out SKU is back. Guests and
 * customers alike (a signed-in customer's request is linked to the account). 201 for a new request, 200 when
 * this e-mail already waits for the SKU; 409 `invalid_state` while the SKU is in stock.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { EmailSchema } from "../domain/accounts";
import { isSku } from "../domain/catalog";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";
import { signUpForBackInStock } from "../services/catalog/back-in-stock";

export const BackInStockBody = v.strictObject({ email: EmailSchema });

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "POST /:sku/back-in-stock": doc({
    tag: "stock",
    who: "anyone",
    summary: "Be told once by e-mail when a sold-out product is back (201 new, 200 already waiting)",
    ok: 201,
    body: v.looseObject({ sku: v.string() }),
    errors: { 404: "No such product", 409: "invalid_state: the product is in stock" },
  }),
};

export const backInStock = new Hono<AppEnv>().post(
  "/:sku/back-in-stock",
  spec["POST /:sku/back-in-stock"],
  validate("json", BackInStockBody),
  async (c) => {
    const sku = c.req.param("sku");
    if (!isSku(sku)) throw new ApiError("not_found", `No product with SKU ${sku}`);
    const user = c.get("user");
    const result = await signUpForBackInStock(c.env, {
      sku,
      email: c.req.valid("json").email,
      customerId: user?.id ?? null,
    });
    if (!result.ok) {
      throw result.reason === "unknown_sku"
        ? new ApiError("not_found", `No product with SKU ${sku}`)
        : new ApiError("invalid_state", "This bracelet is in stock: order it now");
    }
    return c.json(result.request, result.created ? 201 : 200);
  },
);
