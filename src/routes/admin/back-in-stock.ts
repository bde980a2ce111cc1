/** GET /api/admin/back-in-stock: how many shoppers wait for each sold-out SKU (console Inventory). */
import { Hono } from "hono";
import type { AppEnv } from "../../http/app-env";
import { waitingCounts } from "../../services/back-in-stock";

export const adminBackInStock = new Hono<AppEnv>().get("/", async (c) => c.json({ items: await waitingCounts(c.env) }));
