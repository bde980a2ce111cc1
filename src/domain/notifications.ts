/**
 * What the shop tells people, and when: pure templates from domain events to message drafts. The
 * Notifications service looks up what an event does not carry (an email address) and delivers the drafts.
 */
import type { EventEnvelope } from "./events";
import { bracelets, shopperCancelReason, shopperMoney } from "./order-wording";

export type NotificationDraft = {
  audience: "customer" | "staff";
  customerId: string | null;
  /** An email address for customers; "staff" for console alerts. */
  recipient: string;
  template: string;
  subject: string;
  body: string;
};

/** What the service must look up before drafting: the order's contact for payment events. */
export type NotificationContext = {
  orderContact?: { email: string; customerId: string | null } | null;
  subscriptionContact?: { email: string; customerId: string } | null;
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
  "UserSignedUp",
] as const;

/** Shopper money (`€112.74`, Intl.NumberFormat), not `112.74 EUR`. */
const money = shopperMoney;
const shortId = (id: string) => id.slice(-8).toUpperCase();

/** The messages an event causes; an empty list when it causes none. */
export function draftNotifications(event: EventEnvelope, ctx: NotificationContext = {}): NotificationDraft[] {
  const toCustomer = (
    contact: { email: string; customerId: string | null },
    template: string,
    subject: string,
    body: string,
  ): NotificationDraft => ({
    audience: "customer",
    customerId: contact.customerId,
    recipient: contact.email,
    template,
    subject,
    body,
  });
  const toStaff = (template: string, subject: string, body: string): NotificationDraft => ({
    audience: "staff",
    customerId: null,
    recipient: "staff",
    template,
    subject,
    body,
  });

  switch (event.type) {
    case "OrderConfirmed": {
      const d = event.data;
      return [
        toCustomer(
          d,
          "order_confirmed",
          `Your order ${shortId(d.orderId)} is confirmed`,
          `Thank you! We are preparing ${bracelets(d.items.reduce((n, i) => n + i.qty, 0))} for you. Total ${money(d.totalCents, d.currency)}.`,
        ),
      ];
    }
    case "OrderShipped": {
      const d = event.data;
      return [
        toCustomer(
          d,
          "order_shipped",
          `Your order ${shortId(d.orderId)} is on its way`,
          `Tracking number: ${d.trackingNumber}.`,
        ),
      ];
    }
    case "OrderDelivered": {
      const d = event.data;
      return [
        toCustomer(
          d,
          "order_delivered",
          `Your order ${shortId(d.orderId)} was delivered`,
          "We hope you love it. Reply to this message if anything is not right.",
        ),
      ];
    }
    case "OrderCancelled": {
      const d = event.data;
      const refund = d.refundedCents > 0 ? ` We refunded ${(d.refundedCents / 100).toFixed(2)}.` : "";
      return [
        toCustomer(
          d,
          "order_cancelled",
          `Your order ${shortId(d.orderId)} was cancelled`,
          // The reason code is the staff's (`fraud`, `rejected_after_review`): shoppers get a sentence.
          `${shopperCancelReason(d.reason)}${refund}`,
        ),
      ];
    }
    case "PaymentProcessed": {
      const d = event.data;
      if (!ctx.orderContact || d.orderId === null) return [];
      if (d.status === "declined") {
        return [
          toCustomer(
            ctx.orderContact,
            "payment_declined",
            `Payment for order ${shortId(d.orderId)} was declined`,
            "Your bracelets are still reserved for a little while: you can try another card from your order page.",
          ),
        ];
      }
      if (d.status === "refunded") {
        return [
          toCustomer(
            ctx.orderContact,
            "payment_refunded",
            `Refund for order ${shortId(d.orderId)}`,
            `We refunded ${money(d.amountCents, d.currency)} to your card.`,
          ),
        ];
      }
      return [];
    }
    case "InventoryAdjusted": {
      const d = event.data;
      if (d.before.available === 0 && d.after.available > 0) {
        return [toStaff("back_in_stock", `${d.sku} is back in stock`, `${d.after.available} available (${d.reason}).`)];
      }
      return [];
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
          `Invoice #${d.number}`,
          // A guest has no account: the order's own link (with its access token) opens the invoice.
          d.customerId
            ? `Your invoice of ${money(d.totalCents, d.currency)} is ready in your account.`
            : `Your invoice of ${money(d.totalCents, d.currency)} is ready: open your order from the link you got at checkout and choose Invoice.`,
        ),
      ];
    }
    case "SubscriptionPaymentDue": {
      const d = event.data;
      if (!ctx.subscriptionContact) return [];
      return [
        toCustomer(
          ctx.subscriptionContact,
          "subscription_payment_due",
          "Your monthly box payment is due",
          `${money(d.amountCents, d.currency)} will be charged for your next box.`,
        ),
      ];
    }
    case "UserSignedUp": {
      const d = event.data;
      return [
        toCustomer(
          { email: d.email, customerId: d.customerId },
          "welcome",
          "Welcome to the Bracelet Shop",
          `Hello ${d.name}, your account is ready. Orders you place while signed in appear in your account.`,
        ),
      ];
    }
    default:
      return [];
  }
}
