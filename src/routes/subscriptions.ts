/**
 * Monthly boxes: `GET /api/plans` (anyone) and `/api/subscriptions` (the signed-in customer's own). Subscribing
 * charges the first month at once; a declined card is 409 payment_declined and keeps nothing. Someone else's
 * subscription answers 404, like one that does not exist. Rules: src/domain/billing.ts; work:
 * src/services/billing/.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { getDb } from "../db/client";
import { resolvePaymentMethod } from "../domain/payment-tokens";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { ApiError } from "../http/errors";
import { idempotent } from "../http/idempotency";
import { currentUser, requirePermission } from "../http/session";
import { validate } from "../http/validate";
import {
  type CareResult,
  cancelSubscription,
  pauseSubscription,
  resumeSubscription,
} from "../services/billing/commands";
import { subscribe } from "../services/billing/subscribe";
import { listPlans, listSubscriptions } from "../services/billing/views";
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
});
export type SubscribeBody = v.InferOutput<typeof SubscribeSchema>;

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
    const method = resolvePaymentMethod(body.paymentMethod.token);
    if (!method.ok) {
      throw new ApiError("validation_failed", method.message, [
        { path: "paymentMethod.token", message: method.message },
      ]);
    }
    const user = currentUser(c);
    const result = await subscribe(
      c.env,
      {
        customer: { id: user.id, email: user.email },
        planId: body.planId,
        token: method.token,
        methodLabel: method.label,
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
  /** Cancels at the end of the paid period (no refund); cancelling again answers the same. */
  .delete("/:id", spec["DELETE /:id"], validate("param", SubscriptionParams), async (c) => {
    const subscription = await cancelSubscription(c.env, currentUser(c).id, c.req.valid("param").id);
    if (!subscription) throw new ApiError("not_found", "No such subscription");
    return c.json(subscription, 200);
  });
