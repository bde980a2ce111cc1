/**
 * The API's own documentation, generated from the same valibot schemas the routes validate with:
 * `GET /api/openapi.json` (HTTP), `GET /api/asyncapi.json` (domain events on the queue). Built once per
 * isolate: the schemas never change while it runs.
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import { Hono } from "hono";
import type * as v from "valibot";
import {
  AccountPatchSchema,
  ChangePasswordSchema,
  LoginSchema,
  ProfilePatchSchema,
  SignupSchema,
  StaffCreateSchema,
} from "../domain/accounts";
import { EVENT_SOURCES, EVENT_TYPES, EventDataSchemas } from "../domain/events";
import type { AppEnv } from "../http/app-env";
import { ERROR_STATUS } from "../http/errors";
import { ApiDocsPage } from "../pages/api-docs";
import { renderDocument } from "../pages/render";
import { DeadLetterQuery, DiscardSchema } from "./admin/dead-letters";
import { EventLogQuery, NotificationLogQuery } from "./admin/events";
import { AdjustmentSchema } from "./admin/inventory";
import { RefundSchema, ReviewSchema, ShipSchema } from "./admin/orders";
import { PlanCreateSchema, PlanPatchSchema } from "./admin/plans";
import { ProductCreateSchema, ProductPatchSchema } from "./admin/products";
import { SalesQuery } from "./admin/sales";
import { SubscriptionListQuery } from "./admin/subscriptions";
import { BackInStockBody } from "./back-in-stock";
import { QuoteSchema } from "./checkout";
import { AmendOrderSchema, ClaimSchema, CreateOrderSchema, PaySchema } from "./orders";
import { PreferencesSchema } from "./preferences";
import { SubscribeSchema } from "./subscriptions";
import { PaymentWebhookSchema } from "./webhooks";

type Who = "anyone" | "owner" | "customer" | "staff" | "admin" | "gateway";
type Operation = {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  summary: string;
  tag: string;
  who: Who;
  body?: v.GenericSchema;
  query?: v.GenericSchema;
  ok: number;
  idempotent?: boolean;
  websocket?: boolean;
};

/** Every public operation. Paths and payloads are the contract of DESIGN.md. */
export const OPERATIONS: readonly Operation[] = [
  {
    method: "get",
    path: "/api/products",
    summary: "Catalog page (cached; q, material, colour, minPrice, maxPrice, sort, limit, cursor)",
    tag: "catalog",
    who: "anyone",
    ok: 200,
  },
  {
    method: "get",
    path: "/api/products/{sku}",
    summary: "One product with its available stock (cached)",
    tag: "catalog",
    who: "anyone",
    ok: 200,
  },
  {
    method: "get",
    path: "/api/products/{sku}/stock",
    summary: "Live stock level, never cached",
    tag: "stock",
    who: "anyone",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/products/{sku}/back-in-stock",
    summary: "Be told once by e-mail when a sold-out product is back (201 new, 200 already waiting)",
    tag: "stock",
    who: "anyone",
    body: BackInStockBody,
    ok: 201,
  },
  {
    method: "get",
    path: "/api/products/{sku}/live",
    summary: "WebSocket: {type:'stock', sku, available} on every change",
    tag: "stock",
    who: "anyone",
    ok: 101,
    websocket: true,
  },
  {
    method: "post",
    path: "/api/checkout/quote",
    summary: "Price a cart (items, subtotal, shipping, tax, total) with the code that prices orders; reserves nothing",
    tag: "orders",
    who: "anyone",
    body: QuoteSchema,
    ok: 200,
  },
  {
    method: "post",
    path: "/api/orders",
    summary: "Create an order: prices from the server, stock reserved all-or-nothing",
    tag: "orders",
    who: "anyone",
    body: CreateOrderSchema,
    ok: 201,
    idempotent: true,
  },
  {
    method: "get",
    path: "/api/orders/{id}",
    summary: "The order with items, totals, status and timeline",
    tag: "orders",
    who: "owner",
    ok: 200,
  },
  {
    method: "patch",
    path: "/api/orders/{id}",
    summary: "Amend quantities before shipping",
    tag: "orders",
    who: "owner",
    body: AmendOrderSchema,
    ok: 200,
  },
  {
    method: "post",
    path: "/api/orders/{id}/pay",
    summary: "Start a payment; the outcome arrives live",
    tag: "orders",
    who: "owner",
    body: PaySchema,
    ok: 202,
    idempotent: true,
  },
  {
    method: "post",
    path: "/api/orders/{id}/cancel",
    summary: "Cancel (void or refund, stock back); repeatable",
    tag: "orders",
    who: "owner",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/orders/{id}/claim",
    summary: "Claim a guest order into the signed-in account",
    tag: "orders",
    who: "customer",
    body: ClaimSchema,
    ok: 200,
  },
  {
    method: "get",
    path: "/api/orders/{id}/live",
    summary: "WebSocket: {type:'order', status, version, entry}; ?since=<version>, ?token=",
    tag: "orders",
    who: "owner",
    ok: 101,
    websocket: true,
  },
  {
    method: "get",
    path: "/api/orders/{id}/invoice",
    summary: "The order's invoice",
    tag: "orders",
    who: "owner",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/auth/signup",
    summary: "Create a customer account and sign in",
    tag: "auth",
    who: "anyone",
    body: SignupSchema,
    ok: 201,
  },
  {
    method: "post",
    path: "/api/auth/login",
    summary: "Sign in (rate-limited per email and IP)",
    tag: "auth",
    who: "anyone",
    body: LoginSchema,
    ok: 200,
  },
  {
    method: "post",
    path: "/api/auth/logout",
    summary: "Sign out (revokes the session)",
    tag: "auth",
    who: "customer",
    ok: 204,
  },
  {
    method: "post",
    path: "/api/auth/password",
    summary: "Change password (revokes every other session)",
    tag: "auth",
    who: "customer",
    body: ChangePasswordSchema,
    ok: 200,
  },
  { method: "get", path: "/api/me", summary: "The signed-in person", tag: "auth", who: "customer", ok: 200 },
  {
    method: "get",
    path: "/api/account/profile",
    summary: "Own profile and saved address",
    tag: "account",
    who: "customer",
    ok: 200,
  },
  {
    method: "patch",
    path: "/api/account/profile",
    summary: "Edit name and saved address",
    tag: "account",
    who: "customer",
    body: ProfilePatchSchema,
    ok: 200,
  },
  { method: "get", path: "/api/account/orders", summary: "Own orders", tag: "account", who: "customer", ok: 200 },
  { method: "get", path: "/api/account/invoices", summary: "Own invoices", tag: "account", who: "customer", ok: 200 },
  {
    method: "get",
    path: "/api/account/notifications",
    summary: "Messages sent to me",
    tag: "account",
    who: "customer",
    ok: 200,
  },
  {
    method: "get",
    path: "/api/plans",
    summary: "Monthly-box plans on offer",
    tag: "subscriptions",
    who: "anyone",
    ok: 200,
  },
  {
    method: "get",
    path: "/api/subscriptions",
    summary: "Own subscriptions",
    tag: "subscriptions",
    who: "customer",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/subscriptions",
    summary: "Subscribe: the first month is charged at once; 409 payment_declined",
    tag: "subscriptions",
    who: "customer",
    body: SubscribeSchema,
    ok: 201,
    idempotent: true,
  },
  {
    method: "delete",
    path: "/api/subscriptions/{id}",
    summary: "Cancel at the end of the paid period; repeatable",
    tag: "subscriptions",
    who: "customer",
    ok: 200,
  },
  {
    method: "get",
    path: "/api/account/preferences",
    summary: "The customer's e-mail choices per kind: {email:{order, marketing, billing}}",
    tag: "account",
    who: "customer",
    ok: 200,
  },
  {
    method: "patch",
    path: "/api/account/preferences",
    summary: "Turn e-mail kinds on or off (any subset)",
    tag: "account",
    who: "customer",
    body: PreferencesSchema,
    ok: 200,
  },
  {
    method: "post",
    path: "/api/subscriptions/{id}/pause",
    summary: "Pause an active subscription: nothing is charged while paused (409 invalid_state otherwise)",
    tag: "subscriptions",
    who: "customer",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/subscriptions/{id}/resume",
    summary: "Resume a paused subscription; after the paid period the next charge moves to the resume",
    tag: "subscriptions",
    who: "customer",
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/orders",
    summary: "Orders filtered by status, date, customer; q= finds by number (#1001), email or name",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  { method: "get", path: "/api/admin/orders/{id}", summary: "Any order", tag: "admin", who: "staff", ok: 200 },
  {
    method: "post",
    path: "/api/admin/orders/{id}/ship",
    summary: "Mark shipped with a tracking number",
    tag: "admin",
    who: "staff",
    body: ShipSchema,
    ok: 200,
  },
  {
    method: "post",
    path: "/api/admin/orders/{id}/deliver",
    summary: "Mark delivered",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/admin/orders/{id}/approve",
    summary: "Approve an order held for fraud review",
    tag: "admin",
    who: "staff",
    body: ReviewSchema,
    ok: 200,
  },
  {
    method: "post",
    path: "/api/admin/orders/{id}/reject",
    summary: "Reject an order held for fraud review",
    tag: "admin",
    who: "staff",
    body: ReviewSchema,
    ok: 200,
  },
  {
    method: "post",
    path: "/api/admin/orders/{id}/cancel",
    summary: "Cancel with void or refund",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/admin/orders/{id}/refund",
    summary: "Refund lines, an amount or everything left (empty body); restock puts lines back; issues a credit note",
    tag: "admin",
    who: "staff",
    body: RefundSchema,
    ok: 200,
    idempotent: true,
  },
  {
    method: "get",
    path: "/api/admin/inventory",
    summary: "Every SKU's on-hand, reserved, available",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/admin/inventory/{sku}/adjustments",
    summary: "Restock, damage, correction or return; 409 below_reserved",
    tag: "admin",
    who: "staff",
    body: AdjustmentSchema,
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/inventory/{sku}/history",
    summary: "The SKU's adjustment history from the event log",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/products",
    summary: "All products incl. inactive",
    tag: "admin",
    who: "admin",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/admin/products",
    summary: "Create a product (purges the catalog cache)",
    tag: "admin",
    who: "admin",
    body: ProductCreateSchema,
    ok: 201,
  },
  {
    method: "patch",
    path: "/api/admin/products/{sku}",
    summary: "Edit, price, activate (purges the catalog cache)",
    tag: "admin",
    who: "admin",
    body: ProductPatchSchema,
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/plans",
    summary: "All subscription plans incl. inactive",
    tag: "admin",
    who: "admin",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/admin/plans",
    summary: "Create a subscription plan (monthly, in the shop's currency)",
    tag: "admin",
    who: "admin",
    body: PlanCreateSchema,
    ok: 201,
  },
  {
    method: "patch",
    path: "/api/admin/plans/{id}",
    summary: "Rename, reprice (from each subscriber's next period), activate or deactivate a plan",
    tag: "admin",
    who: "admin",
    body: PlanPatchSchema,
    ok: 200,
  },
  {
    method: "delete",
    path: "/api/admin/plans/{id}",
    summary: "Delete a plan nobody ever subscribed to (409 conflict otherwise: deactivate it)",
    tag: "admin",
    who: "admin",
    ok: 204,
  },
  { method: "get", path: "/api/admin/customers", summary: "Search customers", tag: "admin", who: "staff", ok: 200 },
  {
    method: "get",
    path: "/api/admin/customers/{id}",
    summary: "A customer with recent orders",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  { method: "get", path: "/api/admin/staff", summary: "Staff and admin accounts", tag: "admin", who: "admin", ok: 200 },
  {
    method: "post",
    path: "/api/admin/staff",
    summary: "Invite (create) a staff account",
    tag: "admin",
    who: "admin",
    body: StaffCreateSchema,
    ok: 201,
  },
  {
    method: "patch",
    path: "/api/admin/staff/{id}",
    summary: "Change role, deactivate",
    tag: "admin",
    who: "admin",
    body: AccountPatchSchema,
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/events",
    summary: "The event log",
    tag: "admin",
    who: "staff",
    query: EventLogQuery,
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/notifications",
    summary: "Messages sent and staff alerts",
    tag: "admin",
    who: "staff",
    query: NotificationLogQuery,
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/notifications/previews",
    summary: "Every customer message template rendered with sample data",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/notifications/{id}",
    summary: "One message with its HTML and text parts and delivery state (the console Mailbox)",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/admin/notifications/{id}/resend",
    summary: "Send a failed message again with a fresh retry budget",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/back-in-stock",
    summary: "Shoppers waiting per sold-out SKU",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/overview",
    summary: "The console's home: today's sales against yesterday's same hours, orders to ship, holds, low stock",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/sales",
    summary: "Sales per local day or hour (shop time zone), minor units per currency, zero-filled",
    tag: "admin",
    who: "staff",
    query: SalesQuery,
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/subscriptions",
    summary: "Subscriptions with status, plan and next billing date, past due first",
    tag: "admin",
    who: "staff",
    query: SubscriptionListQuery,
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/subscriptions/{id}",
    summary: "One subscription with its invoices and payments",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/dead-letters",
    summary: "Events the queue gave up on, with the failing subscribers and their last error",
    tag: "admin",
    who: "staff",
    query: DeadLetterQuery,
    ok: 200,
  },
  {
    method: "post",
    path: "/api/admin/dead-letters/replay",
    summary: "Send every open dead letter back through the queue",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/admin/dead-letters/{id}/replay",
    summary: "Send one dead letter back through the queue (subscribers still deduplicate)",
    tag: "admin",
    who: "staff",
    ok: 200,
  },
  {
    method: "post",
    path: "/api/admin/dead-letters/{id}/discard",
    summary: "Close a dead letter without replaying it; the note is recorded",
    tag: "admin",
    who: "staff",
    body: DiscardSchema,
    ok: 200,
  },
  {
    method: "get",
    path: "/api/admin/live",
    summary: "WebSocket: every domain event, for the console",
    tag: "admin",
    who: "staff",
    ok: 101,
    websocket: true,
  },
  {
    method: "post",
    path: "/api/webhooks/payments",
    summary: "Payment gateway webhook (Payment-Signature: t=…,v1=…)",
    tag: "webhooks",
    who: "gateway",
    body: PaymentWebhookSchema,
    ok: 200,
  },
];

const schema = (s: v.GenericSchema) => toJsonSchema(s, { errorMode: "ignore", target: "openapi-3.0" });

const ErrorEnvelope = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", enum: Object.keys(ERROR_STATUS) },
        message: { type: "string" },
        details: {},
      },
    },
  },
};

const WHO: Record<Who, string> = {
  anyone: "Anyone.",
  owner:
    "The customer who placed it (session cookie) or a guest with `Authorization: Bearer <accessToken>`; staff. Others get 404.",
  customer: "A signed-in person (session cookie `__Host-sid`).",
  staff: "Staff or admin; 401 anonymous, 403 customers.",
  admin: "Admin only; 401 anonymous, 403 others.",
  gateway: "The payment gateway, HMAC-signed.",
};

export function buildOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    if (op.idempotent) {
      params.push({ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string" } });
    }
    if (op.query) {
      const q = schema(op.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(q.properties ?? {})) {
        params.push({ name, in: "query", required: (q.required ?? []).includes(name), schema: s as never });
      }
    }
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      description: `${WHO[op.who]}${op.websocket ? " Upgrade to a WebSocket." : ""}`,
      tags: [op.tag],
      parameters: params,
      ...(op.body
        ? { requestBody: { required: true, content: { "application/json": { schema: schema(op.body) } } } }
        : {}),
      responses: {
        [op.ok]: { description: op.websocket ? "Switching protocols" : "Success" },
        default: { description: "Error envelope", content: { "application/json": { schema: ErrorEnvelope } } },
      },
    };
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "Bracelet Shop API",
      version: "1.0.0",
      description: "Money in integer minor units; IDs are opaque strings; every error is the envelope below.",
    },
    paths,
    components: { schemas: { Error: ErrorEnvelope } },
  };
}

export function buildAsyncApi(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  for (const type of EVENT_TYPES) {
    messages[type] = {
      name: type,
      title: type,
      summary: `Published by ${EVENT_SOURCES[type]}`,
      contentType: "application/json",
      payload: {
        type: "object",
        required: ["id", "type", "version", "occurredAt", "source", "subject", "data"],
        properties: {
          id: { type: "string" },
          type: { type: "string", const: type },
          version: { type: "integer" },
          occurredAt: { type: "integer", description: "ms since the epoch" },
          source: { type: "string", const: EVENT_SOURCES[type] },
          subject: { type: "string" },
          data: toJsonSchema(EventDataSchemas[type] as v.GenericSchema, { errorMode: "ignore" }),
        },
      },
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Bracelet Shop domain events",
      version: "1.0.0",
      description: "Delivered at least once through the shop-events queue; consumers deduplicate by id.",
    },
    channels: {
      "shop-events": {
        address: "shop-events",
        messages: Object.fromEntries(EVENT_TYPES.map((t) => [t, { $ref: `#/components/messages/${t}` }])),
      },
    },
    operations: {
      publishEvents: { action: "send", channel: { $ref: "#/channels/shop-events" } },
    },
    components: { messages },
  };
}

let openapi: string | null = null;
let asyncapi: string | null = null;

export const docs = new Hono<AppEnv>()
  .get("/openapi.json", (c) => {
    openapi ??= JSON.stringify(buildOpenApi());
    return c.body(openapi, 200, { "content-type": "application/json", "cache-control": "public, max-age=300" });
  })
  .get("/asyncapi.json", (c) => {
    asyncapi ??= JSON.stringify(buildAsyncApi());
    return c.body(asyncapi, 200, { "content-type": "application/json", "cache-control": "public, max-age=300" });
  });

let docsHtml: string | null = null;

/** GET /docs: the human-readable page (src/pages/api-docs.tsx). */
export const docsPage = new Hono<AppEnv>().get("/docs", (c) => {
  docsHtml ??= renderDocument(ApiDocsPage());
  return c.html(docsHtml, 200, { "cache-control": "public, max-age=300" });
});
