/** GET /api/admin/back-in-stock: how many shoppers wait for each sold-out SKU (console Inventory). */
import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { waitingCounts } from "../../services/catalog/back-in-stock";

const spec = {
  "GET /": doc({
    tag: "admin",
    who: "staff",
    summary: "Shoppers waiting per sold-out SKU",
    body: v.looseObject({ items: v.array(v.looseObject({ sku: v.string() })) }),
  }),
};

export const adminBackInStock = new Hono<AppEnv>().get("/", spec["GET /"], async (c) =>
  c.json({ items: await waitingCounts(c.env) }),
);
