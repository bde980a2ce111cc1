/** What D1 knows that the fraud rules (src/domain/fraud.ts) weigh, for one payment attempt of one order. */
import { and, avg, count, eq, gte, inArray, ne, sql } from "drizzle-orm";
import type { Db } from "./client";
import { customers, orders, payments } from "./schema";

const PAID = ["confirmed", "shipped", "delivered"];

export type FraudSignals = {
  shippingCountry: string;
  emailOrdersSince: number;
  /** null when no IP was asked about. */
  ipOrdersSince: number | null;
  paidOrders: number;
  averagePaidCents: number;
  accountCreatedAt: number | null;
  declinesSince: number;
};

/**
 * Counts, in one batch, the other orders of the email (and of the IP, when `ip` is given) since `velocitySince`,
 * the shopper's paid orders (by account, else by email) and their average, the account's creation, and the
 * email's declined payments since `declinesSince`. Undefined when the order is not in D1 (yet).
 */
export async function fraudSignals(
  db: Db,
  q: {
    orderId: string;
    email: string;
    customerId: string | null;
    ip: string | null;
    velocitySince: number;
    declinesSince: number;
  },
): Promise<FraudSignals | undefined> {
  const order = await db
    .select({ shippingAddress: orders.shippingAddress })
    .from(orders)
    .where(eq(orders.id, q.orderId))
    .get();
  if (!order) return undefined;
  const owner = q.customerId ? eq(orders.customerId, q.customerId) : eq(orders.email, q.email);
  const never = sql`0 = 1`;
  const [byEmail, byIp, history, account, declines] = await db.batch([
    db
      .select({ n: count() })
      .from(orders)
      .where(and(eq(orders.email, q.email), gte(orders.createdAt, q.velocitySince), ne(orders.id, q.orderId))),
    db
      .select({ n: count() })
      .from(orders)
      .where(
        q.ip !== null
          ? and(eq(orders.ip, q.ip), gte(orders.createdAt, q.velocitySince), ne(orders.id, q.orderId))
          : never,
      ),
    db
      .select({ n: count(), average: avg(orders.totalCents) })
      .from(orders)
      .where(and(owner, inArray(orders.status, PAID), ne(orders.id, q.orderId))),
    db
      .select({ createdAt: customers.createdAt })
      .from(customers)
      .where(q.customerId ? eq(customers.id, q.customerId) : never),
    db
      .select({ n: count() })
      .from(payments)
      .innerJoin(orders, eq(orders.id, payments.orderId))
      .where(and(eq(orders.email, q.email), eq(payments.status, "declined"), gte(payments.createdAt, q.declinesSince))),
  ]);
  return {
    shippingCountry: order.shippingAddress.country,
    emailOrdersSince: byEmail[0]?.n ?? 0,
    ipOrdersSince: q.ip !== null ? (byIp[0]?.n ?? 0) : null,
    paidOrders: history[0]?.n ?? 0,
    averagePaidCents: Number(history[0]?.average ?? 0),
    accountCreatedAt: account[0]?.createdAt ?? null,
    declinesSince: declines[0]?.n ?? 0,
  };
}
