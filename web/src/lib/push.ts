/**
 * Web Push in the browser: register the shop's service worker (/sw.js), subscribe with the shop's VAPID public
 * key and hand the subscription to one of the /api/push routes. Push is offered only where the browser supports
 * it and the shop has keys (`GET /api/push/key` answers null without them).
 */
import { bearer, client, read } from "./api";

export type PushState = "unsupported" | "off" | "on" | "denied";

let keyPromise: Promise<string | null> | null = null;

/** The shop's VAPID public key, or null when push is not configured (asked once per page). */
export function pushKey(): Promise<string | null> {
  keyPromise ??= read(client.api.push.key.$get())
    .then((r) => r.publicKey)
    .catch(() => null);
  return keyPromise;
}

export function browserSupportsPush(): boolean {
  return typeof navigator !== "undefined" && "serviceWorker" in navigator && "PushManager" in window;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const padded = `${base64url}${"=".repeat((4 - (base64url.length % 4)) % 4)}`.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (ch) => ch.charCodeAt(0));
}

/** Whether this browser already receives pushes from the shop. */
export async function pushState(): Promise<PushState> {
  if (!browserSupportsPush() || !(await pushKey())) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  const reg = await navigator.serviceWorker.getRegistration("/");
  return (await reg?.pushManager.getSubscription()) ? "on" : "off";
}

/**
 * Who a browser's subscription is for: one order (a guest's `token` with it), one sold-out product's
 * back-in-stock request, the account, or staff.
 */
export type PushTarget = { order: string; token?: string | null } | { backInStock: string } | "account" | "staff";

/** A subscription as the /api/push routes take it (the browser's `PushSubscription.toJSON()`). */
type SubscriptionBody = Parameters<typeof client.api.push.subscriptions.account.$post>[0]["json"];

/** Posts a subscription to the /api/push route of `target`. */
function subscribeTo(target: PushTarget, json: SubscriptionBody) {
  const subs = client.api.push.subscriptions;
  if (target === "account") return read(subs.account.$post({ json }));
  if (target === "staff") return read(subs.staff.$post({ json }));
  if ("backInStock" in target) {
    const route = client.api.products[":sku"]["back-in-stock"];
    return read(route.$post({ param: { sku: encodeURIComponent(target.backInStock) }, json: { push: json } }));
  }
  return read(
    subs.orders[":id"].$post({ param: { id: encodeURIComponent(target.order) }, json }, bearer(target.token)),
  );
}

/** Asks permission, subscribes this browser and hands the subscription to the shop for `target`. */
export async function enablePush(target: PushTarget): Promise<PushState> {
  const key = await pushKey();
  if (!browserSupportsPush() || !key) return "unsupported";
  if ((await Notification.requestPermission()) !== "granted") return "denied";
  const reg = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  await navigator.serviceWorker.ready;
  const sub =
    (await reg.pushManager.getSubscription()) ??
    (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }));
  // The browser's JSON has the endpoint and both keys; the route checks their shapes.
  await subscribeTo(target, sub.toJSON() as SubscriptionBody);
  return "on";
}

/** Unsubscribes this browser and tells the shop to forget it everywhere. */
export async function disablePush(): Promise<PushState> {
  const reg = browserSupportsPush() ? await navigator.serviceWorker.getRegistration("/") : undefined;
  const sub = await reg?.pushManager.getSubscription();
  if (sub) {
    await read(client.api.push.subscriptions.$delete({ json: { endpoint: sub.endpoint } }));
    await sub.unsubscribe();
  }
  return "off";
}
