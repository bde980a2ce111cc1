/**
 * /api/account: the signed-in person's own profile, orders, invoices and notifications. Every query is
 * scoped to the session's account id; nothing here takes another account's id as input.
 */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import {
  findAccountById,
  listCustomerInvoices,
  listCustomerNotifications,
  listCustomerOrders,
  profileView,
} from "../db/accounts";
import { getDb } from "../db/client";
import { customers } from "../db/schema";
import { ProfilePatchSchema } from "../domain/accounts";
import type { AppEnv } from "../http/app-env";
import { ApiError } from "../http/errors";
import { PageQuerySchema } from "../http/paging";
import { currentUser, requirePermission } from "../http/session";
import { validate } from "../http/validate";

export const account = new Hono<AppEnv>()
  .use(requirePermission("account:own"))
  .get("/profile", async (c) => {
    const row = await findAccountById(getDb(c.env.DB), currentUser(c).id);
    if (!row) throw new ApiError("unauthorized", "Sign in first");
    return c.json({ profile: profileView(row) }, 200);
  })
  .patch("/profile", validate("json", ProfilePatchSchema), async (c) => {
    const patch = c.req.valid("json");
    const db = getDb(c.env.DB);
    const [row] = await db
      .update(customers)
      .set({ ...patch, updatedAt: Date.now() })
      .where(eq(customers.id, currentUser(c).id))
      .returning();
    if (!row) throw new ApiError("unauthorized", "Sign in first");
    return c.json({ profile: profileView(row) }, 200);
  })
  .get("/orders", validate("query", PageQuerySchema), async (c) => {
    const { items, nextCursor } = await listCustomerOrders(getDb(c.env.DB), currentUser(c).id, c.req.valid("query"));
    return c.json({ orders: items, nextCursor }, 200);
  })
  .get("/invoices", validate("query", PageQuerySchema), async (c) => {
    const { items, nextCursor } = await listCustomerInvoices(getDb(c.env.DB), currentUser(c).id, c.req.valid("query"));
    return c.json({ invoices: items, nextCursor }, 200);
  })
  .get("/notifications", validate("query", PageQuerySchema), async (c) => {
    const page = await listCustomerNotifications(getDb(c.env.DB), currentUser(c).id, c.req.valid("query"));
    return c.json({ notifications: page.items, nextCursor: page.nextCursor }, 200);
  });
