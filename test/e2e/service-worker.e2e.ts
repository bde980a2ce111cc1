// The shop's service worker in a real browser: /sw.js registers from the shop's own origin, and a push message
// (delivered through Chromium's DevTools protocol, standing in for the push service this closed network lacks)
// becomes a notification with the message's title, body and link.
// Run with `npx vite build && node test/e2e/run.mjs service-worker`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { audit } from "./axe.ts";
import { BASE_URL, browserForFile, openPage } from "./browser.ts";

const browser = browserForFile();

test("a push message shows as a notification from the shop's service worker, carrying its link", async () => {
  const { page, errors } = await openPage(browser());
  await page.context().grantPermissions(["notifications"], { origin: BASE_URL });
  await page.goto("/");
  await audit(page, "catalog");

  const cdp = await page.context().newCDPSession(page);
  const registrations: { registrationId: string; scopeURL: string }[] = [];
  cdp.on("ServiceWorker.workerRegistrationUpdated", (e) => registrations.push(...e.registrations));
  await cdp.send("ServiceWorker.enable");

  // `ready` resolves once a worker is active; a push delivered while it is still activating can be dropped, so
  // the test waits for `activated` (a fresh-clone CI run once saw no notification at all).
  const scope = await page.evaluate(async () => {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const reg = await navigator.serviceWorker.ready;
    const worker = reg.active;
    if (worker && worker.state !== "activated") {
      await new Promise<void>((resolve) => {
        worker.addEventListener("statechange", () => {
          if (worker.state === "activated") resolve();
        });
      });
    }
    return reg.scope;
  });
  assert.equal(scope, `${BASE_URL}/`);
  const deadline = Date.now() + 10_000;
  while (!registrations.some((r) => r.scopeURL === scope)) {
    if (Date.now() > deadline) throw new Error("the service worker registration was never reported");
    await new Promise((r) => setTimeout(r, 50));
  }
  const registrationId = registrations.find((r) => r.scopeURL === scope)!.registrationId;

  const message = {
    title: "Your order 1A2B3C4D is on its way",
    body: "Tracking number: T1.",
    url: "/orders/ord_x",
    tag: "ntf_1",
  };
  // The DevTools protocol stands in for the push service, and, like one, it may drop a delivery (the worker was
  // still starting): it is sent again once if nothing showed. The same tag replaces a shown notification, so a
  // second delivery cannot make two.
  let shown: { title: string; body: string; tag: string; data: unknown }[] = [];
  for (let delivery = 0; delivery < 2 && shown.length === 0; delivery++) {
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: BASE_URL,
      registrationId,
      data: JSON.stringify(message),
    });
    shown = await page.evaluate(async (waitMs) => {
      const reg = await navigator.serviceWorker.ready;
      const until = Date.now() + waitMs;
      for (;;) {
        const list = await reg.getNotifications();
        if (list.length > 0) return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }));
        if (Date.now() > until) return [];
        await new Promise((r) => setTimeout(r, 50));
      }
    }, 8_000);
  }
  assert.deepEqual(shown, [{ title: message.title, body: message.body, tag: "ntf_1", data: { url: "/orders/ord_x" } }]);
  assert.deepEqual(
    errors.filter((e) => !/Failed to load resource/.test(e)),
    [],
  );
  await page.context().close();
});
