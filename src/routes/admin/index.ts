/** /api/admin: every route here is for staff and admins; admin-only routers add their own guard. */
import { Hono } from "hono";
import type { AppEnv } from "../../http/app-env";
import { requireStaff } from "../../http/session";
import { adminBackInStock } from "./back-in-stock";
import { adminCustomers } from "./customers";
import { adminDeadLetters } from "./dead-letters";
import { adminEvents } from "./events";
import { adminImages } from "./images";
import { adminInventory } from "./inventory";
import { adminLive } from "./live";
import { adminOrders } from "./orders";
import { adminPlans } from "./plans";
import { adminProducts } from "./products";
import { adminReconciliation } from "./reconciliation";
import { adminSales } from "./sales";
import { adminStaff } from "./staff";
import { adminSubscriptions } from "./subscriptions";

export const adminApi = new Hono<AppEnv>()
  .use(requireStaff)
  .route("/live", adminLive)
  .route("/inventory", adminInventory)
  .route("/back-in-stock", adminBackInStock)
  .route("/products", adminProducts)
  .route("/images", adminImages)
  .route("/plans", adminPlans)
  .route("/customers", adminCustomers)
  .route("/staff", adminStaff)
  .route("/orders", adminOrders)
  .route("/reconciliation", adminReconciliation)
  .route("/dead-letters", adminDeadLetters)
  .route("/subscriptions", adminSubscriptions)
  .route("/", adminEvents)
  .route("/", adminSales);
