/**
 * Monthly boxes: `GET /api/plans` (anyone) and `/api/subscriptions` (the signed-in customer's own). Subscribing
 * charges the first month at once; a declined card is 409 payment_declined and keeps nothing. A box ships, so
 * subscribing needs a shipping address: the one sent, else the account's saved one, else 400. Someone else's
 * subscription answers 404, like one that does not exist. Care: pause/resume, skip a month (and undo it before
 * it starts), change the card. Rules: src/domain/billing.ts; work:
 * src/services/billing/.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { findAccountById } from "../db/accounts";
import { getDb } from "../db/client";
import { listPlans, listSubscriptions } from "../db/subscriptions";
import { ShippingAddressSchema } from "../domain/accounts";
import { resolvePaymentMethod } from "../domain/payment-tokens";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { ApiError } from "../http/errors";
import { idempotent } from "../http/idempotency";
import { currentUser, requirePermission } from "../http/session";
import { validate } from "../http/validate";
import { changeCard } from "../services/billing/card";
import {
  type CareResult,
  cancelSubscription,
  pauseSubscription,
  resumeSubscription,
  skipMonth,
  unskipMonth,
} from "../services/billing/commands";
import { subscribe } from "../services/billing/subscribe";
import { PlanList, SubscriptionList, SubscriptionShape } from "./shapes";

function careAnswer(result: CareResult, what: string) {
  if (result.ok) return result.subscription;
  throw result.reason === "not_found"
    ? new ApiError("not_found", "No such subscription")
    : new ApiError("invalid_state", `This subscription cannot be ${what} now`);
}

export const SubscribeSchema = v.strictObject({
  planId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  /** A gateway token (`tok_…`) or a test card number, mapped to its token here and never stored. */
  paymentMethod: v.strictObject({ token: v.pipe(v.string(), v.minLength(1), v.maxLength(80)) }),
  /** Where the box ships; when left out, the account's saved address (and 400 when it has none). */
  shippingAddress: v.optional(ShippingAddressSchema),
});
export type SubscribeBody = v.InferOutput<typeof SubscribeSchema>;

export const CardChangeSchema = v.strictObject({
  /** Resolved like checkout's: a gateway token or a test card number, never stored as typed. */
  paymentMethod: v.strictObject({ token: v.pipe(v.string(), v.minLength(1), v.maxLength(80)) }),
});

/** The payment method the browser sent, as a gateway token and label; 400 for a card that fails the Luhn check. */
function paymentMethodOf(token: string) {
  const method = resolvePaymentMethod(token);
  if (!method.ok) {
    throw new ApiError("validation_failed", method.message, [{ path: "paymentMethod.token", message: method.message }]);
  }
  return method;
}

const SubscriptionParams = v.strictObject({ id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)) });

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /plans": doc({ tag: "subscriptions", who: "anyone", summary: "Monthly-box plans on offer", body: PlanList }),
  "GET /": doc({ tag: "subscriptions", who: "customer", summary: "Own subscriptions", body: SubscriptionList }),
  "POST /": doc({
    tag: "subscriptions",
    who: "customer",
    summary: "Subscribe: the first month is charged at once",
    ok: 201,
    body: SubscriptionShape,
    errors: { 404: "No such plan", 409: "payment_declined or already subscribed" },
  }),
  "DELETE /:id": doc({
    tag: "subscriptions",
    who: "customer",
    summary: "Cancel at the end of the paid period; repeatable",
    body: SubscriptionShape,
    errors: { 404: "No such subscription" },
  }),
  "POST /:id/pause": doc({
    tag: "subscriptions",
    who: "customer",
    summary: "Pause an active subscription: nothing is charged while paused (409 invalid_state otherwise)",
    body: SubscriptionShape,
    errors: { 404: "No such subscription", 409: "invalid_state" },
  }),
  "POST /:id/skip": doc({
    tag: "subscriptions",
    who: "customer",
    summary: "Skip the next month: no charge and no box for it, the next charge moves one month on; repeatable",
    body: SubscriptionShape,
    errors: { 404: "No such subscription", 409: "invalid_state (not active, or the charge date has come)" },
  }),
  "DELETE /:id/skip": doc({
    tag: "subscriptions",
    who: "customer",
    summary: "Undo a skipped month before it starts: the next charge goes back to its date",
    body: SubscriptionShape,
    errors: { 404: "No such subscription", 409: "invalid_state (no skip pending, or its month has started)" },
  }),
  "PUT /:id/card": doc({
    tag: "subscriptions",
    who: "customer",
    summary: "Change the card: checked with the gateway (authorized, then released) before it replaces the old one",
    body: SubscriptionShape,
    errors: { 404: "No such subscription", 409: "payment_declined, or invalid_state once cancelled" },
  }),
  "POST /:id/resume": doc({
    tag: "subscriptions",
    who: "customer",
    summary: "Resume a paused subscription; after the paid period the next charge moves to the resume",
    body: SubscriptionShape,
    errors: { 404: "No such subscription", 409: "invalid_state" },
  }),
};

export const plansApi = new Hono<AppEnv>().get("/", spec["GET /plans"], async (c) => {
  return c.json({ plans: await listPlans(getDb(c.env.DB)) }, 200);
});

export const subscriptionsApi = new Hono<AppEnv>()
  .use(requirePermission("account:own"))
  .get("/", spec["GET /"], async (c) => {
    return c.json({ subscriptions: await listSubscriptions(getDb(c.env.DB), currentUser(c).id) }, 200);
  })
  /** Starts a monthly box: 201 with the subscription once the first month is paid. */
  .post("/", spec["POST /"], idempotent("subscriptions.create"), validate("json", SubscribeSchema), async (c) => {
    const body = c.req.valid("json");
    const method = paymentMethodOf(body.paymentMethod.token);
    const user = currentUser(c);
    const shippingAddress =
      body.shippingAddress ?? (await findAccountById(getDb(c.env.DB), user.id))?.shippingAddress ?? null;
    if (!shippingAddress) {
      throw new ApiError("validation_failed", "A monthly box needs a shipping address", [
        { path: "shippingAddress", message: "Enter where the box should go" },
      ]);
    }
    const result = await subscribe(
      c.env,
      {
        customer: { id: user.id, email: user.email },
        planId: body.planId,
        token: method.token,
        methodLabel: method.label,
        shippingAddress,
      },
      (work) => c.executionCtx.waitUntil(work),
    );
    if (result.ok) return c.json(result.subscription, 201);
    switch (result.reason) {
      case "plan_not_found":
        throw new ApiError("not_found", "No such plan", [{ path: "planId", message: "unknown or retired plan" }]);
      case "already_subscribed":
        throw new ApiError(
          "conflict",
          "You already subscribe to this plan",
          result.subscriptionId ? { subscriptionId: result.subscriptionId } : undefined,
        );
      case "declined":
        throw new ApiError("payment_declined", "The card was declined; nothing was charged", {
          declineCode: result.declineCode,
        });
    }
  })
  /** Pauses an active subscription: nothing is charged until it is resumed (pausing again answers the same). */
  .post("/:id/pause", spec["POST /:id/pause"], validate("param", SubscriptionParams), async (c) => {
    const result = await pauseSubscription(c.env, currentUser(c).id, c.req.valid("param").id);
    return c.json(careAnswer(result, "paused"), 200);
  })
  /** Resumes a paused subscription; after the paid period the next charge moves to the next billing run. */
  .post("/:id/resume", spec["POST /:id/resume"], validate("param", SubscriptionParams), async (c) => {
    const result = await resumeSubscription(c.env, currentUser(c).id, c.req.valid("param").id);
    return c.json(careAnswer(result, "resumed"), 200);
  })
  /** Skips the next month; skipping again while it is pending answers the same. */
  .post("/:id/skip", spec["POST /:id/skip"], validate("param", SubscriptionParams), async (c) => {
    const result = await skipMonth(c.env, currentUser(c).id, c.req.valid("param").id);
    return c.json(careAnswer(result, "skipped"), 200);
  })
  /** Undoes a pending skip before its month starts. */
  .delete("/:id/skip", spec["DELETE /:id/skip"], validate("param", SubscriptionParams), async (c) => {
    const result = await unskipMonth(c.env, currentUser(c).id, c.req.valid("param").id);
    return c.json(careAnswer(result, "changed back"), 200);
  })
  /** Replaces the card on file once the gateway has accepted it. */
  .put(
    "/:id/card",
    spec["PUT /:id/card"],
    validate("param", SubscriptionParams),
    validate("json", CardChangeSchema),
    async (c) => {
      const method = paymentMethodOf(c.req.valid("json").paymentMethod.token);
      const result = await changeCard(
        c.env,
        { customerId: currentUser(c).id, id: c.req.valid("param").id, token: method.token, methodLabel: method.label },
        (work) => c.executionCtx.waitUntil(work),
      );
      if (result.ok) return c.json(result.subscription, 200);
      if (result.reason === "declined") {
        throw new ApiError("payment_declined", "The card was declined; the card on file is unchanged", {
          declineCode: result.declineCode,
        });
      }
      return c.json(careAnswer(result, "changed"), 200);
    },
  )
  /** Cancels at the end of the paid period (no refund); cancelling again answers the same. */
  .delete("/:id", spec["DELETE /:id"], validate("param", SubscriptionParams), async (c) => {
    const subscription = await cancelSubscription(c.env, currentUser(c).id, c.req.valid("param").id);
    if (!subscription) throw new ApiError("not_found", "No such subscription");
    return c.json(subscription, 200);
  });
