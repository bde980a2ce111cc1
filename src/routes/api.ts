/** Mounts every /api resource router. One file per resource under src/routes/; the documents (docs.ts) sit beside. */
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { account } from "./account";
import { adminApi } from "./admin";
import { auth, me } from "./auth";
import { backInStock } from "./back-in-stock";
import { checkoutApi } from "./checkout";
import { ordersApi } from "./orders";
import { preferencesApi } from "./preferences";
import { products } from "./products";
import { pushApi } from "./push";
import { stock } from "./stock";
import { plansApi, subscriptionsApi } from "./subscriptions";
import { webhooksApi } from "./webhooks";

export const api = new Hono<AppEnv>()
  .route("/admin", adminApi)
  .route("/products", products)
  .route("/products", stock)
  .route("/products", backInStock)
  .route("/auth", auth)
  .route("/me", me)
  .route("/account/preferences", preferencesApi)
  .route("/account", account)
  .route("/checkout", checkoutApi)
  .route("/orders", ordersApi)
  .route("/plans", plansApi)
  .route("/push", pushApi)
  .route("/subscriptions", subscriptionsApi)
  .route("/webhooks", webhooksApi);
