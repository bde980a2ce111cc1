/**
 * /api/admin/subscriptions (staff and admins): every subscription with its status, plan and next billing date,
 * past due first; one subscription with its invoices and payments.
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
};

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
  });
