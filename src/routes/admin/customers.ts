/** /api/admin/customers (staff and admins): find customers and look one up with their recent orders. */
import { Hono } from "hono";
import * as v from "valibot";
import { customerDetail, searchCustomers } from "../../db/accounts";
import { getDb } from "../../db/client";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { PageQuerySchema } from "../../http/paging";
import { requirePermission } from "../../http/session";
import { validate } from "../../http/validate";
import { CustomerDetail, CustomerList } from "../shapes";

export const CustomerSearchSchema = v.object({
  ...PageQuerySchema.entries,
  q: v.optional(v.pipe(v.string(), v.maxLength(100, "Search for at most 100 characters"))),
});

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /": doc({ tag: "admin", who: "staff", summary: "Search customers", body: CustomerList }),
  "GET /:id": doc({
    tag: "admin",
    who: "staff",
    summary: "A customer with recent orders",
    body: CustomerDetail,
    errors: { 404: "No such customer" },
  }),
};

export const adminCustomers = new Hono<AppEnv>()
  .use(requirePermission("customers:read"))
  .get("/", spec["GET /"], validate("query", CustomerSearchSchema), async (c) => {
    const { items, nextCursor } = await searchCustomers(getDb(c.env.DB), c.req.valid("query"));
    return c.json({ customers: items, nextCursor }, 200);
  })
  .get("/:id", spec["GET /:id"], async (c) => {
    const detail = await customerDetail(getDb(c.env.DB), c.req.param("id"));
    if (!detail) throw new ApiError("not_found", "No such customer");
    return c.json(detail, 200);
  });
