/** /api/admin/customers (staff and admins): find customers and look one up with their recent orders. */
import { Hono } from "hono";
import * as v from "valibot";
import { customerDetail, searchCustomers } from "../../db/accounts";
import { getDb } from "../../db/client";
import type { AppEnv } from "../../http/app-env";
import { ApiError } from "../../http/errors";
import { PageQuerySchema } from "../../http/paging";
import { requirePermission } from "../../http/session";
import { validate } from "../../http/validate";

export const CustomerSearchSchema = v.object({
  ...PageQuerySchema.entries,
  q: v.optional(v.pipe(v.string(), v.maxLength(100, "Search for at most 100 characters"))),
});

export const adminCustomers = new Hono<AppEnv>()
  .use(requirePermission("customers:read"))
  .get("/", validate("query", CustomerSearchSchema), async (c) => {
    const { items, nextCursor } = await searchCustomers(getDb(c.env.DB), c.req.valid("query"));
    return c.json({ customers: items, nextCursor }, 200);
  })
  .get("/:id", async (c) => {
    const detail = await customerDetail(getDb(c.env.DB), c.req.param("id"));
    if (!detail) throw new ApiError("not_found", "No such customer");
    return c.json(detail, 200);
  });
