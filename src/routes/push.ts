/**
 * /api/push: Web Push subscriptions. The browser subscribes with the shop's VAPID public key (`GET /key`, null
 * when push is not configured, and then the pages do not offer it) and posts its `PushSubscription.toJSON()`:
 * - `POST /subscriptions/orders/:id`: a shopper on the order page ("Tell me when it ships"): that order's updates;
 *   the order's owner only (session or the guest's `Authorization: Bearer <accessToken>`).
 * - `POST /subscriptions/account`: a signed-in customer: their orders, billing and back-in-stock messages.
 * - `POST /subscriptions/staff`: staff alerts (new order, held for review, low stock).
 * - `DELETE /subscriptions` `{endpoint}`: the browser unsubscribed; the endpoint itself is the capability (it is
 *   unguessable and only the browser and the push service know it).
 */
import { Hono } from "hono";
import * as v from "valibot";
import { vapidKeys } from "../adapters/channels/select";
import { getDb } from "../db/client";
import { orderEmail } from "../db/orders";
import {
  customerScope,
  deletePushEndpoint,
  type NewPushSubscription,
  orderScope,
  savePushSubscription,
  staffScope,
} from "../db/push-subscriptions";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { ApiError } from "../http/errors";
import { currentUser, requireCustomer, requireStaff } from "../http/session";
import { validate } from "../http/validate";
import { authorizeOrder } from "./orders";

const Base64Url = (min: number, max: number) =>
  v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+={0,2}$/, "Expected base64url"), v.minLength(min), v.maxLength(max));

const Endpoint = v.pipe(
  v.string(),
  v.maxLength(1000),
  v.url("Expected the push service URL"),
  v.startsWith("https://", "A push endpoint is an https URL"),
);

/** What `PushSubscription.toJSON()` gives in the browser. */
export const PushSubscriptionBody = v.strictObject({
  endpoint: Endpoint,
  expirationTime: v.optional(v.nullable(v.number())),
  keys: v.strictObject({ p256dh: Base64Url(86, 90), auth: Base64Url(22, 24) }),
});
export type PushSubscriptionBody = v.InferOutput<typeof PushSubscriptionBody>;

export const PushUnsubscribeBody = v.strictObject({ endpoint: Endpoint });

const Subscribed = v.looseObject({ id: v.string() });

const spec = {
  "GET /key": doc({
    tag: "push",
    who: "anyone",
    summary: "The VAPID public key browsers subscribe with ({publicKey}); null when push is not configured",
    body: v.looseObject({ publicKey: v.nullable(v.string()) }),
  }),
  "POST /subscriptions/orders/:id": doc({
    tag: "push",
    who: "owner",
    summary: "Push this order's updates to this browser (the order page's “Tell me when it ships”)",
    ok: 201,
    body: Subscribed,
    errors: { 409: "invalid_state: push is not configured" },
  }),
  "POST /subscriptions/account": doc({
    tag: "push",
    who: "customer",
    summary: "Push the signed-in customer's messages (orders, billing, back in stock) to this browser",
    ok: 201,
    body: Subscribed,
    errors: { 409: "invalid_state: push is not configured" },
  }),
  "POST /subscriptions/staff": doc({
    tag: "push",
    who: "staff",
    summary: "Push staff alerts (new order, held for review, low stock) to this browser",
    ok: 201,
    body: Subscribed,
    errors: { 409: "invalid_state: push is not configured" },
  }),
  "DELETE /subscriptions": doc({
    tag: "push",
    who: "anyone",
    summary: "Forget this browser's subscription everywhere (the endpoint is the proof of holding it)",
    body: v.looseObject({ removed: v.number() }),
  }),
};

function subscription(body: PushSubscriptionBody, who: Omit<NewPushSubscription, "endpoint" | "p256dh" | "auth">) {
  return { endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth, ...who };
}

function requirePush(env: Env): void {
  if (!vapidKeys(env)) throw new ApiError("invalid_state", "Push notifications are not configured on this shop");
}

export const pushApi = new Hono<AppEnv>()
  .get("/key", spec["GET /key"], (c) => c.json({ publicKey: vapidKeys(c.env)?.publicKey ?? null }))
  .post(
    "/subscriptions/orders/:id",
    spec["POST /subscriptions/orders/:id"],
    validate("json", PushSubscriptionBody),
    async (c) => {
      const access = await authorizeOrder(c, { staffMay: false, needsCustomer: true });
      requirePush(c.env);
      const db = getDb(c.env.DB);
      const email = await orderEmail(db, access.id);
      if (email === undefined) throw new ApiError("not_found", "No such order");
      const saved = await savePushSubscription(
        db,
        subscription(c.req.valid("json"), {
          audience: "customer",
          scope: orderScope(access.id),
          customerId: access.customerId,
          orderId: access.id,
          email,
        }),
        Date.now(),
      );
      return c.json({ id: saved.id }, 201);
    },
  )
  .post(
    "/subscriptions/account",
    spec["POST /subscriptions/account"],
    requireCustomer,
    validate("json", PushSubscriptionBody),
    async (c) => {
      requirePush(c.env);
      const user = currentUser(c);
      const saved = await savePushSubscription(
        getDb(c.env.DB),
        subscription(c.req.valid("json"), {
          audience: "customer",
          scope: customerScope(user.id),
          customerId: user.id,
          orderId: null,
          email: user.email,
        }),
        Date.now(),
      );
      return c.json({ id: saved.id }, 201);
    },
  )
  .post(
    "/subscriptions/staff",
    spec["POST /subscriptions/staff"],
    requireStaff,
    validate("json", PushSubscriptionBody),
    async (c) => {
      requirePush(c.env);
      const user = currentUser(c);
      const saved = await savePushSubscription(
        getDb(c.env.DB),
        subscription(c.req.valid("json"), {
          audience: "staff",
          scope: staffScope(user.id),
          customerId: user.id,
          orderId: null,
          email: "staff",
        }),
        Date.now(),
      );
      return c.json({ id: saved.id }, 201);
    },
  )
  .delete("/subscriptions", spec["DELETE /subscriptions"], validate("json", PushUnsubscribeBody), async (c) => {
    const removed = await deletePushEndpoint(getDb(c.env.DB), c.req.valid("json").endpoint);
    return c.json({ removed });
  });
