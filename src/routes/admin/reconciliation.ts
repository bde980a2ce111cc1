/**
 * GET /api/admin/reconciliation (staff, admin): the drift between captured payments and orders, each SKU's
 * ledger and the orders that sold it, and the D1 mirror and the order objects (docs/reconciliation.md).
 * `?days=1..30` (default 7) is how far back orders are checked.
 */
import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { validate } from "../../http/validate";
import { reconcile } from "../../services/workflows/reconciliation";

const QuerySchema = v.object({
  days: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{1,2}$/), v.transform(Number), v.minValue(1), v.maxValue(30))),
});

const spec = {
  "GET /": doc({
    tag: "admin",
    who: "staff",
    summary: "Drift between captured payments and orders, stock ledgers and orders, the D1 mirror and order objects",
    body: v.looseObject({}),
  }),
};

export const adminReconciliation = new Hono<AppEnv>().get(
  "/",
  spec["GET /"],
  validate("query", QuerySchema),
  async (c) => {
    const { days } = c.req.valid("query");
    return c.json(await reconcile(c.env, { days: days ?? 7 }));
  },
);
