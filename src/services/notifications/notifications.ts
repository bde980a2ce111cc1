/**
 * Notifications service: turns domain events into messages (templates in src/domain/notifications.ts) and
 * delivers them at least once, each (event, template, recipient, channel, address) at most once. Which channels
 * and addresses each message goes to is ./fan-out's answer (e-mail or console, push devices, SMS).
 *
 * 1. The rows are written `pending` first (the unique index makes a redelivered event write nothing twice;
 *    back-in-stock requests are closed in the same batch).
 * 2. A row is sent only by the worker holding its lease: the one that wrote it (rows are written leased, with
 *    the recipients' choices read in the same batch), or one that claims a due row (an UPDATE that only one
 *    worker wins). The outcome is recorded: `sent`, or another try later with backoff, or `failed` after the budget.
 * 3. NotificationSent is written with the final outcome, in the same batch as the row, and published: from a
 *    queue consumer logged as published and sent (a failed send fails the handler; the redelivered event sends
 *    it again), from the sweep or a resend marked published once the queue took it.
 *
 * A send that fails, or a crash between writing a row and sending it, leaves the row pending: the cron sweep
 * (`retryDueNotifications`) picks it up; the dedup never skips it.
 */
import type { BatchItem } from "drizzle-orm/batch";
import type { OutgoingMessage } from "../../adapters/channels/channel";
import { type Channels, channelsFor } from "../../adapters/channels/select";
import { loggedAs, newEvent, outboxInserts, type Relay, relayLogged, sendToQueue } from "../../adapters/event-bus";
import { closeBackInStockRequests, productNameOf, waitingSince } from "../../db/back-in-stock";
import { getDb } from "../../db/client";
import { orderContactAndNumber, orderNumberById, subscriptionContact } from "../../db/notification-contacts";
import {
  claimDueNotification,
  dueNotifications,
  dueNotificationsOfEvent,
  finishNotification,
  insertNewNotifications,
  type NewNotificationRow,
  type NotificationRow,
  notificationExists,
  notificationStatus,
  recordRetry,
  reopenFailedNotification,
} from "../../db/notification-delivery";
import { loggedNotificationSent } from "../../db/notifications";
import { backInStockScope, deleteBackInStockDevice, deleteBackInStockDevices } from "../../db/push-subscriptions";
import { MAX_PAYMENT_ATTEMPTS } from "../../domain/billing";
import { ATTEMPT_LEASE_MS, afterFailure, DEFAULT_MAX_ATTEMPTS } from "../../domain/delivery";
import type { EventEnvelope } from "../../domain/events";
import {
  bringsBackInStock,
  draftNotifications,
  NOTIFIED_EVENT_TYPES,
  type NotificationContext,
  staffPushAlerts,
} from "../../domain/notifications";
import { hasOneClickUnsubscribe } from "../../domain/preferences";
import { chunks } from "../../lib/chunks";
import { newId } from "../../lib/ids";
import type { BatchSubscriber } from "../subscribers/subscriber";
import { deliveriesFor } from "./fan-out";
import { preferencesOf, unsubscribeUrl, type Wants, wants, wantsFrom } from "./unsubscribe";

type Row = NotificationRow;
/** One insert statement binds at most 100 parameters; a notification row binds 19. */
const ROWS_PER_INSERT = 5;
/** Recipients whose choices one read asks for (one placeholder each). */
const PREFERENCES_PER_READ = 90;
/** Waiting shoppers told per restock event (the rest stay waiting for the next one). */
const BACK_IN_STOCK_BATCH = 500;

function maxAttempts(env: Env): number {
  const n = Number(env.NOTIFY_MAX_ATTEMPTS);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_MAX_ATTEMPTS;
}

export function shopUrl(env: Env): string {
  return (env.SHOP_URL || "http://localhost:8787").replace(/\/+$/, "");
}

const ORDER_MESSAGE_EVENTS = new Set(["OrderConfirmed", "OrderShipped", "OrderDelivered", "OrderCancelled"]);

/** `backInStockPushIds`: the closed requests that wait on a device (forgotten if no push message is written). */
type Lookup = { ctx: NotificationContext; backInStockIds: string[]; backInStockPushIds?: string[] };

async function lookupContext(event: EventEnvelope, env: Env): Promise<Lookup> {
  const db = getDb(env.DB);
  const ctx: NotificationContext = { shopUrl: shopUrl(env) };
  // Only a decline or a refund tells the shopper anything (src/domain/notifications.ts): an authorization or a
  // capture, two per checkout, needs no contact read.
  if (
    event.type === "PaymentProcessed" &&
    event.data.orderId &&
    (event.data.status === "declined" || event.data.status === "refunded")
  ) {
    const order = await orderContactAndNumber(db, event.data.orderId);
    const orderContact = order ? { email: order.email, customerId: order.customerId } : null;
    return { ctx: { ...ctx, orderContact, orderNumber: order?.number ?? null }, backInStockIds: [] };
  }
  // Order messages name the order by its number in the subject; the event carries only the id.
  if (ORDER_MESSAGE_EVENTS.has(event.type) && "orderId" in event.data && typeof event.data.orderId === "string") {
    // Order events carry the number since it was added to them; older ones are looked up.
    if ("orderNumber" in event.data && typeof event.data.orderNumber === "number") {
      return { ctx: { ...ctx, orderNumber: event.data.orderNumber }, backInStockIds: [] };
    }
    const order = await orderNumberById(db, event.data.orderId);
    return { ctx: { ...ctx, orderNumber: order?.number ?? null }, backInStockIds: [] };
  }
  const subscriptionId =
    event.type === "SubscriptionPaymentDue" || event.type === "UserSubscriptionCancelled"
      ? event.data.subscriptionId
      : event.type === "PaymentProcessed" && event.data.status === "declined"
        ? event.data.subscriptionId
        : null;
  if (subscriptionId) {
    const row = await subscriptionContact(db, subscriptionId);
    if (!row) return { ctx: { ...ctx, subscriptionContact: null }, backInStockIds: [] };
    return {
      ctx: {
        ...ctx,
        subscriptionContact: { email: row.email, customerId: row.customerId },
        subscription: { ...row, maxAttempts: MAX_PAYMENT_ATTEMPTS },
      },
      backInStockIds: [],
    };
  }
  if (event.type === "InventoryAdjusted" && bringsBackInStock(event)) {
    const sku = event.data.sku;
    const [product, waiting] = await Promise.all([
      productNameOf(db, sku),
      // Only those who were waiting when the stock came back: a redelivered event answers no later sign-up.
      waitingSince(db, sku, event.occurredAt, BACK_IN_STOCK_BATCH),
    ]);
    const shoppers = waiting.map((w) => ({
      email: w.email,
      customerId: w.customerId,
      pushScope: w.channel === "push" ? backInStockScope(w.id) : null,
    }));
    return {
      ctx: { ...ctx, backInStock: { name: product?.name ?? sku, waiting: shoppers } },
      backInStockIds: waiting.map((w) => w.id),
      backInStockPushIds: waiting.filter((w) => w.channel === "push").map((w) => w.id),
    };
  }
  return { ctx, backInStockIds: [] };
}

const rowKey = (r: { template: string; recipient: string; channel: string; address: string }) =>
  `${r.template}|${r.recipient}|${r.channel}|${r.address}`;

/** An event's messages ready to write: the rows, leased to this attempt, and the statements that write them. */
type Plan = {
  event: EventEnvelope;
  rows: (NewNotificationRow & { channel: string; address: string })[];
  inserts: BatchItem<"sqlite">[];
  closes: BatchItem<"sqlite">[];
};

/** Drafts an event's messages and the statements that write them (nothing yet): null when it has none. */
async function planFor(event: EventEnvelope, env: Env, channels: Channels, now: number): Promise<Plan | null> {
  const { ctx, backInStockIds, backInStockPushIds = [] } = await lookupContext(event, env);
  let drafts = draftNotifications(event, ctx);
  const pushOnly = staffPushAlerts(event, shopUrl(env));
  if (drafts.length === 0 && pushOnly.length === 0) return null;
  // Marketing e-mail carries a signed one-click unsubscribe link: sign one per recipient, then draft again.
  const marketing = drafts.filter((d) => d.audience === "customer" && hasOneClickUnsubscribe(d.kind) && !d.pushScope);
  if (marketing.length > 0) {
    const links = new Map<string, string>();
    for (const d of marketing) {
      links.set(d.recipient, await unsubscribeUrl(env, shopUrl(env), d.recipient, "marketing"));
    }
    drafts = draftNotifications(event, { ...ctx, unsubscribe: links });
  }
  const db = getDb(env.DB);
  const deliveries = await deliveriesFor(env, event, drafts, pushOnly, channels);
  // Written already leased to this attempt (not due before the lease ends): nobody else picks them up while this
  // worker sends them, and a crash before the send leaves them to the sweep once the lease is over. That saves
  // the claim's UPDATE per message on the usual path.
  const leasedUntil = now + ATTEMPT_LEASE_MS;
  const rows = deliveries.map(({ unsubscribeUrl: link, pushScope: _device, ...d }) => ({
    ...d,
    headers: link ? { "List-Unsubscribe": `<${link}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } : null,
    id: newId("ntf"),
    eventId: event.id,
    status: "pending" as const,
    attempts: 0,
    nextAttemptAt: leasedUntil,
    createdAt: now,
  }));
  const inserts: BatchItem<"sqlite">[] = chunks(rows, ROWS_PER_INSERT).map((part) => insertNewNotifications(db, part));
  const closes: BatchItem<"sqlite">[] = chunks(backInStockIds, 90).map((part) =>
    closeBackInStockRequests(db, part, now),
  );
  // A device request whose message has no push row (push is not configured any more) is closed with nothing to
  // send: forget its device now. Those with a row are forgotten when the row is done (`finish`).
  const pushed = new Set(deliveries.map((d) => d.pushScope));
  const unsent = backInStockPushIds.filter((id) => !pushed.has(backInStockScope(id)));
  if (unsent.length > 0) closes.push(deleteBackInStockDevices(db, unsent));
  if (rows.length === 0 && closes.length === 0) return null;
  return { event, rows, inserts, closes };
}

/**
 * Writes the event's messages (once) and attempts every one that is due, in draft order. Returns how many
 * attempts it made.
 */
export async function notify(
  event: EventEnvelope,
  env: Env,
  channels: Channels = channelsFor(env),
  now = Date.now(),
): Promise<number> {
  return notifyAll([event], env, channels, now);
}

/**
 * `notify` for every event of one queue delivery at once, so a delivery costs the same D1 round trips whatever
 * it holds (a sale's delivery holds dozens of confirmations and invoices): one batch writes every event's rows
 * with the recipients' choices, the sends run (one recipient's messages in delivery order, recipients side by
 * side), and one batch records every outcome with its NotificationSent, published in one send. Returns how many
 * attempts it made.
 */
export async function notifyAll(
  events: readonly EventEnvelope[],
  env: Env,
  channels: Channels = channelsFor(env),
  now = Date.now(),
): Promise<number> {
  const plans = (await Promise.all(events.map((e) => planFor(e, env, channels, now)))).filter(
    (p): p is Plan => p !== null,
  );
  if (plans.length === 0) return 0;
  const db = getDb(env.DB);
  // The recipients' channel choices come back in the same round trip as the rows (a statement binds at most 100).
  const recipients = [...new Set(plans.flatMap((p) => p.rows.map((r) => r.recipient)))];
  const choices = (recipients.length > 0 ? chunks(recipients, PREFERENCES_PER_READ) : [[]]).map((part) =>
    preferencesOf(db, part),
  );
  const [first, ...rest] = choices;
  if (!first) return 0;
  const results = await db.batch([first, ...rest, ...plans.flatMap((p) => [...p.inserts, ...p.closes])]);
  const wanted = wantsFrom(results.slice(0, choices.length).flat() as Parameters<typeof wantsFrom>[0]);

  let at = choices.length;
  const fresh: Row[] = [];
  const redelivered: { event: EventEnvelope; mine: Set<string>; byDraftOrder: (a: Row, b: Row) => number }[] = [];
  for (const p of plans) {
    const written = results.slice(at, at + p.inserts.length).flat() as Row[];
    at += p.inserts.length + p.closes.length;
    const order = new Map(p.rows.map((r, i) => [rowKey(r), i]));
    const byDraftOrder = (a: Row, b: Row) => (order.get(rowKey(a)) ?? 0) - (order.get(rowKey(b)) ?? 0);
    fresh.push(...written.sort(byDraftOrder));
    // A redelivered event: some rows were written before.
    if (written.length < p.rows.length) {
      redelivered.push({ event: p.event, mine: new Set(written.map((r) => r.id)), byDraftOrder });
    }
  }
  await sendEach(env, fresh, channels, now, wanted);
  let attempted = fresh.length;
  for (const { event, mine, byDraftOrder } of redelivered) {
    // Their NotificationSent may have been logged but never reached the queue (the first delivery died after its
    // batch): send those of the finished rows again (consumers take an event id once). Rows still pending and
    // due get an attempt, claimed first.
    await sendToQueue(env, await loggedNotificationSent(db, event.id));
    const due = await dueNotificationsOfEvent(db, event.id, now);
    for (const row of due.filter((r) => !mine.has(r.id)).sort(byDraftOrder)) {
      if (await attempt(env, row, channels, now)) attempted++;
    }
  }
  return attempted;
}

/**
 * Sends rows this worker holds the lease on: one recipient's in the given order, different recipients side by
 * side. The final outcomes are recorded together once every send has answered (`finishAll`); a send that threw
 * is rethrown after that, so the others' outcomes are not lost to it.
 */
async function sendEach(env: Env, rows: readonly Row[], channels: Channels, now: number, wanted: Wants) {
  const byRecipient = new Map<string, number[]>();
  for (const [i, row] of rows.entries()) {
    const mine = byRecipient.get(row.recipient);
    if (mine) mine.push(i);
    else byRecipient.set(row.recipient, [i]);
  }
  // Logged in the rows' order (a restock's shoppers in sign-up order), whichever send answered first.
  const outcomes: (Finished | null)[] = rows.map(() => null);
  const sent = await Promise.allSettled(
    [...byRecipient.values()].map(async (mine) => {
      for (const i of mine) outcomes[i] = await sendOne(env, rows[i] as Row, 0, channels, now, wanted);
    }),
  );
  await finishAll(
    env,
    outcomes.filter((o): o is Finished => o !== null),
    now,
    "redelivered",
  );
  const failed = sent.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
}

/** The cron sweep's part: every pending message whose time has come gets its next attempt. */
export async function retryDueNotifications(
  env: Env,
  now: number,
  channels: Channels = channelsFor(env),
  limit = 100,
): Promise<number> {
  const due = await dueNotifications(getDb(env.DB), now, limit);
  let attempted = 0;
  for (const row of due) if (await attempt(env, row, channels, now)) attempted++;
  return attempted;
}

export type ResendResult = { ok: true; status: Row["status"] } | { ok: false; reason: "not_found" | "not_failed" };

/** Staff's "send again" for a message given up as failed: a fresh retry budget, first attempt now. */
export async function resendNotification(
  env: Env,
  id: string,
  now = Date.now(),
  channels: Channels = channelsFor(env),
): Promise<ResendResult> {
  const db = getDb(env.DB);
  const reopened = await reopenFailedNotification(db, id, now);
  if (!reopened) {
    const exists = await notificationExists(db, id);
    return { ok: false, reason: exists ? "not_failed" : "not_found" };
  }
  await attempt(env, reopened, channels, now);
  const after = await notificationStatus(db, id);
  return { ok: true, status: after?.status ?? "pending" };
}

/**
 * One attempt at one row. The claim moves `next_attempt_at` past a lease, so a concurrent worker (the queue's
 * redelivery, the sweep) finds it not due and leaves it alone; a crash mid-send frees it when the lease ends.
 * Returns false when another worker holds the row or it is no longer pending.
 */
async function attempt(env: Env, row: Row, channels: Channels, now: number): Promise<boolean> {
  const claimed = await claimDueNotification(getDb(env.DB), row.id, now, now + ATTEMPT_LEASE_MS);
  if (!claimed) return false;
  await deliver(env, row, claimed.attempts, channels, now);
  return true;
}

type Outcome = { status: "sent" | "failed" | "suppressed"; attempts: number; providerId?: string; error?: string };
type Finished = { row: Row; outcome: Outcome };

/** Sends a row this worker holds the lease on and records its outcome (`sendOne`, then `finishAll`). */
async function deliver(env: Env, row: Row, attemptsSoFar: number, channels: Channels, now: number): Promise<void> {
  const done = await sendOne(env, row, attemptsSoFar, channels, now);
  if (done) await finishAll(env, [done], now, "mark");
}

/**
 * Sends a row this worker holds the lease on. Returns its final outcome, for the caller to record: `sent`,
 * `suppressed` (opted out, or no such channel here) or `failed` once the budget is spent; a failure with budget
 * left is recorded here as another try later, with backoff (null). `wanted` answers the recipient's choices when
 * they were read already; otherwise they are read here.
 */
async function sendOne(
  env: Env,
  row: Row,
  attemptsSoFar: number,
  channels: Channels,
  now: number,
  wanted?: Wants,
): Promise<Finished | null> {
  const wantsIt = wanted
    ? wanted(row.recipient, row.kind, row.channel)
    : await wants(env, row.recipient, row.kind, row.channel);
  if (!wantsIt)
    return { row, outcome: { status: "suppressed", attempts: attemptsSoFar, error: "recipient opted out" } };
  const channel = channels[row.channel];
  if (!channel) {
    return { row, outcome: { status: "suppressed", attempts: attemptsSoFar, error: "channel not configured" } };
  }
  const message: OutgoingMessage = {
    id: row.id,
    to: row.recipient,
    subject: row.subject,
    text: row.body,
    html: row.html,
    headers: row.headers ?? {},
    address: row.address,
    link: row.link,
  };
  const result = await channel.send(message);
  const attempts = attemptsSoFar + 1;
  if (result.ok) return { row, outcome: { status: "sent", attempts, providerId: result.providerId ?? undefined } };
  const next = result.retry === false ? ({ status: "failed" } as const) : afterFailure(attempts, now, maxAttempts(env));
  if (next.status === "failed") return { row, outcome: { status: "failed", attempts, error: result.error } };
  await recordRetry(getDb(env.DB), row.id, { attempts, lastError: result.error, nextAttemptAt: next.nextAttemptAt });
  return null;
}

/** The rows' final states and their NotificationSent, committed together in one batch, then published in one send. */
async function finishAll(env: Env, done: readonly Finished[], now: number, relay: Relay): Promise<void> {
  if (done.length === 0) return;
  const db = getDb(env.DB);
  const events = done.map(({ row, outcome }) =>
    newEvent(
      "NotificationSent",
      `notification:${row.id}`,
      {
        notificationId: row.id,
        audience: row.audience,
        recipient: row.recipient,
        template: row.template,
        channel: row.channel,
        ...outcome,
      },
      now,
    ),
  );
  const [first, ...rest] = [
    ...done.map(({ row, outcome }) => finishNotification(db, row.id, outcome, now)),
    ...outboxInserts(db, events, loggedAs(relay, now)),
    // A back-in-stock request's device was kept for this one message: it is told, so forget it.
    ...done
      .filter(({ row }) => row.channel === "push" && row.template === "back_in_stock_available")
      .map(({ row }) => deleteBackInStockDevice(db, row.address)),
  ];
  if (first) await db.batch([first, ...rest]);
  await relayLogged(env, events, relay, now);
}

/**
 * Per queue delivery, not per event (`notifyAll`): a sale's delivery carries dozens of confirmations and
 * invoices, and per event each cost two D1 round trips and a queue send.
 */
export const notificationsSubscriber: BatchSubscriber = {
  name: "notifications",
  types: NOTIFIED_EVENT_TYPES,
  handleBatch: async (events, env) => {
    await notifyAll(events, env);
  },
};
