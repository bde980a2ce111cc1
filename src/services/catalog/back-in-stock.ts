/**
 * Back-in-stock requests: a shopper (guest or customer) leaves an e-mail or enables push on this device for a
 * sold-out SKU; the notifications service answers every waiting request once, in sign-up order, by its channel
 * when InventoryAdjusted brings the SKU back (src/services/notifications.ts closes the request in the batch that
 * writes the message; a push request's device is forgotten once its message is done).
 */
import {
  backInStockRequestStatus,
  insertBackInStockRequest,
  productActivity,
  waitingBackInStockRequest,
  waitingCountsBySku,
} from "../../db/back-in-stock";
import { getDb } from "../../db/client";
import { backInStockScope, deleteBackInStockDevices, savePushSubscription } from "../../db/push-subscriptions";
import { newId } from "../../lib/ids";
import { stockStub } from "../stock/stock";

export type SignUpResult =
  | {
      ok: true;
      created: boolean;
      request: { id: string; sku: string; channel: "email" | "push"; status: "waiting"; createdAt: number };
    }
  | { ok: false; reason: "unknown_sku" | "in_stock" };

/** A browser's push subscription (`PushSubscription.toJSON()`, checked by the route). */
export type DeviceSubscription = { endpoint: string; p256dh: string; auth: string };

export type SignUp = { sku: string; customerId: string | null } & (
  | { email: string; push?: undefined }
  /** `email`: the signed-in customer's (whose message choices apply), "" for a guest. */
  | { email: string; push: DeviceSubscription }
);

export async function signUpForBackInStock(env: Env, input: SignUp, now = Date.now()): Promise<SignUpResult> {
  const db = getDb(env.DB);
  const product = await productActivity(db, input.sku);
  if (!product?.active) return { ok: false, reason: "unknown_sku" };
  const stock = await stockStub(env, input.sku).lookup(input.sku);
  if (!stock.ok) return { ok: false, reason: "unknown_sku" };
  if (stock.level.available > 0) return { ok: false, reason: "in_stock" };
  const id = newId("bis");
  const channel = input.push ? "push" : "email";
  const endpoint = input.push?.endpoint ?? "";
  // One waiting request per (SKU, e-mail, device): signing up twice keeps the first place in the queue.
  const inserted = await insertBackInStockRequest(db, {
    id,
    sku: input.sku,
    email: input.email,
    customerId: input.customerId,
    channel,
    endpoint,
    createdAt: now,
  });
  const row = inserted ?? (await waitingBackInStockRequest(db, { sku: input.sku, email: input.email, endpoint }));
  if (!row) return { ok: false, reason: "in_stock" };
  if (input.push) {
    // After the request, not in one batch with it: a failure here answers an error, and the browser's retry finds
    // the request and stores the device then (signing up again also refreshes the device's keys).
    await savePushSubscription(
      db,
      {
        ...input.push,
        audience: "customer",
        scope: backInStockScope(row.id),
        customerId: input.customerId,
        orderId: null,
        email: input.email,
      },
      now,
    );
    // A restock between the two writes closed the request before its device was stored: nothing was pushed, and
    // the device must not outlive the request. The bracelet is back, which is the answer.
    const still = await backInStockRequestStatus(db, row.id);
    if (still?.status !== "waiting") {
      await deleteBackInStockDevices(db, [row.id]);
      return { ok: false, reason: "in_stock" };
    }
  }
  return {
    ok: true,
    created: inserted !== undefined,
    request: { id: row.id, sku: row.sku, channel: row.channel, status: "waiting", createdAt: row.createdAt },
  };
}

/** Shoppers waiting per SKU (SKUs with none are left out). */
export async function waitingCounts(env: Env): Promise<{ sku: string; waiting: number }[]> {
  return waitingCountsBySku(getDb(env.DB));
}
