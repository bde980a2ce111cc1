/** /api/admin: every route here is for staff and admins; admin-only routers add their own guard. */
import { Hono } from "hono";
import type { AppEnv } from "../../http/app-env";
import { requireStaff } from "../../http/session";
import { adminCustomers } from "./customers";
import { adminEvents } from "./events";
import { adminInventory } from "./inventory";
import { adminLive } from "./live";
import { adminOrders } from "./orders";
import { adminPlans } from "./plans";
import { adminProducts } from "./products";
import { adminStaff } from "./staff";

export const adminApi = new Hono<AppEnv>()
  .use(requireStaff)
  .route("/live", adminLive)
  .route("/inventory", adminInventory)
  .route("/products", adminProducts)
  .route("/plans", adminPlans)
  .route("/customers", adminCustomers)
  .route("/staff", adminStaff)
  .route("/orders", adminOrders)
  .route("/", adminEvents);
