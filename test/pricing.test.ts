import { describe, expect, it } from "vitest";
import {
  applyBps,
  type CatalogEntry,
  catalogOf,
  mergeLines,
  priceOrder,
  shippingFor,
  totalsFor,
} from "../src/domain/pricing";

const CFG = { shippingFlatCents: 495, freeShippingThresholdCents: 10_000, taxRateBps: 2000, currency: "EUR" };
const catalog = new Map<string, CatalogEntry>([
  ["A", { sku: "A", name: "Amber", priceCents: 2_500, active: true }],
  ["B", { sku: "B", name: "Beryl", priceCents: 1_999, active: true }],
  ["OFF", { sku: "OFF", name: "Retired", priceCents: 100, active: false }],
]);

describe("pricing", () => {
  it("sums lines of the same SKU, keeping first-seen order", () => {
    expect(
      mergeLines([
        { sku: "B", qty: 1 },
        { sku: "A", qty: 2 },
        { sku: "B", qty: 3 },
      ]),
    ).toEqual([
      { sku: "B", qty: 4 },
      { sku: "A", qty: 2 },
    ]);
  });

  it("prices lines from the catalog and adds flat shipping and tax below the threshold", () => {
    const result = priceOrder(
      [
        { sku: "A", qty: 1 },
        { sku: "B", qty: 2 },
      ],
      catalog,
      CFG,
    );
    expect(result).toEqual({
      ok: true,
      items: [
        { sku: "A", name: "Amber", qty: 1, unitPriceCents: 2_500, lineTotalCents: 2_500 },
        { sku: "B", name: "Beryl", qty: 2, unitPriceCents: 1_999, lineTotalCents: 3_998 },
      ],
      // tax = 20% of (6498 + 495) = 1398.6 → 1399
      totals: { subtotalCents: 6_498, shippingCents: 495, taxCents: 1_399, totalCents: 8_392, currency: "EUR" },
    });
  });

  it("ships free from exactly the threshold", () => {
    expect(shippingFor(9_999, CFG)).toBe(495);
    expect(shippingFor(10_000, CFG)).toBe(0);
    const result = priceOrder([{ sku: "A", qty: 4 }], catalog, CFG);
    expect(result.ok && result.totals).toEqual({
      subtotalCents: 10_000,
      shippingCents: 0,
      taxCents: 2_000,
      totalCents: 12_000,
      currency: "EUR",
    });
  });

  it("charges no shipping on an empty subtotal", () => {
    expect(shippingFor(0, CFG)).toBe(0);
  });

  it("rounds tax half up to a whole minor unit", () => {
    expect(applyBps(2, 2500)).toBe(1); // 0.5 → 1
    expect(applyBps(1, 2500)).toBe(0); // 0.25 → 0
    expect(applyBps(3, 2500)).toBe(1); // 0.75 → 1
    expect(applyBps(10_001, 2000)).toBe(2_000); // 2000.2 → 2000
    expect(applyBps(10_003, 2000)).toBe(2_001); // 2000.6 → 2001
  });

  it("caps shipping for an amendment of a paid order", () => {
    expect(totalsFor(9_000, CFG, { maxShippingCents: 0 })).toEqual({
      subtotalCents: 9_000,
      shippingCents: 0,
      taxCents: 1_800,
      totalCents: 10_800,
      currency: "EUR",
    });
  });

  it("reports every unknown and inactive SKU, one issue each", () => {
    const result = priceOrder(
      [
        { sku: "A", qty: 1 },
        { sku: "NOPE", qty: 1 },
        { sku: "OFF", qty: 1 },
      ],
      catalog,
      CFG,
    );
    expect(result).toEqual({
      ok: false,
      issues: [
        { sku: "NOPE", reason: "unknown_sku", message: expect.any(String) },
        { sku: "OFF", reason: "inactive", message: expect.any(String) },
      ],
    });
  });

  it("refuses more than 99 of one SKU once lines are summed", () => {
    const result = priceOrder(
      [
        { sku: "A", qty: 60 },
        { sku: "A", qty: 40 },
      ],
      catalog,
      CFG,
    );
    expect(result).toEqual({ ok: false, issues: [{ sku: "A", reason: "qty_too_large", message: expect.any(String) }] });
  });

  it("reprices an order at its own prices", () => {
    const own = catalogOf([{ sku: "A", name: "Amber", qty: 2, unitPriceCents: 2_000, lineTotalCents: 4_000 }]);
    const result = priceOrder([{ sku: "A", qty: 1 }], own, CFG);
    expect(result.ok && result.items[0]?.unitPriceCents).toBe(2_000);
  });
});
