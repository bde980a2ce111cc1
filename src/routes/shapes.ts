/**
 * Response shapes the routes declare in their `doc({ body })` for the OpenAPI document. They describe what the
 * handlers answer (TypeScript checks the handlers; test/api-docs.test.ts checks real answers against these).
 * Objects are loose: a field added to a view is not a breaking change and does not fail the document.
 */
import * as v from "valibot";
import { EVENT_TYPES } from "../domain/events";
import { ORDER_STATUSES } from "../domain/order-machine";

const int = v.pipe(v.number(), v.integer());
const cents = v.pipe(v.number(), v.integer(), v.description("integer minor units"));
const ms = v.pipe(v.number(), v.integer(), v.description("ms since the epoch"));
const nullable = <T extends v.GenericSchema>(s: T) => v.nullable(s);
const list = <T extends v.GenericSchema>(key: string, item: T) =>
  v.looseObject({ [key]: v.array(item), nextCursor: nullable(v.string()) });

export const UserShape = v.looseObject({
  id: v.string(),
  email: v.string(),
  name: v.string(),
  role: v.picklist(["customer", "staff", "admin"]),
});
export const UserEnvelope = v.looseObject({ user: UserShape });

const AddressShape = v.looseObject({
  line1: v.string(),
  city: v.string(),
  postalCode: v.string(),
  country: v.string(),
});

export const ProfileEnvelope = v.looseObject({
  profile: v.looseObject({ ...UserShape.entries, shippingAddress: nullable(AddressShape), createdAt: ms }),
});

export const AccountShape = v.looseObject({ ...UserShape.entries, active: v.boolean(), createdAt: ms });

export const ProductShape = v.looseObject({
  sku: v.string(),
  name: v.string(),
  description: v.string(),
  material: v.string(),
  colour: v.string(),
  priceCents: cents,
  currency: v.string(),
  imageUrl: v.string(),
  available: int,
  lowStock: v.boolean(),
});
export const ProductPage = v.looseObject({
  items: v.array(ProductShape),
  nextCursor: nullable(v.string()),
  facets: v.optional(v.looseObject({})),
});
export const StockLevel = v.looseObject({ sku: v.string(), onHand: int, reserved: int, available: int });
/** `shards`: the SKU's shard count now; `unreachable`: retired shards that will give their stock back later. */
export const ShardedStockLevel = v.looseObject({
  sku: v.string(),
  onHand: int,
  reserved: int,
  available: int,
  shards: int,
  unreachable: int,
});

const PricedItem = v.looseObject({
  sku: v.string(),
  name: v.string(),
  qty: int,
  unitPriceCents: cents,
  lineTotalCents: cents,
});
const Totals = v.looseObject({
  subtotalCents: cents,
  shippingCents: cents,
  taxCents: cents,
  totalCents: cents,
  currency: v.string(),
});
const OrderStatus = v.picklist(ORDER_STATUSES);

/** A checkout quote: the lines and totals an order made now would have. */
export const QuoteShape = v.looseObject({
  items: v.array(PricedItem),
  totals: Totals,
  country: v.optional(v.string()),
});

/** The order as its owner sees it; staff see `risk`, `payments`, `ip` and `country` too. */
export const OrderShape = v.looseObject({
  id: v.string(),
  number: nullable(int),
  status: OrderStatus,
  version: int,
  items: v.array(PricedItem),
  totals: Totals,
  email: v.string(),
  shippingAddress: AddressShape,
  expiresAt: nullable(ms),
  timeline: v.array(v.looseObject({ version: int, status: OrderStatus, at: ms, note: v.optional(v.string()) })),
  customerId: nullable(v.string()),
  trackingNumber: nullable(v.string()),
  payment: nullable(v.looseObject({ id: v.string(), status: v.string(), amountCents: cents })),
  refundedCents: cents,
  createdAt: ms,
  updatedAt: ms,
});
export const CreatedOrder = v.looseObject({
  ...OrderShape.entries,
  accessToken: v.pipe(v.string(), v.description("The guest's bearer token for this order; shown once")),
});
export const PayAccepted = v.looseObject({ id: v.string(), status: OrderStatus, version: int, paymentId: v.string() });

export const OrderSummary = v.looseObject({
  id: v.string(),
  status: OrderStatus,
  version: int,
  totals: Totals,
  createdAt: ms,
});
export const OrderList = list("orders", OrderSummary);

export const InvoiceShape = v.looseObject({
  id: v.string(),
  number: int,
  orderId: nullable(v.string()),
  lines: v.array(v.looseObject({ description: v.string(), qty: int, unitPriceCents: cents, lineTotalCents: cents })),
  totalCents: cents,
  currency: v.string(),
  status: v.picklist(["open", "paid", "void"]),
  issuedAt: ms,
});
export const InvoiceList = list("invoices", v.looseObject({ id: v.string(), number: int, totalCents: cents }));
export const NotificationList = list(
  "notifications",
  v.looseObject({ id: v.string(), kind: v.optional(v.string()), createdAt: ms }),
);

export const PlanList = v.looseObject({
  plans: v.array(
    v.looseObject({ id: v.string(), name: v.string(), priceCents: cents, currency: v.string(), interval: v.string() }),
  ),
});
export const SubscriptionShape = v.looseObject({
  id: v.string(),
  planId: v.string(),
  status: v.picklist(["active", "past_due", "paused", "cancelled"]),
  currentPeriodEnd: ms,
  nextBillingAt: nullable(ms),
  cancelledAt: nullable(ms),
  shippingAddress: v.optional(nullable(AddressShape)),
  card: v.optional(nullable(v.string())),
  skippedMonth: v.optional(nullable(v.looseObject({ start: ms, end: ms, undoable: v.boolean() }))),
});
export const SubscriptionList = v.looseObject({ subscriptions: v.array(SubscriptionShape) });

export const InventoryRow = v.looseObject({ sku: v.string(), onHand: int, reserved: int, available: int });
export const EventShape = v.looseObject({
  id: v.string(),
  type: v.picklist(EVENT_TYPES),
  subject: v.string(),
  occurredAt: ms,
});
export const EventPage = list("items", EventShape);
export const NotificationPage = list("items", v.looseObject({ id: v.string(), audience: v.string(), createdAt: ms }));
export const DeadLetters = v.looseObject({ items: v.array(v.looseObject({ id: v.string() })) });
export const CustomerList = list("customers", AccountShape);
export const CustomerDetail = v.looseObject({
  customer: AccountShape,
  orderCount: int,
  recentOrders: v.array(v.looseObject({ id: v.string(), status: OrderStatus, totalCents: cents, createdAt: ms })),
});
export const AccountEnvelope = v.looseObject({ account: AccountShape });
export const CatalogRow = v.looseObject({ sku: v.string(), name: v.string(), priceCents: cents, active: v.boolean() });
export const CatalogRows = v.looseObject({ products: v.array(CatalogRow) });
export const InventoryPage = list("items", v.looseObject({ ...InventoryRow.entries, lowStock: v.boolean() }));
export const StaffList = v.looseObject({ staff: v.array(AccountShape) });
export const WebhookReceipt = v.looseObject({
  received: v.literal(true),
  /** Set (true) for a correctly signed event of a type the shop does not handle: recorded, not applied. */
  ignored: v.optional(v.boolean()),
  duplicate: v.optional(v.boolean()),
  applied: v.optional(v.boolean()),
});

/** An uploaded product image: where the shop serves it (`url`, for the product's `imageUrl`). */
export const UploadedImage = v.looseObject({
  key: v.string(),
  url: v.string(),
  contentType: v.picklist(["image/jpeg", "image/png", "image/webp"]),
  bytes: int,
});
