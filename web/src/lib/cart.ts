/**
 * The shopper's cart lives in the browser until checkout (DESIGN.md): SKUs and quantities only, in
 * localStorage, so it survives reloads. Prices are always the server's.
 */
export type CartLine = { sku: string; qty: number };

const KEY = "bracelet-shop:cart";
const EVENT = "cart:changed";
export const MAX_QTY = 99;
export const MAX_LINES = 50;

export function readCart(): CartLine[] {
  if (typeof localStorage === "undefined") return [];
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(parsed)
      ? parsed.filter((l) => typeof l?.sku === "string" && Number.isInteger(l?.qty) && l.qty > 0)
      : [];
  } catch {
    return [];
  }
}

export function writeCart(lines: CartLine[]): void {
  localStorage.setItem(KEY, JSON.stringify(lines.filter((l) => l.qty > 0).slice(0, MAX_LINES)));
  window.dispatchEvent(new CustomEvent(EVENT));
}

export function addToCart(sku: string, qty = 1): void {
  const lines = readCart();
  const line = lines.find((l) => l.sku === sku);
  if (line) line.qty = Math.min(MAX_QTY, line.qty + qty);
  else lines.push({ sku, qty: Math.min(MAX_QTY, qty) });
  writeCart(lines);
}

export function setQty(sku: string, qty: number): void {
  writeCart(readCart().map((l) => (l.sku === sku ? { ...l, qty: Math.max(0, Math.min(MAX_QTY, qty)) } : l)));
}

export function clearCart(): void {
  writeCart([]);
}

/** Calls `listener` whenever the cart changes, in this tab or another. Returns the unsubscribe. */
export function onCartChange(listener: () => void): () => void {
  const onStorage = (e: StorageEvent) => e.key === KEY && listener();
  window.addEventListener(EVENT, listener);
  window.addEventListener("storage", onStorage);
  return () => {
    window.removeEventListener(EVENT, listener);
    window.removeEventListener("storage", onStorage);
  };
}
