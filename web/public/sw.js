// The shop's service worker (served from the shop's own origin at /sw.js). It does one job: show the Web Push
// messages the shop sends (JSON {title, body, url, tag}, decrypted by the browser) and open their link on click.
// It caches nothing, so the storefront behaves exactly as without it.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Bracelet Shop", {
      body: data.body || "",
      tag: data.tag || undefined,
      data: { url: data.url || "/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // Only ever open a page of this shop: the link's path on our own origin.
  const link = new URL(event.notification.data?.url || "/", self.location.origin);
  const target = new URL(link.pathname + link.search + link.hash, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const w of windows) if (w.url === target && "focus" in w) return w.focus();
      return self.clients.openWindow(target);
    }),
  );
});
