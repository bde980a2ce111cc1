/**
 * The islands as the browser loads them. The storefront's own (header menu, cart, add to cart, live stock) are in
 * the entry chunk every page downloads; the page apps (staff console, account, checkout, order and invoice pages)
 * are separate chunks fetched only by the page that mounts them, so shoppers never download the console.
 * The Worker renders from ./islands instead (everything, statically); the build checks the split
 * (vite.config.ts, bundleReport).
 */
import type { ComponentType } from "preact";
import { AccountMenu } from "./islands/account-menu";
import { AddToCart } from "./islands/add-to-cart";
import { CartCount } from "./islands/cart-count";
import { CartView } from "./islands/cart-view";
import type { IslandName } from "./islands/index";
import { LiveStock } from "./islands/live-stock";

// biome-ignore lint/suspicious/noExplicitAny: each island has its own props, checked where it is rendered
export type AnyIsland = ComponentType<any>;

const EAGER = { AccountMenu, AddToCart, CartCount, CartView, LiveStock } satisfies Partial<
  Record<IslandName, AnyIsland>
>;

const LAZY = {
  ConsoleApp: () => import("./console/console-chunk").then((m) => m.ConsoleApp),
  AccountApp: () => import("./islands/account-app").then((m) => m.AccountApp),
  CheckoutApp: () => import("./islands/checkout-app").then((m) => m.CheckoutApp),
  OrderApp: () => import("./islands/order-app").then((m) => m.OrderApp),
  InvoiceApp: () => import("./islands/invoice-app").then((m) => m.InvoiceApp),
  // Only sold-out product pages mount it.
  BackInStock: () => import("./islands/back-in-stock").then((m) => m.BackInStock),
} satisfies Record<Exclude<IslandName, keyof typeof EAGER>, () => Promise<AnyIsland>>;

/** The component for `name`: at once for storefront islands, after its chunk loads for page apps. */
export function islandComponent(name: string): AnyIsland | Promise<AnyIsland> | undefined {
  if (name in EAGER) return EAGER[name as keyof typeof EAGER];
  if (name in LAZY) return LAZY[name as keyof typeof LAZY]();
  return undefined;
}
