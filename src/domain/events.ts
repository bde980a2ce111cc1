/**
 * Domain events of the shop (DESIGN.md, "Domain events"): one valibot schema per event type for its `data`,
 * and the envelope every event travels in. Pure: no bindings, usable from routes, Durable Objects, consumers
 * and the AsyncAPI document alike.
 */
import * as v from "valibot";

const Id = v.pipe(v.string(), v.minLength(1));
const Cents = v.pipe(v.number(), v.integer());
const Currency = v.pipe(v.string(), v.length(3));
const Timestamp = v.pipe(v.number(), v.integer());

const EventItem = v.object({ sku: Id, qty: v.pipe(v.number(), v.integer()), unitPriceCents: Cents });
const StockLevels = v.object({ onHand: v.number(), reserved: v.number(), available: v.number() });
const FraudReason = v.object({ code: v.string(), points: v.number(), detail: v.optional(v.string()) });
/** Order events carry the order's version at the change: a per-order sequence consumers can order by. */
const Sequence = v.optional(v.pipe(v.number(), v.integer()));

/** Why stock moved: the ledger's own operations and the staff adjustment reasons. */
export const STOCK_REASONS = [
  "reserve",
  "release",
  "expire",
  "commit",
  "resize",
  "restock",
  "damage",
  "correction",
  "return",
] as const;
export type StockReason = (typeof STOCK_REASONS)[number];

export const EventDataSchemas = {
  // Orders
  OrderPlaced: v.object({
    orderId: Id,
    sequence: Sequence,
    customerId: v.nullable(v.string()),
    email: v.string(),
    items: v.array(EventItem),
    totalCents: Cents,
    currency: Currency,
  }),
  PaymentInitiated: v.object({
    orderId: Id,
    sequence: Sequence,
    paymentId: Id,
    amountCents: Cents,
    currency: Currency,
    /** A gateway token (`tok_…`), never a card number. */
    token: v.string(),
    email: v.string(),
    customerId: v.nullable(v.string()),
    ip: v.nullable(v.string()),
    country: v.string(),
    /** Where the order ships, for the fraud check (absent on events written before it was added). */
    shippingCountry: v.optional(v.string()),
    attempt: v.number(),
  }),
  OrderConfirmed: v.object({
    orderId: Id,
    sequence: Sequence,
    /** The shopper-facing order number, for messages (absent on events written before it was added). */
    orderNumber: v.optional(v.number()),
    customerId: v.nullable(v.string()),
    email: v.string(),
    items: v.array(EventItem),
    totalCents: Cents,
    currency: Currency,
  }),
  OrderAmended: v.object({
    orderId: Id,
    sequence: Sequence,
    items: v.array(EventItem),
    previousItems: v.array(EventItem),
    totalCents: Cents,
    previousTotalCents: Cents,
  }),
  OrderCancelled: v.object({
    orderId: Id,
    sequence: Sequence,
    /** The shopper-facing order number, for messages (absent on events written before it was added). */
    orderNumber: v.optional(v.number()),
    email: v.string(),
    customerId: v.nullable(v.string()),
    reason: v.string(),
    by: v.string(),
    refundedCents: Cents,
  }),
  OrderShipped: v.object({
    orderId: Id,
    sequence: Sequence,
    /** The shopper-facing order number, for messages (absent on events written before it was added). */
    orderNumber: v.optional(v.number()),
    email: v.string(),
    customerId: v.nullable(v.string()),
    trackingNumber: v.string(),
  }),
  OrderDelivered: v.object({
    orderId: Id,
    sequence: Sequence,
    /** The shopper-facing order number, for messages (absent on events written before it was added). */
    orderNumber: v.optional(v.number()),
    email: v.string(),
    customerId: v.nullable(v.string()),
  }),
  /** The payment attempt failed (declined, or given up on after the payment timeout); the shopper may retry. */
  OrderPaymentFailed: v.object({
    orderId: Id,
    sequence: Sequence,
    paymentId: Id,
    reason: v.picklist(["declined", "timeout"]),
    declineCode: v.optional(v.string()),
    email: v.string(),
    customerId: v.nullable(v.string()),
  }),
  /** The fraud check asked for a review: stock stays held until staff approve or reject, or `holdUntil`. */
  OrderHeld: v.object({
    orderId: Id,
    sequence: Sequence,
    paymentId: Id,
    score: v.number(),
    holdUntil: Timestamp,
  }),
  /** Money went back on an order that keeps its status (a shipped or delivered order refunded by staff). */
  OrderRefunded: v.object({
    orderId: Id,
    sequence: Sequence,
    amountCents: Cents,
    currency: Currency,
    by: v.string(),
    email: v.string(),
    customerId: v.nullable(v.string()),
  }),
  // Inventory
  InventoryAdjusted: v.object({
    sku: Id,
    reason: v.picklist(STOCK_REASONS),
    delta: v.number(),
    actor: v.string(),
    orderId: v.nullable(v.string()),
    before: StockLevels,
    after: StockLevels,
    /** The product's threshold when it moved, so a consumer can tell a low-stock crossing without asking. */
    lowStockThreshold: v.optional(v.number()),
    /**
     * Set when a shard of a hot SKU moved the units (docs/sharding.md): its index, and `before`/`after` are that
     * shard's own levels, not the SKU's. Consumers that judge the SKU's level (back in stock, catalog purges) skip
     * these: the SKU's own object publishes its whole level and its alerts.
     */
    shard: v.optional(v.number()),
  }),
  OutOfStock: v.object({ sku: Id }),
  LowStock: v.object({ sku: Id, available: v.number(), threshold: v.number() }),
  // Payment
  PaymentProcessed: v.object({
    paymentId: Id,
    orderId: v.nullable(v.string()),
    subscriptionId: v.nullable(v.string()),
    status: v.picklist(["authorized", "captured", "declined", "refunded", "voided"]),
    amountCents: Cents,
    currency: Currency,
    declineCode: v.optional(v.string()),
  }),
  // Fraud detection
  FraudCheckCompleted: v.object({
    orderId: Id,
    score: v.number(),
    reasons: v.array(FraudReason),
    decision: v.picklist(["pass", "review", "reject"]),
  }),
  FraudDetected: v.object({ orderId: Id, score: v.number(), reasons: v.array(FraudReason) }),
  // Notifications
  NotificationSent: v.object({
    notificationId: Id,
    audience: v.picklist(["customer", "staff"]),
    recipient: v.string(),
    template: v.string(),
    channel: v.string(),
    /** Emitted once per message, after its last attempt: sent, given up (failed), or not sent by rule. */
    status: v.picklist(["sent", "failed", "suppressed"]),
    attempts: v.number(),
    providerId: v.optional(v.string()),
    error: v.optional(v.string()),
  }),
  // Customers
  UserSignedUp: v.object({ customerId: Id, email: v.string(), name: v.string() }),
  // Subscriptions
  UserSubscriptionStarted: v.object({
    subscriptionId: Id,
    customerId: Id,
    planId: Id,
    priceCents: Cents,
    currency: Currency,
    periodStart: Timestamp,
    periodEnd: Timestamp,
  }),
  UserSubscriptionCancelled: v.object({ subscriptionId: Id, customerId: Id }),
  // Billing
  InvoiceGenerated: v.object({
    invoiceId: Id,
    number: v.number(),
    customerId: v.nullable(v.string()),
    email: v.string(),
    orderId: v.nullable(v.string()),
    subscriptionId: v.nullable(v.string()),
    totalCents: Cents,
    currency: Currency,
  }),
  SubscriptionPaymentDue: v.object({
    subscriptionId: Id,
    customerId: Id,
    /** Null: the notice goes out days ahead of the charge, and the period's invoice is issued with the charge. */
    invoiceId: v.nullable(Id),
    amountCents: Cents,
    currency: Currency,
    dueAt: Timestamp,
  }),
} as const;

export type EventType = keyof typeof EventDataSchemas;
export const EVENT_TYPES = Object.keys(EventDataSchemas) as EventType[];
export type EventData<T extends EventType> = v.InferOutput<(typeof EventDataSchemas)[T]>;

/** Schema version of each event's `data`; bump it (and keep reading the old one) when a payload changes. */
export const EVENT_SCHEMA_VERSION = 1;

export type EventEnvelope<T extends EventType = EventType> = {
  [K in T]: {
    id: string;
    type: K;
    version: number;
    occurredAt: number;
    /** The publishing service, e.g. "orders", "inventory". */
    source: string;
    /** The entity the event is about, e.g. "order:ord_…", "sku:BR-001". */
    subject: string;
    data: EventData<K>;
  };
}[T];

export const EnvelopeSchema = v.object({
  id: Id,
  type: v.picklist(EVENT_TYPES),
  version: v.number(),
  occurredAt: Timestamp,
  source: v.string(),
  subject: v.string(),
  data: v.unknown(),
});

/** Which service publishes which events (DESIGN.md's table), for the AsyncAPI document and the console. */
export const EVENT_SOURCES: Record<EventType, string> = {
  OrderPlaced: "orders",
  PaymentInitiated: "orders",
  OrderConfirmed: "orders",
  OrderAmended: "orders",
  OrderCancelled: "orders",
  OrderShipped: "orders",
  OrderDelivered: "orders",
  OrderPaymentFailed: "orders",
  OrderHeld: "orders",
  OrderRefunded: "orders",
  InventoryAdjusted: "inventory",
  OutOfStock: "inventory",
  LowStock: "inventory",
  PaymentProcessed: "payment",
  FraudCheckCompleted: "fraud",
  FraudDetected: "fraud",
  NotificationSent: "notifications",
  UserSignedUp: "customers",
  UserSubscriptionStarted: "subscription",
  UserSubscriptionCancelled: "subscription",
  InvoiceGenerated: "billing",
  SubscriptionPaymentDue: "billing",
};

/**
 * Builds a validated envelope. Invalid data is a programming error, so it throws: publishers construct their
 * payloads from already-validated state.
 */
export function makeEvent<T extends EventType>(
  type: T,
  subject: string,
  data: EventData<T>,
  opts: { id: string; now: number },
): EventEnvelope<T> {
  const parsed = v.parse(EventDataSchemas[type], data) as EventData<T>;
  return {
    id: opts.id,
    type,
    version: EVENT_SCHEMA_VERSION,
    occurredAt: opts.now,
    source: EVENT_SOURCES[type],
    subject,
    data: parsed,
  } as EventEnvelope<T>;
}

/** Parses a queue message body into a typed envelope, or returns null for something that is not one. */
export function parseEnvelope(body: unknown): EventEnvelope | null {
  const envelope = v.safeParse(EnvelopeSchema, body);
  if (!envelope.success) return null;
  const data = v.safeParse(EventDataSchemas[envelope.output.type], envelope.output.data);
  if (!data.success) return null;
  return { ...envelope.output, data: data.output } as EventEnvelope;
}
