/**
 * POST /api/products/:sku/back-in-stock `{email}` or `{push}`: ask to be told once when a sold-out SKU is back,
 * by e-mail or on this device by Web Push (`push` is the browser's `PushSubscription.toJSON()`). Guests and
 * customers alike (a signed-in customer's request is linked to the account, and its push message follows the
 * account's choices). 201 for a new request, 200 when this e-mail or device already waits for the SKU; 409
 * `invalid_state` while the SKU is in stock, or for push on a shop without VAPID keys.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { vapidKeys } from "../adapters/channels/select";
import { EmailSchema } from "../domain/accounts";
import { isSku } from "../domain/catalog";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { ApiError } from "../http/errors";
import { validate } from "../http/validate";
import { signUpForBackInStock } from "../services/catalog/back-in-stock";
import { PushSubscriptionBody } from "./push";

export const BackInStockBody = v.union([
  v.strictObject({ email: EmailSchema }),
  v.strictObject({ push: PushSubscriptionBody }),
]);

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "POST /:sku/back-in-stock": doc({
    tag: "stock",
    who: "anyone",
    summary:
      "Be told once by e-mail ({email}) or on this device by Web Push ({push}) when a sold-out product is back (201 new, 200 already waiting)",
    ok: 201,
    body: v.looseObject({ sku: v.string(), channel: v.picklist(["email", "push"]) }),
    errors: {
      404: "No such product",
      409: "invalid_state: the product is in stock, or push is not configured on this shop",
    },
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
    const body = c.req.valid("json");
    const customerId = user?.id ?? null;
    let input: Parameters<typeof signUpForBackInStock>[1];
    if ("push" in body) {
      if (!vapidKeys(c.env)) throw new ApiError("invalid_state", "Push notifications are not configured on this shop");
      const { endpoint, keys } = body.push;
      // A guest's device has no e-mail; a customer's carries the account's, so its message choices apply.
      input = { sku, customerId, email: user?.email ?? "", push: { endpoint, p256dh: keys.p256dh, auth: keys.auth } };
    } else {
      input = { sku, customerId, email: body.email };
    }
    const result = await signUpForBackInStock(c.env, input);
    if (!result.ok) {
      throw result.reason === "unknown_sku"
        ? new ApiError("not_found", `No product with SKU ${sku}`)
        : new ApiError("invalid_state", "This bracelet is in stock: order it now");
    }
    return c.json(result.request, result.created ? 201 : 200);
  },
);
