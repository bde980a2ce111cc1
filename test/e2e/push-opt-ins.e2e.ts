// The shoppers' Web Push opt-ins in a real browser: "Tell me when it ships" on the order page and "Tell me on this
// device" on a sold-out product page. The page's PushManager is the stand-in of push-service.ts (real P-256 keys,
// no push service on this network); the rest is the shop's: its VAPID key (made by run.mjs), /sw.js, the
// /api/push and back-in-stock routes, the event through the queue and the encrypted, signed push, received by the
// local push service and decrypted here with the page's keys.
// Run with `npx vite build && node test/e2e/run.mjs push-opt-ins`.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { audit } from "./axe.ts";
import { BASE_URL, browserForFile, openPage } from "./browser.ts";
import { assertVapid, decryptPush, fakeDevice, startPushService, withFakePush } from "./push-service.ts";
import { cartToCheckout, LIVE_TIMEOUT, PASSWORD, placeOrder, uniqueEmail } from "./steps.ts";

/** Bought by no other browser test, which share this server. */
const ORDER_SKU = "BR-007";
/** Sold out and restocked by no other browser test; this one leaves its stock level as it found it. */
const RESTOCK_SKU = "BR-013";
/** An event reaches the notifications service through the queue; never longer than this. */
const QUEUE_TIMEOUT = 20_000;
const VAPID_PUBLIC_KEY = process.env.E2E_VAPID_PUBLIC_KEY ?? "";

const browser = browserForFile();
let push: Awaited<ReturnType<typeof startPushService>>;
before(async () => {
  push = await startPushService();
});
after(async () => {
  await push.close();
});

/** 401 from /api/me while signed out is expected; nothing else may go wrong. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 401|Failed to load resource/.test(e));

/** Staff's API session, in a page of their own (no page is visited). */
async function staffApi() {
  const staff = await openPage(browser());
  const login = await staff.page.request.post("/api/auth/login", {
    data: { email: "staff@example.com", password: PASSWORD },
  });
  assert.equal(login.status(), 200, await login.text());
  return staff.page.request;
}

async function shopperWithPush(): Promise<{ page: Page; errors: string[] }> {
  const shopper = await openPage(browser());
  await withFakePush(shopper.page.context(), BASE_URL);
  return shopper;
}

test("a guest turns on “Tell me when it ships”, staff ship the order, and the browser's push service gets the encrypted message", async () => {
  const { page, errors } = await shopperWithPush();
  await cartToCheckout(page, ORDER_SKU);
  const { orderId } = await placeOrder(page, uniqueEmail("push-ship"), "4242 4242 4242 4242");
  await page.locator('.order-page[data-order-status="confirmed"]').waitFor({ timeout: LIVE_TIMEOUT });

  await page.getByRole("button", { name: "Tell me when it ships" }).click();
  await page.getByText("This browser will tell you when your order ships.").waitFor();
  await audit(page, "order page with push on");
  const device = await fakeDevice(page);
  assert.equal(device.applicationServerKey, VAPID_PUBLIC_KEY, "the page subscribed with the shop's VAPID key");
  // The service worker the shop registered is the one that would show the message.
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, `${BASE_URL}/`);

  const staff = await staffApi();
  const ship = await staff.post(`/api/admin/orders/${orderId}/ship`, {
    data: { trackingNumber: "TRACK-PUSH-E2E" },
    headers: { origin: BASE_URL },
  });
  assert.equal(ship.status(), 200, await ship.text());

  const [message, ...more] = await push.messagesFor(device.json.endpoint, QUEUE_TIMEOUT);
  assert.ok(message);
  assert.deepEqual(more, [], "no second message so far");
  assertVapid(message.headers, VAPID_PUBLIC_KEY);
  const payload = await decryptPush(device, message.body);
  assert.match(String(payload.title), /is on its way/);
  assert.equal(payload.body, "Tracking number: TRACK-PUSH-E2E.");
  assert.match(String(payload.url), new RegExp(`/orders/${orderId}$`));
  await page.locator('.order-page[data-order-status="shipped"]').waitFor({ timeout: LIVE_TIMEOUT });
  assert.deepEqual(unexpected(errors), []);
});

test("a guest asks to be told on this device when a sold-out bracelet is back, staff restock it, and the device gets the message", async () => {
  const staff = await staffApi();
  const level = async () =>
    (await (await staff.get(`/api/products/${RESTOCK_SKU}/stock`)).json()) as { available: number };
  const start = (await level()).available;
  assert.ok(start > 0);
  const soldOut = await staff.post(`/api/admin/inventory/${RESTOCK_SKU}/adjustments`, {
    data: { delta: -start, reason: "damage" },
    headers: { origin: BASE_URL },
  });
  assert.equal(soldOut.status(), 200, await soldOut.text());

  const { page, errors } = await shopperWithPush();
  const offer = page.getByRole("button", { name: "Tell me on this device" });
  const deadline = Date.now() + QUEUE_TIMEOUT;
  for (;;) {
    // The cached product page is purged by the stock change; the offer shows once the island knows push works.
    await page.goto(`/products/${RESTOCK_SKU}`);
    await page.locator("form.back-in-stock[data-hydrated]").waitFor();
    if (await offer.isVisible()) break;
    try {
      await offer.waitFor({ timeout: 2_000 });
      break;
    } catch {
      assert.ok(Date.now() < deadline, "the sold-out product page offers push");
    }
  }
  await audit(page, "sold-out product with the push offer");
  await offer.click();
  const done = page.getByRole("status").filter({ hasText: "this browser will tell you once" });
  await done.waitFor();
  await audit(page, "sold-out product after turning on push");
  const device = await fakeDevice(page);
  const name = (await page.getByRole("heading", { level: 1 }).textContent())?.trim() ?? "";

  // Staff's waiting count has the device in it; the restock goes through the queue to the notifications service.
  const waiting = async () =>
    (
      (await (await staff.get("/api/admin/back-in-stock")).json()) as { items: { sku: string; waiting: number }[] }
    ).items.find((i) => i.sku === RESTOCK_SKU)?.waiting ?? 0;
  assert.equal(await waiting(), 1);
  const restock = await staff.post(`/api/admin/inventory/${RESTOCK_SKU}/adjustments`, {
    data: { delta: start, reason: "restock" },
    headers: { origin: BASE_URL },
  });
  assert.equal(restock.status(), 200, await restock.text());

  const [message, ...more] = await push.messagesFor(device.json.endpoint, QUEUE_TIMEOUT);
  assert.ok(message);
  assertVapid(message.headers, VAPID_PUBLIC_KEY);
  const payload = await decryptPush(device, message.body);
  assert.equal(payload.title, `${name} is back in stock`);
  assert.match(String(payload.url), new RegExp(`/products/${RESTOCK_SKU}$`));
  assert.deepEqual(
    more,
    [],
    "no second message so far (once per request is proved in test/back-in-stock-push.test.ts)",
  );
  assert.equal(await waiting(), 0, "the request is closed");
  assert.deepEqual(unexpected(errors), []);
});
