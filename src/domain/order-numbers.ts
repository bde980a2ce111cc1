/**
 * Order numbers people can read out: a short sequential integer per shop, the first one 1001, written `#1001`
 * the same everywhere (order page, console, account, messages). Staff may search with or without the `#`.
 */

export const FIRST_ORDER_NUMBER = 1001;

/** `#1001`; an order made before numbers existed has none and shows nothing. */
export function formatOrderNumber(n: number | null | undefined): string {
  return typeof n === "number" ? `#${n}` : "";
}

/** The number in a search like `#1001`, `1001` or ` # 1001 `; null when the text is not one. */
export function parseOrderNumber(text: string): number | null {
  const m = /^\s*#?\s*([0-9]{1,9})\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}
