/**
 * Which channels each drafted message goes to, and where: e-mail (customers) or the console (staff) always;
 * Web Push to every subscribed device of the order, the account or staff; SMS to the order's phone number.
 * Push and SMS rows are only written when the channel is configured (VAPID keys, an SMS provider), so a shop
 * without them records nothing it could never send. Preferences are checked when each row's attempt comes.
 * A back-in-stock request made by push (`pushScope`) goes to its one device only: no e-mail, no other device.
 */
import type { Channels } from "../../adapters/channels/select";
import { getDb } from "../../db/client";
import { orderShippingAddress } from "../../db/notification-contacts";
import {
  customerScope,
  onePerDevice,
  orderScope,
  staffSubscriptions,
  subscriptionsIn,
} from "../../db/push-subscriptions";
import type { EventEnvelope } from "../../domain/events";
import { type NotificationDraft, smsText } from "../../domain/notifications";

/** One message on one channel: the draft's content as that channel sends it. */
export type Delivery = Omit<NotificationDraft, "unsubscribeUrl" | "short"> & {
  channel: string;
  address: string;
  unsubscribeUrl: string | null;
};

/** The order an event is about, when it is about one (its phone number and its order-page subscriptions). */
function orderIdOf(event: EventEnvelope): string | null {
  const data = event.data as { orderId?: unknown };
  return typeof data.orderId === "string" ? data.orderId : null;
}

/** A phone number as the providers want it (E.164-ish): digits with an optional leading +. */
export function dialable(phone: string): string | null {
  const digits = phone.replace(/[^0-9+]/g, "");
  const normal = digits.startsWith("+") ? `+${digits.slice(1).replace(/\+/g, "")}` : digits.replace(/\+/g, "");
  return /^\+?[0-9]{6,15}$/.test(normal) ? normal : null;
}

async function orderPhone(env: Env, orderId: string): Promise<string | null> {
  const row = await orderShippingAddress(getDb(env.DB), orderId);
  const phone = (row?.address as { phone?: string } | null | undefined)?.phone;
  return phone ? dialable(phone) : null;
}

/**
 * Every delivery for an event's drafts. `pushOnly` are staff alerts that exist only as push (new order, held
 * for review).
 */
export async function deliveriesFor(
  env: Env,
  event: EventEnvelope,
  drafts: NotificationDraft[],
  pushOnly: NotificationDraft[],
  channels: Channels,
): Promise<Delivery[]> {
  const db = getDb(env.DB);
  const orderId = orderIdOf(event);
  const pushOn = Boolean(channels.push);
  const customerDrafts = drafts.filter((d) => d.audience === "customer");
  const anyStaff = drafts.some((d) => d.audience === "staff") || pushOnly.length > 0;

  const staffDevices = pushOn && anyStaff ? await staffSubscriptions(db) : [];
  // One read for every shopper of the event (a restock tells hundreds): their accounts' devices and the order's.
  const scopesOf = (d: NotificationDraft) =>
    d.pushScope
      ? [d.pushScope]
      : [...(orderId ? [orderScope(orderId)] : []), ...(d.customerId ? [customerScope(d.customerId)] : [])];
  const devices = pushOn ? await subscriptionsIn(db, customerDrafts.flatMap(scopesOf)) : [];
  const devicesOf = (d: NotificationDraft) => {
    const scopes = new Set(scopesOf(d));
    return onePerDevice(devices.filter((s) => scopes.has(s.scope)));
  };
  const phone =
    channels.sms && orderId && customerDrafts.some((d) => d.kind === "order") ? await orderPhone(env, orderId) : null;

  const out: Delivery[] = [];
  const as = (d: NotificationDraft, channel: string, address: string, body = d.body, html = d.html): Delivery => {
    const { short: _short, unsubscribeUrl, pushScope, ...rest } = d;
    return {
      ...rest,
      channel,
      address,
      body,
      html,
      unsubscribeUrl: channel === "email" ? unsubscribeUrl : null,
      ...(pushScope ? { pushScope } : {}),
    };
  };
  const heard = new Set<string>();
  for (const d of drafts) {
    if (d.audience === "staff") {
      out.push(as(d, "console", ""));
      for (const s of staffDevices) out.push(as(d, "push", s.id, d.short, null));
      continue;
    }
    // Scopes keep it to this order's page devices and this shopper's account devices (or the one device a
    // back-in-stock request waits on): nobody else's.
    const push = () => {
      for (const s of devicesOf(d)) {
        // A device hears each message once per event, though it may wait twice (a customer's device that is
        // also the account's, for a customer who signed up by e-mail and on the device).
        const key = `${d.template}|${s.endpoint}`;
        if (heard.has(key)) continue;
        heard.add(key);
        out.push(as(d, "push", s.id, d.short, null));
      }
    };
    if (d.pushScope) {
      push();
      continue;
    }
    out.push(as(d, "email", ""));
    push();
    if (phone && d.kind === "order") out.push(as(d, "sms", phone, smsText(d), null));
  }
  for (const d of pushOnly) for (const s of staffDevices) out.push(as(d, "push", s.id, d.short, null));
  return out;
}
