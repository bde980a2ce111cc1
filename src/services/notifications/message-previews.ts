/**
 * Every customer template rendered with sample data, for the console's preview (nothing is stored or sent).
 * One sample event per message the shop can send; the sample contact is fictional.
 */

import { newEvent } from "../../adapters/event-bus";
import { draftNotifications, type NotificationDraft } from "../../domain/notifications";

const contact = { email: "sample.shopper@example.com", customerId: "cus_sample" };

export function messagePreviews(shopUrl: string, now = Date.now()): NotificationDraft[] {
  const order = { orderId: "ord_sample0000ab12cd34", sequence: 1, ...contact };
  const ctx = {
    shopUrl,
    orderContact: contact,
    orderNumber: 1001,
    subscriptionContact: contact,
    backInStock: { name: "Moonstone Cuff", waiting: [contact] },
  };
  const events = [
    newEvent(
      "OrderConfirmed",
      "order:sample",
      {
        ...order,
        items: [{ sku: "BR-MOON", qty: 2, unitPriceCents: 2450 }],
        totalCents: 5880,
        currency: "EUR",
      },
      now,
    ),
    newEvent("OrderShipped", "order:sample", { ...order, trackingNumber: "TRK123456789" }, now),
    newEvent("OrderDelivered", "order:sample", order, now),
    newEvent(
      "OrderCancelled",
      "order:sample",
      { ...order, reason: "cancelled_by_customer", by: "customer", refundedCents: 5880 },
      now,
    ),
    newEvent(
      "PaymentProcessed",
      "payment:sample",
      {
        paymentId: "pay_sample",
        orderId: order.orderId,
        subscriptionId: null,
        status: "declined",
        amountCents: 5880,
        currency: "EUR",
      },
      now,
    ),
    newEvent(
      "InventoryAdjusted",
      "sku:BR-MOON",
      {
        sku: "BR-MOON",
        reason: "restock",
        delta: 5,
        actor: "staff",
        orderId: null,
        before: { onHand: 0, reserved: 0, available: 0 },
        after: { onHand: 5, reserved: 0, available: 5 },
      },
      now,
    ),
    newEvent(
      "InvoiceGenerated",
      "invoice:sample",
      {
        invoiceId: "inv_sample",
        number: 1042,
        ...contact,
        orderId: order.orderId,
        subscriptionId: null,
        totalCents: 5880,
        currency: "EUR",
      },
      now,
    ),
    newEvent(
      "SubscriptionPaymentDue",
      "subscription:sample",
      {
        subscriptionId: "sub_sample",
        customerId: contact.customerId,
        invoiceId: null,
        amountCents: 2900,
        currency: "EUR",
        dueAt: now + 3 * 86_400_000,
      },
      now,
    ),
    newEvent("UserSignedUp", "customer:sample", { ...contact, name: "Sam" }, now),
  ];
  return events.flatMap((e) => draftNotifications(e, ctx)).filter((d) => d.audience === "customer");
}
