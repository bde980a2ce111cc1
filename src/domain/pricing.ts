/**
 * Order pricing: lines priced from the catalog on the server (a client never sends a price), lines for the same
 * SKU summed, then subtotal, shipping, tax and total in integer minor units. Pure: the caller loads the catalog.
 *
 * - Shipping is a flat rate, free when the subtotal reaches the threshold.
 * - Tax is `taxRateBps` basis points of subtotal + shipping, rounded half up to a whole minor unit.
 * - Prices are tax-exclusive (the catalog's `priceCents` is the net unit price).
 */

export type Line = { sku: string; qty: number };

export type CatalogEntry = { sku: string; name: string; priceCents: number; active: boolean };

export type PricingConfig = {
  shippingFlatCents: number;
  freeShippingThresholdCents: number;
  taxRateBps: number;
  currency: string;
};

export type PricedItem = { sku: string; name: string; qty: number; unitPriceCents: number; lineTotalCents: number };

export type Totals = {
  subtotalCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
  currency: string;
};

export type PricingIssue = { sku: string; reason: "unknown_sku" | "inactive" | "qty_too_large"; message: string };

export type PricingResult = { ok: true; items: PricedItem[]; totals: Totals } | { ok: false; issues: PricingIssue[] };

/** Lines of one order: 1 to 50, each qty 1 to 99; the summed quantity of one SKU is also at most 99. */
export const MAX_LINES = 50;
export const MAX_QTY = 99;

/** Sums lines of the same SKU, keeping the order in which SKUs first appear. */
export function mergeLines(lines: readonly Line[]): Line[] {
  const merged = new Map<string, number>();
  for (const line of lines) merged.set(line.sku, (merged.get(line.sku) ?? 0) + line.qty);
  return [...merged].map(([sku, qty]) => ({ sku, qty }));
}

/** `bps` basis points of `cents`, rounded half up (amounts are never negative). */
export function applyBps(cents: number, bps: number): number {
  return Math.floor((cents * bps + 5_000) / 10_000);
}

export function shippingFor(subtotalCents: number, cfg: PricingConfig): number {
  if (subtotalCents === 0) return 0;
  return subtotalCents >= cfg.freeShippingThresholdCents ? 0 : cfg.shippingFlatCents;
}

/**
 * Totals for a subtotal. `maxShippingCents` caps shipping: an amendment of a paid order never charges more
 * shipping than was paid (removing items must not raise the total past what the shopper was charged).
 */
export function totalsFor(subtotalCents: number, cfg: PricingConfig, opts: { maxShippingCents?: number } = {}): Totals {
  const shipping = Math.min(shippingFor(subtotalCents, cfg), opts.maxShippingCents ?? Number.POSITIVE_INFINITY);
  const taxCents = applyBps(subtotalCents + shipping, cfg.taxRateBps);
  return {
    subtotalCents,
    shippingCents: shipping,
    taxCents,
    totalCents: subtotalCents + shipping + taxCents,
    currency: cfg.currency,
  };
}

/** Prices `lines` (merged by SKU) from `catalog`. Unknown or inactive SKUs are reported, one issue per SKU. */
export function priceOrder(
  lines: readonly Line[],
  catalog: ReadonlyMap<string, CatalogEntry>,
  cfg: PricingConfig,
  opts: { maxShippingCents?: number } = {},
): PricingResult {
  const merged = mergeLines(lines);
  const issues: PricingIssue[] = [];
  const items: PricedItem[] = [];
  for (const { sku, qty } of merged) {
    const entry = catalog.get(sku);
    if (!entry) {
      issues.push({ sku, reason: "unknown_sku", message: `No product with SKU ${sku}` });
      continue;
    }
    if (!entry.active) {
      issues.push({ sku, reason: "inactive", message: `${sku} is not for sale` });
      continue;
    }
    if (qty > MAX_QTY) {
      issues.push({ sku, reason: "qty_too_large", message: `At most ${MAX_QTY} of ${sku} per order` });
      continue;
    }
    items.push({
      sku,
      name: entry.name,
      qty,
      unitPriceCents: entry.priceCents,
      lineTotalCents: entry.priceCents * qty,
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  const subtotal = items.reduce((sum, item) => sum + item.lineTotalCents, 0);
  return { ok: true, items, totals: totalsFor(subtotal, cfg, opts) };
}

/** The catalog an order's own lines make: reprices a paid order at the prices the shopper was charged. */
export function catalogOf(items: readonly PricedItem[]): Map<string, CatalogEntry> {
  return new Map(items.map((i) => [i.sku, { sku: i.sku, name: i.name, priceCents: i.unitPriceCents, active: true }]));
}
