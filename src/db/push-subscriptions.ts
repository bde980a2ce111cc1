/** Queries on `push_subscriptions` (src/db/schema.ts): who receives what on which device. */
import { and, eq, inArray, like } from "drizzle-orm";
import { newId } from "../lib/ids";
import type { Db } from "./client";
import { pushSubscriptions } from "./schema";

export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;
export type NewPushSubscription = {
  endpoint: string;
  p256dh: string;
  auth: string;
  audience: "customer" | "staff";
  scope: string;
  customerId: string | null;
  orderId: string | null;
  email: string;
};

export const orderScope = (orderId: string) => `order:${orderId}`;
export const customerScope = (customerId: string) => `customer:${customerId}`;
export const staffScope = (staffId: string) => `staff:${staffId}`;
/** One back-in-stock request's device: told once when the SKU is back, then forgotten. */
export const backInStockScope = (requestId: string) => `bis:${requestId}`;

/** Stores a browser's subscription for `scope`; subscribing the same browser again refreshes its keys. */
export async function savePushSubscription(db: Db, sub: NewPushSubscription, now: number) {
  return db
    .insert(pushSubscriptions)
    .values({ ...sub, id: newId("psub"), createdAt: now })
    .onConflictDoUpdate({
      target: [pushSubscriptions.endpoint, pushSubscriptions.scope],
      set: { p256dh: sub.p256dh, auth: sub.auth, email: sub.email },
    })
    .returning({ id: pushSubscriptions.id })
    .get();
}

/** Every subscription of any of `scopes`, oldest first (chunked: one statement binds at most 100 values). */
export async function subscriptionsIn(db: Db, scopes: string[]): Promise<PushSubscriptionRow[]> {
  const unique = [...new Set(scopes)];
  const rows: PushSubscriptionRow[] = [];
  for (let i = 0; i < unique.length; i += 90) {
    rows.push(
      ...(await db
        .select()
        .from(pushSubscriptions)
        .where(inArray(pushSubscriptions.scope, unique.slice(i, i + 90)))),
    );
  }
  return rows.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

/** One subscription per endpoint: a device subscribed for an order and for its account hears once. */
export function onePerDevice(rows: PushSubscriptionRow[]): PushSubscriptionRow[] {
  const byEndpoint = new Map<string, PushSubscriptionRow>();
  for (const r of rows) if (!byEndpoint.has(r.endpoint)) byEndpoint.set(r.endpoint, r);
  return [...byEndpoint.values()];
}

/** Every staff member's subscribed devices. */
export async function staffSubscriptions(db: Db): Promise<PushSubscriptionRow[]> {
  const rows = await db.select().from(pushSubscriptions).where(eq(pushSubscriptions.audience, "staff"));
  return onePerDevice(rows.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)));
}

export async function pushSubscriptionById(db: Db, id: string) {
  return db.select().from(pushSubscriptions).where(eq(pushSubscriptions.id, id)).get();
}

/** Forgets a device everywhere it was subscribed (the browser unsubscribed, or the push service said it is gone). */
export async function deletePushEndpoint(db: Db, endpoint: string): Promise<number> {
  const gone = await db
    .delete(pushSubscriptions)
    .where(eq(pushSubscriptions.endpoint, endpoint))
    .returning({ id: pushSubscriptions.id });
  return gone.length;
}

/** Forgets the devices of closed back-in-stock requests (their `bis:` subscriptions only). */
export function deleteBackInStockDevices(db: Db, requestIds: string[]) {
  return db.delete(pushSubscriptions).where(inArray(pushSubscriptions.scope, requestIds.map(backInStockScope)));
}

/** Forgets one back-in-stock device once its message is done (never a device's order, account or staff scope). */
export function deleteBackInStockDevice(db: Db, subscriptionId: string) {
  return db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.id, subscriptionId), like(pushSubscriptions.scope, "bis:%")));
}
