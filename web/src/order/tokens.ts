/**
 * The access tokens of the orders placed in this browser (`orderId → accessToken` in localStorage), so a guest
 * can come back to an order without the link. The token is the only key a guest has: it never leaves this
 * browser except as the Bearer header (or `?token=` on the order's WebSocket and the page links).
 */
const KEY = "bracelet-shop:order-tokens";
/** Old entries fall off beyond this many orders. */
const KEEP = 50;

function readAll(): Record<string, string> {
  if (typeof localStorage === "undefined") return {};
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? "{}");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter(([, token]) => typeof token === "string"));
  } catch {
    return {};
  }
}

/** Keeps `token` for `orderId` (newest last). */
export function rememberOrderToken(orderId: string, token: string): void {
  const all = readAll();
  delete all[orderId];
  all[orderId] = token;
  const entries = Object.entries(all).slice(-KEEP);
  try {
    localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(entries)));
  } catch {
    // Storage full or refused (private mode): the link in the address bar still works.
  }
}

export function orderToken(orderId: string): string | null {
  return readAll()[orderId] ?? null;
}

/** Order ids placed in this browser, newest first. */
export function rememberedOrders(): string[] {
  return Object.keys(readAll()).reverse();
}

/**
 * The token for the order page: `?token=` from the address (remembered for next time), else the one this
 * browser kept. Null for a signed-in owner, who needs none.
 */
export function tokenFromPage(orderId: string): string | null {
  const fromUrl = new URLSearchParams(location.search).get("token");
  if (fromUrl) {
    rememberOrderToken(orderId, fromUrl);
    return fromUrl;
  }
  return orderToken(orderId);
}

/** `/orders/<id>` (or a sub-path) with the token in the query when there is one. */
export function orderPath(orderId: string, token: string | null, sub = ""): string {
  const path = `/orders/${encodeURIComponent(orderId)}${sub}`;
  return token ? `${path}?token=${encodeURIComponent(token)}` : path;
}

/** A fresh Idempotency-Key. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
