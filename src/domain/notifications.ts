/**
 * What the shop tells people, and when: pure templates from domain events to message drafts, one template per
 * message, each with an HTML and a text part built by ./message-layout. The Notifications service looks up
 * what an event does not carry (an e-mail address, the shoppers waiting for a SKU) and delivers the drafts.
 * Shopper messages never carry staff-only facts; reasons go through ./order-wording.
 */
import type { EventEnvelope } from "./events";
import { formatDate, formatMoney, type MessageParts, renderEmail } from "./message-layout";
import { formatOrderNumber } from "./order-numbers";
import { shopperCancelReason } from "./order-wording";

/** Preference groups a shopper can turn off per channel (transactional account mail is not optional). */
export type MessageKind = "order" | "marketing" | "billing" | "account" | "staff";

export type NotificationDraft = {
  audience: "customer" | "staff";
  customerId: string | null;
  /** An email address for customers; "staff" for console alerts. */
  recipient: string;
  template: string;
  kind: MessageKind;
  subject: string;
  /** The plain-text part. */
  body: string;
  /** The HTML part (customer e-mail); null for staff console alerts. */
  html: string | null;
  /** One-click unsubscribe link (marketing e-mail): goes in the footer and the List-Unsubscribe header. */
  unsubscribeUrl: string | null;
  /** The message's one link (the call to action): what a push notification opens and an SMS carries. */
  link: string | null;
  /** One line for push and SMS (the first paragraph, shortened): never more than the e-mail says. */
  short: string;
  /**
   * Set when the shopper asked to hear on one device only (a back-in-stock request by push): the message goes
   * by push to that scope's device, and by no other channel.
   */
  pushScope?: string;
};

type Contact = { email: string; customerId: string | null };

/** What the service must look up before drafting. */
export type NotificationContext = {
  /** Absolute origin for links in messages (no trailing slash). */
  shopUrl?: string;
  orderContact?: Contact | null;
  /** The order's number (`#1001` in subjects), for order events and an order's payment; null for an order without one. */
  orderNumber?: number | null;
  subscriptionContact?: Contact | null;
  /** The subscription behind a subscription payment or cancellation, as it stands after the event. */
  subscription?: { planName: string; status: string; failedPayments: number; maxAttempts: number } | null;
  /**
   * Shoppers waiting for this SKU, in sign-up order (InventoryAdjusted that brings it back); `pushScope` for
   * those who asked by push on one device.
   */
  backInStock?: { name: string; waiting: readonly (Contact & { pushScope?: string | null })[] } | null;
  /** Signed unsubscribe links for marketing e-mail, by recipient (the service signs them; templates only link). */
  unsubscribe?: ReadonlyMap<string, string>;
};

export const NOTIFIED_EVENT_TYPES = [
  "OrderConfirmed",
  "OrderShipped",
  "OrderDelivered",
  "OrderCancelled",
  "PaymentProcessed",
  "InventoryAdjusted",
  "LowStock",
  "OutOfStock",
  "InvoiceGenerated",
  "SubscriptionPaymentDue",
  "UserSubscriptionCancelled",
  "UserSignedUp",
  "OrderHeld",
] as const;

const shortId = (id: string) => id.slice(-8).toUpperCase();

/** The longest `short` line: a push notification's body shows about this much. */
export const SHORT_MAX = 120;

export function shorten(text: string, max = SHORT_MAX): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}

/** True when an inventory movement makes a sold-out SKU available again. */
export function bringsBackInStock(event: EventEnvelope): boolean {
  // A shard's movement carries the shard's own levels: one shard refilled is not the SKU back (docs/sharding.md).
  return (
    event.type === "InventoryAdjusted" &&
    event.data.shard === undefined &&
    event.data.before.available === 0 &&
    event.data.after.available > 0
  );
}

/** The messages an event causes; an empty list when it causes none. */
export function draftNotifications(event: EventEnvelope, ctx: NotificationContext = {}): NotificationDraft[] {
  const base = ctx.shopUrl ?? "";
  const orderUrl = (orderId: string) => `${base}/orders/${encodeURIComponent(orderId)}`;
  const accountUrl = `${base}/account`;
  const toCustomer = (
    contact: Contact,
    template: string,
    kind: MessageKind,
    subject: string,
    parts: Omit<MessageParts, "footer">,
  ): NotificationDraft => {
    const unsubscribeUrl = kind === "marketing" ? (ctx.unsubscribe?.get(contact.email) ?? null) : null;
    const footer =
      kind === "marketing"
        ? [
            "You get this e-mail because you asked us to tell you.",
            ...(unsubscribeUrl ? [`Stop e-mails like this: ${unsubscribeUrl}`] : []),
          ]
        : [`You get this e-mail because of your order or account at the Bracelet Shop (${base || "/"}).`];
    const { html, text } = renderEmail({ ...parts, footer });
    return {
      audience: "customer",
      customerId: contact.customerId,
      recipient: contact.email,
      template,
      kind,
      subject,
      body: text,
      html,
      unsubscribeUrl,
      link: parts.action?.url ?? null,
      short: shorten(parts.paragraphs[0] ?? parts.heading),
    };
  };
  const toStaff = (template: string, subject: string, body: string): NotificationDraft => ({
    audience: "staff",
    customerId: null,
    recipient: "staff",
    template,
    kind: "staff",
    subject,
    body,
    html: null,
    unsubscribeUrl: null,
    link: `${base}/admin/inventory`,
    short: shorten(body),
  });
  const viewOrder = (orderId: string) => ({ label: "View your order", url: orderUrl(orderId) });
  // The number shoppers see on their order page (`#1001`); an order from before numbers keeps its short id.
  const orderRef = (orderId: string) => formatOrderNumber(ctx.orderNumber) || shortId(orderId);

  switch (event.type) {
    case "OrderConfirmed": {
      const d = event.data;
      const count = d.items.reduce((n, i) => n + i.qty, 0);
      return [
        toCustomer(d, "order_confirmed", "order", `Your order ${orderRef(d.orderId)} is confirmed`, {
          heading: "Thank you for your order",
          paragraphs: [
            `We are preparing ${count} ${count === 1 ? "bracelet" : "bracelets"} for you.`,
            `Total paid: ${formatMoney(d.totalCents, d.currency)} on ${formatDate(event.occurredAt)}.`,
          ],
          action: viewOrder(d.orderId),
        }),
      ];
    }
    case "OrderShipped": {
      const d = event.data;
      return [
        toCustomer(d, "order_shipped", "order", `Your order ${orderRef(d.orderId)} is on its way`, {
          heading: "Your bracelets are on their way",
          paragraphs: [`Tracking number: ${d.trackingNumber}.`],
          action: viewOrder(d.orderId),
        }),
      ];
    }
    case "OrderDelivered": {
      const d = event.data;
      return [
        toCustomer(d, "order_delivered", "order", `Your order ${orderRef(d.orderId)} was delivered`, {
          heading: "Delivered",
          paragraphs: ["We hope you love it. Reply to this message if anything is not right."],
          action: viewOrder(d.orderId),
        }),
      ];
    }
    case "OrderCancelled": {
      const d = event.data;
      const refund = d.refundedCents > 0 ? [`We refunded ${formatMoney(d.refundedCents, "EUR")} to your card.`] : [];
      return [
        toCustomer(d, "order_cancelled", "order", `Your order ${orderRef(d.orderId)} was cancelled`, {
          heading: "Your order was cancelled",
          paragraphs: [shopperCancelReason(d.reason), ...refund],
          action: viewOrder(d.orderId),
        }),
      ];
    }
    case "PaymentProcessed": {
      const d = event.data;
      if (d.subscriptionId !== null && d.status === "declined") {
        const sub = ctx.subscription;
        // The last declined attempt cancels the subscription: its own message says so.
        if (!ctx.subscriptionContact || !sub || sub.status === "cancelled") return [];
        const left = Math.max(0, sub.maxAttempts - sub.failedPayments);
        return [
          toCustomer(
            ctx.subscriptionContact,
            "subscription_payment_declined",
            "billing",
            "We could not charge your card",
            {
              heading: `Your ${sub.planName} payment was declined`,
              paragraphs: [
                `We tried to charge ${formatMoney(d.amountCents, d.currency)} for your next box and your card was declined.`,
                `We will try again tomorrow (${left} ${left === 1 ? "try" : "tries"} left before the subscription ends). Please check or update your card.`,
              ],
              // The account page opens this box's card form (web/src/account/subscriptions.tsx).
              action: {
                label: "Update your card",
                url: `${accountUrl}/subscriptions/${encodeURIComponent(d.subscriptionId)}/card`,
              },
            },
          ),
        ];
      }
      if (!ctx.orderContact || d.orderId === null) return [];
      if (d.status === "declined") {
        return [
          toCustomer(
            ctx.orderContact,
            "payment_declined",
            "order",
            `Payment for order ${orderRef(d.orderId)} was declined`,
            {
              heading: "Your payment was declined",
              paragraphs: [
                "Your bracelets are still reserved for a little while: you can try another card from your order page.",
              ],
              action: { label: "Try another card", url: orderUrl(d.orderId) },
            },
          ),
        ];
      }
      if (d.status === "refunded") {
        return [
          toCustomer(ctx.orderContact, "payment_refunded", "order", `Refund for order ${orderRef(d.orderId)}`, {
            heading: "Your refund is on its way",
            paragraphs: [`We refunded ${formatMoney(d.amountCents, d.currency)} to your card.`],
            action: viewOrder(d.orderId),
          }),
        ];
      }
      return [];
    }
    case "InventoryAdjusted": {
      const d = event.data;
      if (!bringsBackInStock(event)) return [];
      const name = ctx.backInStock?.name ?? d.sku;
      const shoppers = (ctx.backInStock?.waiting ?? []).map((w) => {
        const draft = toCustomer(w, "back_in_stock_available", "marketing", `${name} is back in stock`, {
          heading: `${name} is back`,
          paragraphs: [
            "You asked us to tell you when this bracelet is available again. It is, while stock lasts.",
            "This is the only message you get about it: your request is now closed.",
          ],
          action: { label: "See the bracelet", url: `${base}/products/${encodeURIComponent(d.sku)}` },
        });
        return w.pushScope ? { ...draft, pushScope: w.pushScope } : draft;
      });
      return [
        toStaff("back_in_stock", `${d.sku} is back in stock`, `${d.after.available} available (${d.reason}).`),
        ...shoppers,
      ];
    }
    case "LowStock": {
      const d = event.data;
      return [
        toStaff(
          "low_stock",
          `${d.sku} is running low`,
          `${d.available} left (threshold ${d.threshold}). Restock soon.`,
        ),
      ];
    }
    case "OutOfStock":
      return [toStaff("out_of_stock", `${event.data.sku} is sold out`, "Nothing is available to reserve.")];
    case "InvoiceGenerated": {
      const d = event.data;
      return [
        toCustomer(
          { email: d.email, customerId: d.customerId },
          "invoice_generated",
          "billing",
          `Invoice #${d.number}`,
          {
            heading: `Invoice #${d.number}`,
            paragraphs: [`Your invoice of ${formatMoney(d.totalCents, d.currency)} is ready.`],
            action: d.orderId ? viewOrder(d.orderId) : { label: "Open your account", url: accountUrl },
          },
        ),
      ];
    }
    case "SubscriptionPaymentDue": {
      const d = event.data;
      if (!ctx.subscriptionContact) return [];
      return [
        toCustomer(ctx.subscriptionContact, "subscription_payment_due", "billing", "Your monthly box payment is due", {
          heading: "Your next box is coming",
          paragraphs: [
            `${formatMoney(d.amountCents, d.currency)} will be charged on ${formatDate(d.dueAt)} for your next box.`,
          ],
          action: { label: "Manage your subscription", url: `${accountUrl}/subscriptions` },
        }),
      ];
    }
    case "UserSubscriptionCancelled": {
      const sub = ctx.subscription;
      if (!ctx.subscriptionContact || !sub) return [];
      const dunning = sub.failedPayments >= sub.maxAttempts;
      return [
        toCustomer(
          ctx.subscriptionContact,
          dunning ? "subscription_cancelled_unpaid" : "subscription_cancelled",
          "billing",
          `Your ${sub.planName} subscription has ended`,
          {
            heading: "Your subscription has ended",
            paragraphs: dunning
              ? [
                  "We could not charge your card after several tries, so we cancelled your subscription. Nothing more will be charged.",
                  "You are welcome back any time: start a new subscription from your account.",
                ]
              : ["You cancelled your subscription. Boxes already paid for still arrive; nothing more will be charged."],
            action: { label: "Open your account", url: `${accountUrl}/subscriptions` },
          },
        ),
      ];
    }
    case "UserSignedUp": {
      const d = event.data;
      return [
        toCustomer({ email: d.email, customerId: d.customerId }, "welcome", "account", "Welcome to the Bracelet Shop", {
          heading: `Hello ${d.name}`,
          paragraphs: ["Your account is ready. Orders you place while signed in appear in your account."],
          action: { label: "Open your account", url: accountUrl },
        }),
      ];
    }
    default:
      return [];
  }
}

const HOLD_TIME = new Intl.DateTimeFormat("en-IE", { timeStyle: "short", timeZone: "UTC" });

/**
 * Staff alerts that go to staff devices by push only (the console already shows orders live, so they are not
 * console rows): a new order and an order held for review. Low stock, sold out and back in stock are staff
 * drafts of `draftNotifications` and go to push as well as the console.
 */
export function staffPushAlerts(event: EventEnvelope, shopUrl = ""): NotificationDraft[] {
  const alert = (template: string, subject: string, body: string, orderId: string): NotificationDraft => ({
    audience: "staff",
    customerId: null,
    recipient: "staff",
    template,
    kind: "staff",
    subject,
    body,
    html: null,
    unsubscribeUrl: null,
    link: `${shopUrl}/admin/orders/${encodeURIComponent(orderId)}`,
    short: shorten(body),
  });
  switch (event.type) {
    case "OrderConfirmed": {
      const d = event.data;
      const count = d.items.reduce((n, i) => n + i.qty, 0);
      return [
        alert(
          "staff_new_order",
          `New order ${shortId(d.orderId)}`,
          `${count} ${count === 1 ? "bracelet" : "bracelets"}, ${formatMoney(d.totalCents, d.currency)}.`,
          d.orderId,
        ),
      ];
    }
    case "OrderHeld": {
      const d = event.data;
      return [
        alert(
          "staff_order_held",
          `Order ${shortId(d.orderId)} is held for review`,
          `Risk score ${d.score}. Approve or reject before ${HOLD_TIME.format(d.holdUntil)} UTC.`,
          d.orderId,
        ),
      ];
    }
    default:
      return [];
  }
}

/** The SMS for a customer draft: the subject, the one line and the link (staff drafts never go by SMS). */
export function smsText(draft: Pick<NotificationDraft, "subject" | "short" | "link">): string {
  return [`Bracelet Shop: ${draft.subject}.`, draft.short, draft.link ?? ""].filter(Boolean).join(" ");
}

/** What the service worker receives (JSON, encrypted): it shows `title`/`body` and opens `url` on click. */
export type PushPayload = { title: string; body: string; url: string | null; tag: string };

export function pushPayload(m: { subject: string; short: string; link: string | null; tag: string }): PushPayload {
  return { title: m.subject, body: m.short, url: m.link, tag: m.tag };
}
