/**
 * /api/account: the signed-in person's own profile, orders, invoices and notifications. Every query is
 * scoped to the session's account id; nothing here takes another account's id as input.
 */
import { Hono } from "hono";
import {
  findAccountById,
  listCustomerInvoices,
  listCustomerNotifications,
  listCustomerOrders,
  profileView,
  updateAccount,
} from "../db/accounts";
import { getDb } from "../db/client";
import { ProfilePatchSchema } from "../domain/accounts";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { ApiError } from "../http/errors";
import { PageQuerySchema } from "../http/paging";
import { currentUser, requirePermission } from "../http/session";
import { validate } from "../http/validate";
import { InvoiceList, NotificationList, OrderList, ProfileEnvelope } from "./shapes";

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /profile": doc({
    tag: "account",
    who: "customer",
    summary: "Own profile and saved address",
    body: ProfileEnvelope,
  }),
  "PATCH /profile": doc({
    tag: "account",
    who: "customer",
    summary: "Edit name and saved address",
    body: ProfileEnvelope,
  }),
  "GET /orders": doc({ tag: "account", who: "customer", summary: "Own orders, newest first", body: OrderList }),
  "GET /invoices": doc({ tag: "account", who: "customer", summary: "Own invoices", body: InvoiceList }),
  "GET /notifications": doc({
    tag: "account",
    who: "customer",
    summary: "Messages sent to me",
    body: NotificationList,
  }),
};

export const account = new Hono<AppEnv>()
  .use(requirePermission("account:own"))
  .get("/profile", spec["GET /profile"], async (c) => {
    const row = await findAccountById(getDb(c.env.DB), currentUser(c).id);
    if (!row) throw new ApiError("unauthorized", "Sign in first");
    return c.json({ profile: profileView(row) }, 200);
  })
  .patch("/profile", spec["PATCH /profile"], validate("json", ProfilePatchSchema), async (c) => {
    const patch = c.req.valid("json");
    const db = getDb(c.env.DB);
    const [row] = await updateAccount(db, { id: currentUser(c).id, change: patch, now: Date.now() });
    if (!row) throw new ApiError("unauthorized", "Sign in first");
    return c.json({ profile: profileView(row) }, 200);
  })
  .get("/orders", spec["GET /orders"], validate("query", PageQuerySchema), async (c) => {
    const { items, nextCursor } = await listCustomerOrders(getDb(c.env.DB), currentUser(c).id, c.req.valid("query"));
    return c.json({ orders: items, nextCursor }, 200);
  })
  .get("/invoices", spec["GET /invoices"], validate("query", PageQuerySchema), async (c) => {
    const { items, nextCursor } = await listCustomerInvoices(getDb(c.env.DB), currentUser(c).id, c.req.valid("query"));
    return c.json({ invoices: items, nextCursor }, 200);
  })
  .get("/notifications", spec["GET /notifications"], validate("query", PageQuerySchema), async (c) => {
    const page = await listCustomerNotifications(getDb(c.env.DB), currentUser(c).id, c.req.valid("query"));
    return c.json({ notifications: page.items, nextCursor: page.nextCursor }, 200);
  });
