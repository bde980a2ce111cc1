/**
 * Shoppers waiting per sold-out SKU (GET /api/admin/back-in-stock) for the Inventory page, refreshed when a
 * stock movement or a sent message may have changed them.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import { client, read } from "../lib/api";
import { useFeed } from "./use-feed";

const CHANGES = ["InventoryAdjusted", "NotificationSent"] as const;

export function useBackInStockWaiting(): ReadonlyMap<string, number> {
  const [waiting, setWaiting] = useState<ReadonlyMap<string, number>>(new Map());
  const load = useCallback(async () => {
    try {
      const res = await read(client.api.admin["back-in-stock"].$get());
      setWaiting(new Map(res.items.map((i) => [i.sku, i.waiting])));
    } catch {
      // Counts are a hint next to the stock level: the next event tries again.
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  useFeed(CHANGES, () => void load());
  return waiting;
}
