/**
 * What the notifications service reads about the order or subscription an event is about: who to tell, and
 * what to call it (src/services/notifications/notifications.ts, ./fan-out.ts).
 */
import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { customers, orders, plans, subscriptions } from "./schema";

/** The order's contact and number, or undefined when the mirror has no such order. */
export async function orderContactAndNumber(db: Db, orderId: string) {
  return db
    .select({ email: orders.email, customerId: orders.customerId, number: orders.number })
    .from(orders)
    .where(eq(orders.id, orderId))
    .get();
}

/** The order's number, or undefined when the mirror has no such order. */
export async function orderNumberById(db: Db, orderId: string) {
  return db.select({ number: orders.number }).from(orders).where(eq(orders.id, orderId)).get();
}

/** The order's shipping address (where its phone number is), or undefined when the mirror has no such order. */
export async function orderShippingAddress(db: Db, orderId: string) {
  return db.select({ address: orders.shippingAddress }).from(orders).where(eq(orders.id, orderId)).get();
}

/** The subscriber's contact, the plan's name and the subscription's dunning state, or undefined when unknown. */
export async function subscriptionContact(db: Db, subscriptionId: string) {
  return db
    .select({
      email: customers.email,
      customerId: customers.id,
      planName: plans.name,
      status: subscriptions.status,
      failedPayments: subscriptions.failedPayments,
    })
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .where(eq(subscriptions.id, subscriptionId))
    .get();
}
