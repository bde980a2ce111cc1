/**
 * /api/admin/subscriptions (staff and admins): every subscription with its status, plan and next billing date,
 * past due first; one subscription with its invoices and payments. Staff approve or reject a renewal the fraud
 * check held for review (src/domain/renewal-fraud.ts).
 */
import { Hono } from "hono";
import * as v from "valibot";
import { getDb } from "../../db/client";
import { listSubscriptions, subscriptionDetail } from "../../db/subscriptions-admin";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { requirePermission } from "../../http/session";
import { validate } from "../../http/validate";
import { decideRenewal } from "../../services/billing/review";

export const SubscriptionListQuery = v.strictObject({
  status: v.optional(v.picklist(["active", "past_due", "cancelled"])),
  /** Only live subscriptions whose next billing falls within this many days. */
  dueWithinDays: v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(0), v.maxValue(366))),
  limit: v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1), v.maxValue(200)), "100"),
});

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /": doc({
    tag: "admin",
    who: "staff",
    summary: "Subscriptions with status, plan and next billing date, past due first",
    body: v.looseObject({ items: v.array(v.looseObject({ id: v.string(), status: v.string() })) }),
  }),
  "GET /:id": doc({
    tag: "admin",
    who: "staff",
    summary: "One subscription with its invoices and payments",
    body: v.looseObject({}),
    errors: { 404: "No such subscription" },
  }),
  "POST /:id/renewal/approve": doc({
    tag: "admin",
    who: "staff",
    summary: "Approve a renewal held for review: it is charged at once",
    body: v.looseObject({ outcome: v.picklist(["charged", "declined", "cancelled"]) }),
    errors: { 404: "No such subscription", 409: "invalid_state (no renewal waits for review)" },
  }),
  "POST /:id/renewal/reject": doc({
    tag: "admin",
    who: "staff",
    summary: "Reject a renewal held for review: nothing is charged; it counts as a declined renewal",
    body: v.looseObject({ outcome: v.picklist(["charged", "declined", "cancelled"]) }),
    errors: { 404: "No such subscription", 409: "invalid_state (no renewal waits for review)" },
  }),
};

const IdParam = v.strictObject({ id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)) });

export const adminSubscriptions = new Hono<AppEnv>()
  .use(requirePermission("customers:read"))
  .get("/", spec["GET /"], validate("query", SubscriptionListQuery), async (c) => {
    const q = c.req.valid("query");
    const items = await listSubscriptions(getDb(c.env.DB), {
      status: q.status,
      dueBefore: q.dueWithinDays === undefined ? undefined : Date.now() + q.dueWithinDays * 86_400_000,
      limit: q.limit,
    });
    return c.json({ items }, 200);
  })
  .get("/:id", spec["GET /:id"], async (c) => {
    const detail = await subscriptionDetail(getDb(c.env.DB), c.req.param("id"));
    if (!detail) throw new ApiError("not_found", "No such subscription");
    return c.json(detail, 200);
  })
  .post(
    "/:id/renewal/approve",
    spec["POST /:id/renewal/approve"],
    requirePermission("orders:manage"),
    validate("param", IdParam),
    async (c) => {
      const result = await decideRenewal(c.env, c.req.valid("param").id, "approve", (w) => c.executionCtx.waitUntil(w));
      return c.json(reviewAnswer(result), 200);
    },
  )
  .post(
    "/:id/renewal/reject",
    spec["POST /:id/renewal/reject"],
    requirePermission("orders:manage"),
    validate("param", IdParam),
    async (c) => {
      const result = await decideRenewal(c.env, c.req.valid("param").id, "reject", (w) => c.executionCtx.waitUntil(w));
      return c.json(reviewAnswer(result), 200);
    },
  );

function reviewAnswer(result: Awaited<ReturnType<typeof decideRenewal>>) {
  if (result.ok) return { outcome: result.outcome };
  throw result.reason === "not_found"
    ? new ApiError("not_found", "No such subscription")
    : new ApiError("invalid_state", "No renewal of this subscription waits for review");
}
