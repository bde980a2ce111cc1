/**
 * /api/admin/orders (staff and admins; the admin router already requires staff): the order list from the D1
 * mirror with allow-listed filters, one order with its risk assessment and payment attempts, and the
 * fulfilment and review actions. A wrong state is 409 invalid_state.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import * as v from "valibot";
import { getDb } from "../../db/client";
import { orderExists, searchOrdersForStaff } from "../../db/orders";
import type { By, CommandResult, StaffOrderView } from "../../domain/order/types";
import { ORDER_STATUSES, type OrderStatus } from "../../domain/order-machine";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { idempotent } from "../../http/idempotency";
import { PageQuerySchema } from "../../http/paging";
import { validate } from "../../http/validate";
import { issueCreditNotes } from "../../services/workflows/credit-notes";
import { orderOf } from "../orders";
import { OrderList, OrderShape } from "../shapes";

/** A time bound: integer milliseconds since the epoch, or an ISO 8601 date / date-time. */
const Instant = v.pipe(
  v.string(),
  v.maxLength(40),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const value = dataset.value;
    const ms = /^[0-9]{1,15}$/.test(value) ? Number(value) : Date.parse(value);
    if (!Number.isFinite(ms)) {
      addIssue({ message: "a timestamp in ms or an ISO 8601 date" });
      return NEVER;
    }
    return ms;
  }),
);

export const AdminOrdersQuerySchema = v.strictObject({
  ...PageQuerySchema.entries,
  status: v.optional(v.picklist(ORDER_STATUSES)),
  from: v.optional(Instant),
  to: v.optional(Instant),
  /** A customer id or an email address. */
  customer: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(254))),
  /** Search: an order number (`#1001` or `1001`), or part of the email or the shipping name, any case. */
  q: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(254))),
});

export const ShipSchema = v.strictObject({
  trackingNumber: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100)),
});
export const ReviewSchema = v.strictObject({ note: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(500))) });

export const RefundSchema = v.strictObject({
  lines: v.optional(
    v.pipe(
      v.array(
        v.strictObject({
          sku: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64)),
          qty: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(99)),
        }),
      ),
      v.minLength(1),
      v.maxLength(50),
    ),
  ),
  amountCents: v.optional(v.pipe(v.number(), v.integer("amountCents is in minor units"), v.minValue(1))),
  restock: v.optional(v.boolean()),
});

/** The refund body; a bodyless POST (the console's "Refund all" of before) is the empty request. */
async function refundRequest(c: Context<AppEnv>): Promise<v.InferOutput<typeof RefundSchema>> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ApiError("malformed_json", "The body is not valid JSON");
  }
  const parsed = v.safeParse(RefundSchema, raw);
  if (!parsed.success) {
    throw new ApiError(
      "validation_failed",
      "The refund is not valid",
      parsed.issues.map((i) => ({ path: v.getDotPath(i) ?? "", message: i.message })),
    );
  }
  return parsed.output;
}

/**
 * Declares the refund's optional JSON body for the typed client (hc) without reading it: the handler reads it
 * itself (`refundRequest`), since an empty body is allowed and means "refund everything left".
 */
const refundBody: MiddlewareHandler<AppEnv, string, { in: { json: v.InferInput<typeof RefundSchema> } }> = (_c, next) =>
  next();

/** What staff reads and staff commands answer: OrderFlow views them as "staff" (with risk, payments, IP). */
const staffView = (result: CommandResult) => orderOf(result) as StaffOrderView;

const ORDER_ID = /^ord_[A-Za-z0-9_-]{16,64}$/;

/** The order's OrderFlow, after checking the order exists (an unknown id must not create an object). */
async function flowOf(c: Context<AppEnv>) {
  const id = c.req.param("id") ?? "";
  const exists = ORDER_ID.test(id) && (await orderExists(getDb(c.env.DB), id));
  if (!exists) throw new ApiError("not_found", "No such order");
  return c.env.ORDER_FLOW.getByName(id);
}

const staffBy = (c: Context<AppEnv>): By => ({ actor: "staff", id: c.get("user")?.id ?? "staff" });

const ADMIN_ORDER_ERRORS = { 404: "No such order", 409: "invalid_state" };

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /": doc({ tag: "admin", who: "staff", summary: "Orders filtered by status, date, customer", body: OrderList }),
  "GET /:id": doc({
    tag: "admin",
    who: "staff",
    summary: "Any order, with risk and payment attempts",
    body: OrderShape,
    errors: { 404: "No such order" },
  }),
  "POST /:id/ship": doc({
    tag: "admin",
    who: "staff",
    summary: "Mark shipped with a tracking number",
    body: OrderShape,
    errors: ADMIN_ORDER_ERRORS,
  }),
  "POST /:id/deliver": doc({
    tag: "admin",
    who: "staff",
    summary: "Mark delivered",
    body: OrderShape,
    errors: ADMIN_ORDER_ERRORS,
  }),
  "POST /:id/approve": doc({
    tag: "admin",
    who: "staff",
    summary: "Approve an order held for fraud review",
    body: OrderShape,
    errors: ADMIN_ORDER_ERRORS,
  }),
  "POST /:id/reject": doc({
    tag: "admin",
    who: "staff",
    summary: "Reject an order held for fraud review",
    body: OrderShape,
    errors: ADMIN_ORDER_ERRORS,
  }),
  "POST /:id/cancel": doc({
    tag: "admin",
    who: "staff",
    summary: "Cancel with void or refund",
    body: OrderShape,
    errors: ADMIN_ORDER_ERRORS,
  }),
  "POST /:id/refund": doc({
    tag: "admin",
    who: "staff",
    summary: "Refund a paid order",
    body: OrderShape,
    errors: ADMIN_ORDER_ERRORS,
  }),
};

export const adminOrders = new Hono<AppEnv>()
  .get("/", spec["GET /"], validate("query", AdminOrdersQuerySchema), async (c) => {
    const q = c.req.valid("query");
    const page = await searchOrdersForStaff(getDb(c.env.DB), q);
    return c.json({
      orders: page.items.map((r) => ({
        id: r.id,
        number: r.number,
        name: r.name,
        // The mirror holds only the order machine's statuses (the column is plain text).
        status: r.status as OrderStatus,
        version: r.version,
        email: r.email,
        customerId: r.customerId,
        totals: {
          subtotalCents: r.subtotalCents,
          shippingCents: r.shippingCents,
          taxCents: r.taxCents,
          totalCents: r.totalCents,
          currency: r.currency,
        },
        riskScore: r.riskScore,
        riskReasons: r.riskReasons,
        trackingNumber: r.trackingNumber,
        itemCount: r.itemCount,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      })),
      nextCursor: page.nextCursor,
    });
  })
  .get("/:id", spec["GET /:id"], async (c) => c.json(staffView(await (await flowOf(c)).view("staff"))))
  .post("/:id/ship", spec["POST /:id/ship"], validate("json", ShipSchema), async (c) => {
    const stub = await flowOf(c);
    return c.json(staffView(await stub.ship({ trackingNumber: c.req.valid("json").trackingNumber, by: staffBy(c) })));
  })
  .post("/:id/deliver", spec["POST /:id/deliver"], async (c) =>
    c.json(staffView(await (await flowOf(c)).deliver({ by: staffBy(c) }))),
  )
  .post("/:id/approve", spec["POST /:id/approve"], validate("json", ReviewSchema), async (c) => {
    const stub = await flowOf(c);
    return c.json(staffView(await stub.approve({ note: c.req.valid("json").note || null, by: staffBy(c) })));
  })
  .post("/:id/reject", spec["POST /:id/reject"], validate("json", ReviewSchema), async (c) => {
    const stub = await flowOf(c);
    return c.json(staffView(await stub.reject({ note: c.req.valid("json").note || null, by: staffBy(c) })));
  })
  .post("/:id/cancel", spec["POST /:id/cancel"], async (c) =>
    c.json(staffView(await (await flowOf(c)).cancel(staffBy(c)))),
  )
  /** `{lines?, amountCents?, restock?}`; an empty body refunds everything left. Issues the credit note. */
  .post("/:id/refund", spec["POST /:id/refund"], idempotent("admin.orders.refund"), refundBody, async (c) => {
    const stub = await flowOf(c);
    const order = staffView(await stub.refund({ by: staffBy(c), request: await refundRequest(c) }));
    await issueCreditNotes(c.env, order);
    return c.json(order);
  });
