/**
 * D1 schema of the shop. Money is integer minor units (`*_cents`), timestamps integer milliseconds since the
 * epoch, JSON columns hold plain objects validated at the edges. Durable Objects own the live state of stock
 * and orders; the tables here are the relational record and the mirrors the console and account pages query.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { PaymentStatus, ShippingAddress } from "../domain/order/types";
import type { RenewalReview } from "../domain/renewal-fraud";

export type Role = "customer" | "staff" | "admin";

export type { PaymentStatus, ShippingAddress };

export const customers = sqliteTable(
  "customers",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    role: text("role").$type<Role>().notNull().default("customer"),
    /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`: parameters travel with the hash so they can be raised. */
    passwordHash: text("password_hash").notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    shippingAddress: text("shipping_address", { mode: "json" }).$type<ShippingAddress | null>(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("customers_email_unique").on(t.email), index("customers_role_idx").on(t.role)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the cookie value: a leaked table does not yield usable cookies. */
    idHash: text("id_hash").primaryKey(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_customer_idx").on(t.customerId), index("sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Which live objects hold a WebSocket a session opened (`target`: "feed" for the StaffFeed, "order:<id>" for an
 * OrderFlow), so ending the session can close them (services/accounts/session-sockets.ts). Rows go with the revocation,
 * and the cron sweep drops those of sessions that expired.
 */
export const sessionSockets = sqliteTable(
  "session_sockets",
  {
    sessionHash: text("session_hash").notNull(),
    customerId: text("customer_id").notNull(),
    target: text("target").notNull(),
    openedAt: integer("opened_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionHash, t.target] }), index("session_sockets_customer_idx").on(t.customerId)],
);

export const products = sqliteTable(
  "products",
  {
    sku: text("sku").primaryKey(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    material: text("material").notNull(),
    colour: text("colour").notNull(),
    priceCents: integer("price_cents").notNull(),
    currency: text("currency").notNull().default("EUR"),
    imageUrl: text("image_url").notNull().default(""),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    lowStockThreshold: integer("low_stock_threshold").notNull().default(3),
    /**
     * Stock snapshot for the catalog. The ProductStock Durable Object is the authority; it adopts
     * `stock_on_hand` as its opening balance the first time it runs, then keeps these columns current through
     * InventoryAdjusted events.
     */
    stockOnHand: integer("stock_on_hand").notNull().default(0),
    stockReserved: integer("stock_reserved").notNull().default(0),
    stockAvailable: integer("stock_available").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("products_material_idx").on(t.material),
    index("products_colour_idx").on(t.colour),
    index("products_price_idx").on(t.priceCents, t.sku),
    index("products_name_idx").on(t.name, t.sku),
  ],
);

export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    /** The short sequential number people read out (`#1001`); from `counters` row `order_number`. */
    number: integer("number"),
    customerId: text("customer_id").references(() => customers.id),
    email: text("email").notNull(),
    status: text("status").notNull(),
    version: integer("version").notNull(),
    subtotalCents: integer("subtotal_cents").notNull(),
    shippingCents: integer("shipping_cents").notNull(),
    taxCents: integer("tax_cents").notNull(),
    totalCents: integer("total_cents").notNull(),
    currency: text("currency").notNull(),
    shippingAddress: text("shipping_address", { mode: "json" }).$type<ShippingAddress>().notNull(),
    /** SHA-256 of the guest access token; the token itself is only ever in the shopper's hands. */
    accessTokenHash: text("access_token_hash").notNull(),
    expiresAt: integer("expires_at"),
    ip: text("ip"),
    riskScore: integer("risk_score"),
    riskReasons: text("risk_reasons", { mode: "json" }).$type<string[]>(),
    paymentId: text("payment_id"),
    trackingNumber: text("tracking_number"),
    timeline: text("timeline", { mode: "json" })
      .$type<{ version: number; status: string; at: number; note?: string }[]>()
      .notNull()
      .default(sql`'[]'`),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("orders_status_idx").on(t.status, t.createdAt),
    // The console overview's held orders (count and the oldest since) from the index alone: with orders_status_idx
    // it read each held order's row for updated_at, most of the overview's time with 2,000 held (bench/README.md).
    index("orders_status_updated_idx").on(t.status, t.updatedAt),
    index("orders_customer_idx").on(t.customerId, t.createdAt),
    index("orders_email_idx").on(t.email, t.createdAt),
    index("orders_created_idx").on(t.createdAt),
    uniqueIndex("orders_number_unique").on(t.number),
  ],
);

export const orderItems = sqliteTable(
  "order_items",
  {
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    sku: text("sku").notNull(),
    name: text("name").notNull(),
    qty: integer("qty").notNull(),
    unitPriceCents: integer("unit_price_cents").notNull(),
    lineTotalCents: integer("line_total_cents").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.sku] })],
);

export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id"),
    subscriptionId: text("subscription_id"),
    provider: text("provider").notNull().default("test"),
    amountCents: integer("amount_cents").notNull(),
    refundedCents: integer("refunded_cents").notNull().default(0),
    currency: text("currency").notNull(),
    status: text("status").$type<PaymentStatus>().notNull(),
    /** Last four digits or the test token's name: never the full card number. */
    methodLabel: text("method_label").notNull().default(""),
    declineCode: text("decline_code"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("payments_order_idx").on(t.orderId), index("payments_subscription_idx").on(t.subscriptionId)],
);

/**
 * The provider's own id for each of our payments (Stripe: the PaymentIntent `pi_…`), written when the provider
 * first answers an authorization: capture, void and refund are addressed to it.
 */
export const paymentProviderRefs = sqliteTable(
  "payment_provider_refs",
  {
    paymentId: text("payment_id").primaryKey(),
    /** The order the payment belongs to (null for subscription charges): webhooks name only the provider's id. */
    orderId: text("order_id"),
    provider: text("provider").notNull(),
    providerRef: text("provider_ref").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("payment_provider_refs_ref_unique").on(t.provider, t.providerRef)],
);

/** Payment webhook event ids already applied: the replay guard for POST /api/webhooks/payments. */
export const webhookEvents = sqliteTable("webhook_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  receivedAt: integer("received_at").notNull(),
});

export const invoices = sqliteTable(
  "invoices",
  {
    id: text("id").primaryKey(),
    /** Sequential, gap-free per shop: assigned as MAX(number)+1 inside the insert statement. */
    number: integer("number").notNull(),
    customerId: text("customer_id"),
    orderId: text("order_id"),
    subscriptionId: text("subscription_id"),
    email: text("email").notNull(),
    lines: text("lines", { mode: "json" })
      .$type<{ description: string; qty: number; unitPriceCents: number; lineTotalCents: number }[]>()
      .notNull(),
    subtotalCents: integer("subtotal_cents").notNull(),
    shippingCents: integer("shipping_cents").notNull().default(0),
    taxCents: integer("tax_cents").notNull(),
    totalCents: integer("total_cents").notNull(),
    currency: text("currency").notNull(),
    status: text("status").$type<"open" | "paid" | "void">().notNull(),
    periodStart: integer("period_start"),
    periodEnd: integer("period_end"),
    issuedAt: integer("issued_at").notNull(),
  },
  (t) => [
    uniqueIndex("invoices_number_unique").on(t.number),
    uniqueIndex("invoices_order_unique").on(t.orderId),
    uniqueIndex("invoices_subscription_period_unique").on(t.subscriptionId, t.periodStart),
    index("invoices_customer_idx").on(t.customerId, t.issuedAt),
  ],
);

export const plans = sqliteTable("plans", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  priceCents: integer("price_cents").notNull(),
  currency: text("currency").notNull(),
  interval: text("interval").$type<"month">().notNull().default("month"),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  createdAt: integer("created_at").notNull(),
});

export const subscriptions = sqliteTable(
  "subscriptions",
  {
    id: text("id").primaryKey(),
    customerId: text("customer_id")
      .notNull()
      .references(() => customers.id),
    planId: text("plan_id")
      .notNull()
      .references(() => plans.id),
    status: text("status").$type<"active" | "past_due" | "paused" | "cancelled">().notNull(),
    currentPeriodStart: integer("current_period_start").notNull(),
    currentPeriodEnd: integer("current_period_end").notNull(),
    /** The gateway token (`tok_…`) later periods are charged with; never a card number. */
    paymentToken: text("payment_token"),
    /** Declined charges of the current period (src/domain/billing.ts: the third cancels). */
    failedPayments: integer("failed_payments").notNull().default(0),
    /** When the billing run last tried to charge: at most one attempt per UTC day. */
    lastAttemptAt: integer("last_attempt_at"),
    /** Where billing periods are counted from when a resume after a pause moved it (else `created_at`). */
    billingAnchor: integer("billing_anchor"),
    pausedAt: integer("paused_at"),
    createdAt: integer("created_at").notNull(),
    cancelledAt: integer("cancelled_at"),
    /** Where the box ships (required for new subscriptions; null only on rows older than migration 0008). */
    shippingAddress: text("shipping_address", { mode: "json" }).$type<ShippingAddress | null>(),
    /** The card on file as shown to the customer ("Visa ending 4242"); never the number. */
    methodLabel: text("method_label"),
    /** A skipped month: the charge date it moved from (src/domain/subscription-care.ts). Undoable before then. */
    skippedFrom: integer("skipped_from"),
    /** The charge date (`current_period_end`) whose SubscriptionPaymentDue notice has gone out: once per cycle. */
    noticeSentFor: integer("notice_sent_for"),
    /** A renewal the fraud check held for staff review: not charged until approved (staff-only facts). */
    renewalReview: text("renewal_review", { mode: "json" }).$type<RenewalReview | null>(),
  },
  (t) => [
    index("subscriptions_customer_idx").on(t.customerId),
    index("subscriptions_due_idx").on(t.status, t.currentPeriodEnd),
    /** One live (not cancelled) subscription per plan per customer, even for two requests racing. */
    uniqueIndex("subscriptions_customer_plan_live_unique").on(t.customerId, t.planId).where(sql`status <> 'cancelled'`),
  ],
);

/**
 * The event log and outbox in one: a row is written in the same D1 batch as the change it describes and
 * `published_at` is set once the queue accepted it. A cron sweep re-sends rows still unpublished.
 */
export const events = sqliteTable(
  "events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    version: integer("version").notNull(),
    occurredAt: integer("occurred_at").notNull(),
    source: text("source").notNull(),
    subject: text("subject").notNull(),
    data: text("data", { mode: "json" }).notNull(),
    publishedAt: integer("published_at"),
  },
  (t) => [
    index("events_type_idx").on(t.type, t.occurredAt),
    index("events_subject_idx").on(t.subject, t.occurredAt),
    index("events_unpublished_idx").on(t.publishedAt, t.occurredAt),
    index("events_occurred_idx").on(t.occurredAt),
  ],
);

/** One row per (consumer, event id) handled: at-least-once delivery becomes exactly-once effects. */
export const processedEvents = sqliteTable(
  "processed_events",
  {
    consumer: text("consumer").notNull(),
    eventId: text("event_id").notNull(),
    processedAt: integer("processed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);

export type DeadLetterStatus = "open" | "replayed" | "discarded";

/**
 * Messages the queue gave up on after its retries (the dead-letter queue's consumer writes them here), with the
 * subscribers that failed and their last error, and what staff did about it (src/services/subscribers/dead-letters.ts).
 */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id"),
    type: text("type"),
    body: text("body").notNull(),
    attempts: integer("attempts").notNull(),
    receivedAt: integer("received_at").notNull(),
    /** Names of the subscribers that failed on the last attempt, comma-separated. */
    subscribers: text("subscribers"),
    lastError: text("last_error"),
    status: text("status").$type<DeadLetterStatus>().notNull().default("open"),
    resolvedAt: integer("resolved_at"),
    /** The staff account that replayed or discarded it. */
    resolvedBy: text("resolved_by"),
    note: text("note"),
  },
  (t) => [index("dead_letters_status_idx").on(t.status, t.receivedAt)],
);

/** The last failure of an event still being retried: copied onto its dead letter if the queue gives up. */
export const eventFailures = sqliteTable("event_failures", {
  eventId: text("event_id").primaryKey(),
  subscribers: text("subscribers").notNull(),
  error: text("error").notNull(),
  attempts: integer("attempts").notNull(),
  failedAt: integer("failed_at").notNull(),
});

/**
 * Sales rollup (src/services/subscribers/sales-rollup.ts). A fact per event that moves sales, keyed by the event id so a
 * redelivery is ignored; triggers in migrations/0005 fold each new fact into `sales_hourly` and
 * `sales_products_daily`, which the overview reads. Days and hours are the shop's local calendar (SHOP_TIME_ZONE).
 */
export const salesFacts = sqliteTable("sales_facts", {
  eventId: text("event_id").primaryKey(),
  day: text("day").notNull(),
  hour: integer("hour").notNull(),
  currency: text("currency").notNull(),
  orders: integer("orders").notNull().default(0),
  grossCents: integer("gross_cents").notNull().default(0),
  refundCents: integer("refund_cents").notNull().default(0),
  cancellations: integer("cancellations").notNull().default(0),
  occurredAt: integer("occurred_at").notNull(),
});

export const salesHourly = sqliteTable(
  "sales_hourly",
  {
    day: text("day").notNull(),
    hour: integer("hour").notNull(),
    currency: text("currency").notNull(),
    orders: integer("orders").notNull().default(0),
    grossCents: integer("gross_cents").notNull().default(0),
    refundCents: integer("refund_cents").notNull().default(0),
    cancellations: integer("cancellations").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.hour, t.currency] })],
);

export const salesProductFacts = sqliteTable(
  "sales_product_facts",
  {
    eventId: text("event_id").notNull(),
    sku: text("sku").notNull(),
    day: text("day").notNull(),
    currency: text("currency").notNull(),
    qty: integer("qty").notNull(),
    revenueCents: integer("revenue_cents").notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.sku] })],
);

export const salesProductsDaily = sqliteTable(
  "sales_products_daily",
  {
    day: text("day").notNull(),
    sku: text("sku").notNull(),
    currency: text("currency").notNull(),
    qty: integer("qty").notNull().default(0),
    revenueCents: integer("revenue_cents").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.sku, t.currency] })],
);

/**
 * One message to one recipient on one channel, and its delivery state. The row is written before the first
 * attempt (so a crash between writing and sending leaves a `pending` row the cron sweep retries), and the
 * unique (event, template, recipient, channel) index keeps a redelivered event from writing it twice.
 */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    /** `customer` messages go to one shopper; `staff` messages are console alerts. */
    audience: text("audience").$type<"customer" | "staff">().notNull(),
    customerId: text("customer_id"),
    recipient: text("recipient").notNull(),
    channel: text("channel").notNull().default("email"),
    template: text("template").notNull(),
    /** Preference group (src/domain/notifications.ts MessageKind): what an unsubscribe turns off. */
    kind: text("kind").notNull().default("order"),
    subject: text("subject").notNull(),
    /** The plain-text part (every message has one). */
    body: text("body").notNull(),
    /** The HTML part of an e-mail; null for channels without one. */
    html: text("html"),
    /** Extra e-mail headers (List-Unsubscribe) as sent. */
    headers: text("headers", { mode: "json" }).$type<Record<string, string>>(),
    eventId: text("event_id").notNull(),
    status: text("status").$type<NotificationStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** When a pending row may next be tried; also the lease of an attempt in progress. */
    nextAttemptAt: integer("next_attempt_at"),
    providerId: text("provider_id"),
    lastError: text("last_error"),
    sentAt: integer("sent_at"),
    createdAt: integer("created_at").notNull(),
    /**
     * Where the channel delivers when that is not the recipient itself: a push subscription id, a phone number.
     * Empty for e-mail and console rows (empty, not null, so the unique index still catches duplicates).
     */
    address: text("address").notNull().default(""),
    /** The message's one link (order page, account, product): push opens it, SMS carries it. */
    link: text("link"),
  },
  (t) => [
    uniqueIndex("notifications_delivery_unique").on(t.eventId, t.template, t.recipient, t.channel, t.address),
    index("notifications_customer_idx").on(t.customerId, t.createdAt),
    index("notifications_audience_idx").on(t.audience, t.createdAt),
    index("notifications_due_idx").on(t.status, t.nextAttemptAt),
  ],
);

/**
 * A recipient's choice to receive no more messages of `kind` on `channel` (no row: they are sent). Keyed by the
 * address, so a guest's one-click unsubscribe works as well as a signed-in customer's settings.
 */
export const notificationPreferences = sqliteTable(
  "notification_preferences",
  {
    recipient: text("recipient").notNull(),
    kind: text("kind").notNull(),
    channel: text("channel").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.recipient, t.kind, t.channel] })],
);

/**
 * A browser's Web Push subscription (PushManager.subscribe) and whose messages it receives: `scope` is
 * `order:<id>` (a shopper on the order page, guest or not), `customer:<id>` (the account) or `staff:<id>` (a
 * staff member's console alerts). Removed when the push service answers 404/410.
 */
export const pushSubscriptions = sqliteTable(
  "push_subscriptions",
  {
    id: text("id").primaryKey(),
    endpoint: text("endpoint").notNull(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    audience: text("audience").$type<"customer" | "staff">().notNull(),
    scope: text("scope").notNull(),
    customerId: text("customer_id"),
    orderId: text("order_id"),
    /** Whose preferences apply (the order's or the account's e-mail address); "staff" for staff alerts. */
    email: text("email").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("push_subscriptions_endpoint_scope_unique").on(t.endpoint, t.scope),
    index("push_subscriptions_scope_idx").on(t.scope),
  ],
);

export type NotificationStatus = "pending" | "sent" | "failed" | "suppressed";

/**
 * A shopper waiting for a sold-out SKU. Closed (`notified`) in the same batch that writes the message, so each
 * request is answered once; answered in sign-up order.
 */
export const backInStockRequests = sqliteTable(
  "back_in_stock_requests",
  {
    id: text("id").primaryKey(),
    sku: text("sku").notNull(),
    /** The e-mail to write to; for a push request the signed-in customer's (whose choices apply), or "" for a guest. */
    email: text("email").notNull(),
    customerId: text("customer_id"),
    /** How the shopper is told: by e-mail, or on the one device whose push subscription is scoped `bis:<id>`. */
    channel: text("channel").$type<"email" | "push">().notNull().default("email"),
    /** The push request's device (its endpoint), so a device waits once per SKU; "" for e-mail requests. */
    endpoint: text("endpoint").notNull().default(""),
    status: text("status").$type<"waiting" | "notified">().notNull().default("waiting"),
    createdAt: integer("created_at").notNull(),
    notifiedAt: integer("notified_at"),
  },
  (t) => [
    uniqueIndex("back_in_stock_waiting_unique").on(t.sku, t.email, t.endpoint).where(sql`status = 'waiting'`),
    index("back_in_stock_sku_idx").on(t.sku, t.status, t.createdAt),
  ],
);

/**
 * Idempotency-Key records: claimed with an insert before the work runs (`in_progress`), completed with the
 * response. Scope separates keys of different operations and callers.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    state: text("state").$type<"in_progress" | "done">().notNull(),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

/** Which cached URLs carry which Cache-Tag, so a purge by tag can delete them from the Cache API. */
export const cacheTags = sqliteTable(
  "cache_tags",
  {
    tag: text("tag").notNull(),
    url: text("url").notNull(),
    /** When the entry was last stored: rows older than the cache lifetime point at nothing and are pruned. */
    cachedAt: integer("cached_at").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tag, t.url] }), index("cache_tags_cached_idx").on(t.cachedAt)],
);

/**
 * One row (id 1) counting purges. A response built while a purge ran is dropped from the cache instead of
 * being kept with the data the purge meant to replace (src/services/catalog/catalog-cache.ts).
 */
export const cacheGeneration = sqliteTable("cache_generation", {
  id: integer("id").primaryKey(),
  value: integer("value").notNull(),
});

/** Named sequences (`order_number`): one UPSERT … RETURNING takes the next value atomically. */
export const counters = sqliteTable("counters", {
  name: text("name").primaryKey(),
  value: integer("value").notNull(),
});

/**
 * Credit notes: one per staff refund (unique `refund_id`), numbered in their own gap-free sequence (MAX+1 inside
 * the insert, like invoices), each referring to the order's invoice.
 */
export const creditNotes = sqliteTable(
  "credit_notes",
  {
    id: text("id").primaryKey(),
    number: integer("number").notNull(),
    refundId: text("refund_id").notNull(),
    orderId: text("order_id").notNull(),
    invoiceId: text("invoice_id"),
    invoiceNumber: integer("invoice_number"),
    customerId: text("customer_id"),
    email: text("email").notNull(),
    lines: text("lines", { mode: "json" })
      .$type<{ sku: string; name: string; qty: number; amountCents: number }[]>()
      .notNull(),
    amountCents: integer("amount_cents").notNull(),
    currency: text("currency").notNull(),
    restocked: integer("restocked", { mode: "boolean" }).notNull().default(false),
    issuedAt: integer("issued_at").notNull(),
  },
  (t) => [
    uniqueIndex("credit_notes_number_unique").on(t.number),
    uniqueIndex("credit_notes_refund_unique").on(t.refundId),
    index("credit_notes_order_idx").on(t.orderId, t.number),
  ],
);
