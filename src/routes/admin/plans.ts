/**
 * /api/admin/plans (admins): the subscription plans a deployed shop sells, managed in the console (a fresh
 * shop has none; `npm run seed` only seeds local dev). Admin-only through `products:manage`: plans are part of
 * what the shop sells. A price change applies from each subscriber's next billing period (billing reads the
 * plan when it charges). A plan anyone ever subscribed to is kept for its history: deleting it is refused
 * (409 conflict), deactivating it takes it off sale and leaves existing subscriptions running.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { config } from "../../config";
import { getDb } from "../../db/client";
import { deletePlan, insertPlanIfNew, listAllPlans, planHasSubscriptions, updatePlan } from "../../db/plans";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { requirePermission } from "../../http/session";
import { validate } from "../../http/validate";
import { newId } from "../../lib/ids";
import { PlanList } from "../shapes";

const text = (min: number, max: number) => v.pipe(v.string(), v.trim(), v.minLength(min), v.maxLength(max));
const PriceCents = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000_000));
const PlanId = v.pipe(
  v.string(),
  v.regex(/^plan_[a-z0-9_]{1,40}$/, "A plan id is plan_ followed by up to 40 lower-case letters, digits and _"),
);

export const PlanCreateSchema = v.strictObject({
  id: v.optional(PlanId),
  name: text(1, 100),
  description: v.optional(text(0, 1000), ""),
  priceCents: PriceCents,
  active: v.optional(v.boolean(), true),
});

export const PlanPatchSchema = v.pipe(
  v.strictObject({
    name: v.optional(text(1, 100)),
    description: v.optional(text(0, 1000)),
    priceCents: v.optional(PriceCents),
    active: v.optional(v.boolean()),
  }),
  v.check((patch) => Object.values(patch).some((x) => x !== undefined), "Send at least one field to change"),
);

const PlanRow = v.looseObject({ id: v.string(), name: v.string(), priceCents: v.number(), active: v.boolean() });

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /": doc({ tag: "admin", who: "admin", summary: "All subscription plans incl. inactive", body: PlanList }),
  "POST /": doc({
    tag: "admin",
    who: "admin",
    summary: "Create a subscription plan (monthly, in the shop's currency)",
    ok: 201,
    body: PlanRow,
    errors: { 409: "conflict: a plan with this id exists" },
  }),
  "PATCH /:id": doc({
    tag: "admin",
    who: "admin",
    summary: "Rename, reprice (from each subscriber's next period), activate or deactivate a plan",
    body: PlanRow,
    errors: { 404: "No such plan" },
  }),
  "DELETE /:id": doc({
    tag: "admin",
    who: "admin",
    summary: "Delete a plan nobody ever subscribed to (409 conflict otherwise: deactivate it)",
    ok: 204,
    errors: { 404: "No such plan", 409: "conflict: the plan has subscribers" },
  }),
};

export const adminPlans = new Hono<AppEnv>()
  .use(requirePermission("products:manage"))
  .get("/", spec["GET /"], async (c) => {
    const rows = await listAllPlans(getDb(c.env.DB));
    return c.json({ plans: rows }, 200);
  })
  .post("/", spec["POST /"], validate("json", PlanCreateSchema), async (c) => {
    const { id, ...input } = c.req.valid("json");
    const row = await insertPlanIfNew(getDb(c.env.DB), {
      ...input,
      id: id ?? newId("plan", 8).toLowerCase().replaceAll("-", "_"),
      // One shop, one currency (as for products): the shop's.
      currency: config(c.env).currency,
      interval: "month",
      createdAt: Date.now(),
    });
    if (!row) throw new ApiError("conflict", `A plan with id ${id} exists`, { id });
    return c.json(row, 201);
  })
  .patch("/:id", spec["PATCH /:id"], validate("json", PlanPatchSchema), async (c) => {
    const id = c.req.param("id");
    const row = await updatePlan(getDb(c.env.DB), { id, change: c.req.valid("json") });
    if (!row) throw new ApiError("not_found", `No plan ${id}`);
    return c.json(row, 200);
  })
  .delete("/:id", spec["DELETE /:id"], async (c) => {
    const id = c.req.param("id");
    const db = getDb(c.env.DB);
    if (await planHasSubscriptions(db, id)) {
      throw new ApiError("conflict", "This plan has subscriptions: deactivate it instead", { id });
    }
    if (!(await deletePlan(db, id))) throw new ApiError("not_found", `No plan ${id}`);
    return c.body(null, 204);
  });
