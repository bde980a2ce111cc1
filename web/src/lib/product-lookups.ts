/**
 * What the catalog says about each SKU in the cart (GET /api/products/:sku, served from the catalog cache):
 * still loading, on sale, gone, or unreachable right now. Shared by the cart page and checkout; each SKU is
 * asked once per page.
 */
import { useEffect, useState } from "preact/hooks";
import { type AnswerOf, ApiFailure, client, read } from "./api";
import type { CartLine } from "./cart";

export type Product = AnswerOf<(typeof client.api.products)[":sku"]["$get"]>;

export type Lookup =
  | { state: "loading" }
  | { state: "ok"; product: Product }
  | { state: "missing" }
  | { state: "error" };

export function useProductLookups(lines: readonly CartLine[] | null): Record<string, Lookup> {
  const [lookups, setLookups] = useState<Record<string, Lookup>>({});
  useEffect(() => {
    for (const { sku } of lines ?? []) {
      if (lookups[sku]) continue;
      setLookups((all) => ({ ...all, [sku]: { state: "loading" } }));
      read(client.api.products[":sku"].$get({ param: { sku: encodeURIComponent(sku) } }))
        .then((product): Lookup => ({ state: "ok", product }))
        .catch((err): Lookup => ({ state: err instanceof ApiFailure && err.status === 404 ? "missing" : "error" }))
        .then((lookup) => setLookups((all) => ({ ...all, [sku]: lookup })));
    }
  }, [lines, lookups]);
  return lookups;
}
