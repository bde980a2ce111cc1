/**
 * The facts the fraud rules read (src/domain/fraud.ts), for an order's payment attempt
 * (src/services/subscribers/fraud.ts) and for a subscription's renewal (src/services/billing/renewal-fraud.ts).
 * Each set is one D1 batch of counts.
 */
import { and, avg, count, eq, gte, inArray, ne, sql } from "drizzle-orm";
import type { Db } from "./client";
import { bound, preparedOnce } from "./prepared";
import { customers, orders, payments, subscriptions } from "./schema";

const PAID = ["confirmed", "shipped", "delivered"];

/** The shipping address on order `orderId`'s mirror, or undefined when the order is not in D1 (yet). */
export async function orderShippingAddress(db: Db, orderId: string) {
  return db.select({ shippingAddress: orders.shippingAddress }).from(orders).where(eq(orders.id, orderId)).get();
}

/**
 * In one D1 batch, for a payment attempt on order `orderId` (the order itself left out of the counts): orders by
 * `email` since `hourAgo`; the shopper's paid orders (by customer, or by e-mail for a guest) and their average;
 * declined payments on orders by `email` since `dayAgo`; and only when asked, orders from `ip` since `hourAgo`
 * (null when `ip` is null) and the account's creation time (null for a guest).
 */
export async function paymentFraudFacts(
  db: Db,
  q: { orderId: string; email: string; customerId: string | null; ip: string | null; hourAgo: number; dayAgo: number },
) {
  // Every payment attempt reads them: each rendered once per isolate (./prepared.ts).
  const p = sql.placeholder;
  const byEmail = bound(
    preparedOnce(db, "fraud.orders_by_email", () =>
      db
        .select({ n: count() })
        .from(orders)
        .where(and(eq(orders.email, p("email")), gte(orders.createdAt, p("hourAgo")), ne(orders.id, p("orderId")))),
    ),
    { email: q.email, hourAgo: q.hourAgo, orderId: q.orderId },
  );
  const owner = q.customerId ? "customer" : "email";
  const history = bound(
    preparedOnce(db, `fraud.paid_history.${owner}`, () =>
      db
        .select({ n: count(), average: avg(orders.totalCents) })
        .from(orders)
        .where(
          and(
            owner === "customer" ? eq(orders.customerId, p("owner")) : eq(orders.email, p("owner")),
            inArray(orders.status, PAID),
            ne(orders.id, p("orderId")),
          ),
        ),
    ),
    { owner: q.customerId ?? q.email, orderId: q.orderId },
  );
  const declines = bound(
    preparedOnce(db, "fraud.declines_by_email", () =>
      db
        .select({ n: count() })
        .from(payments)
        .innerJoin(orders, eq(orders.id, payments.orderId))
        .where(
          and(eq(orders.email, p("email")), eq(payments.status, "declined"), gte(payments.createdAt, p("dayAgo"))),
        ),
    ),
    { email: q.email, dayAgo: q.dayAgo },
  );
  const byIp =
    q.ip === null
      ? null
      : bound(
          preparedOnce(db, "fraud.orders_by_ip", () =>
            db
              .select({ n: count() })
              .from(orders)
              .where(and(eq(orders.ip, p("ip")), gte(orders.createdAt, p("hourAgo")), ne(orders.id, p("orderId")))),
          ),
          { ip: q.ip, hourAgo: q.hourAgo, orderId: q.orderId },
        );
  const account = q.customerId
    ? bound(
        preparedOnce(db, "fraud.account_created", () =>
          db
            .select({ createdAt: customers.createdAt })
            .from(customers)
            .where(eq(customers.id, p("customerId"))),
        ),
        { customerId: q.customerId },
      )
    : null;
  const [emailRows, historyRows, declineRows, ...optional] = await db.batch([
    byEmail,
    history,
    declines,
    ...(byIp ? [byIp] : []),
    ...(account ? [account] : []),
  ]);
  const ipRows = byIp ? (optional.shift() as { n: number }[]) : null;
  const accountRows = account ? (optional.shift() as { createdAt: number }[]) : null;
  return { emailRows, historyRows, declineRows, ipRows, accountRows };
}

/**
 * In one D1 batch, for a renewal of a subscription of `customerId`: their paid orders and the average, their
 * account's creation time, and their declined payments since `dayAgo` on orders and on subscriptions.
 */
export async function renewalFraudFacts(db: Db, customerId: string, dayAgo: number) {
  const [history, account, orderDeclines, subscriptionDeclines] = await db.batch([
    db
      .select({ n: count(), average: avg(orders.totalCents) })
      .from(orders)
      .where(and(eq(orders.customerId, customerId), inArray(orders.status, PAID))),
    db.select({ createdAt: customers.createdAt }).from(customers).where(eq(customers.id, customerId)),
    db
      .select({ n: count() })
      .from(payments)
      .innerJoin(orders, eq(orders.id, payments.orderId))
      .where(and(eq(orders.customerId, customerId), eq(payments.status, "declined"), gte(payments.createdAt, dayAgo))),
    db
      .select({ n: count() })
      .from(payments)
      .innerJoin(subscriptions, eq(subscriptions.id, payments.subscriptionId))
      .where(
        and(eq(subscriptions.customerId, customerId), eq(payments.status, "declined"), gte(payments.createdAt, dayAgo)),
      ),
  ]);
  return { history, account, orderDeclines, subscriptionDeclines };
}
