/**
 * /api/checkout: what checkout asks before the shopper commits. `POST /quote` prices the cart with the same code
 * as order creation (`priceLines` → src/domain/pricing.ts), so the total shown is the total charged; an order
 * sent with `quotedTotalCents` is refused with `price_changed` if the price moved in between.
 *
 * The destination country is accepted (and validated) now so that destination-dependent shipping or tax can come
 * in without changing the contract; today's rates are the shop's flat ones (src/config.ts).
 */
import { Hono } from "hono";
import * as v from "valibot";
import { CountrySchema } from "../domain/accounts";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { validate } from "../http/validate";
import { OrderLinesSchema } from "./order-schemas";
import { priceLines } from "./orders";
import { QuoteShape } from "./shapes";

export const QuoteSchema = v.strictObject({
  items: OrderLinesSchema,
  shippingAddress: v.optional(v.strictObject({ country: CountrySchema })),
});
export type QuoteBody = v.InferOutput<typeof QuoteSchema>;

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "POST /quote": doc({
    tag: "orders",
    who: "anyone",
    summary: "Price a cart as an order made now would be priced (nothing is reserved)",
    body: QuoteShape,
    errors: { 400: "validation_failed: a SKU not for sale, or a bad line" },
  }),
};

export const checkoutApi = new Hono<AppEnv>()
  /** The cart's items and totals as an order made now would have them (nothing is reserved). */
  .post("/quote", spec["POST /quote"], validate("json", QuoteSchema), async (c) => {
    const body = c.req.valid("json");
    const { priced } = await priceLines(c.env, body.items);
    c.header("Cache-Control", "no-store");
    return c.json({
      items: priced.items,
      totals: priced.totals,
      ...(body.shippingAddress ? { country: body.shippingAddress.country } : {}),
    });
  });
