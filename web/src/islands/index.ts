/**
 * Every island the pages may mount, by name. Imported by the Worker (to render) and the browser bundle (to
 * hydrate), so each entry must be safe to render on both.
 */
import { AccountApp } from "./account-app";
import { AccountMenu } from "./account-menu";
import { AddToCart } from "./add-to-cart";
import { BackInStock } from "./back-in-stock";
import { CartCount } from "./cart-count";
import { CartView } from "./cart-view";
import { CheckoutApp } from "./checkout-app";
import { ConsoleApp } from "./console-app";
import { InvoiceApp } from "./invoice-app";
import { LiveStock } from "./live-stock";
import { OrderApp } from "./order-app";

export const ISLANDS = {
  AccountApp,
  AccountMenu,
  AddToCart,
  BackInStock,
  CartView,
  CartCount,
  CheckoutApp,
  ConsoleApp,
  InvoiceApp,
  LiveStock,
  OrderApp,
} as const;

export type IslandName = keyof typeof ISLANDS;
export type IslandProps<N extends IslandName> = Parameters<(typeof ISLANDS)[N]>[0];
