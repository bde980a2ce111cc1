/**
 * The islands the Worker renders to HTML: the storefront's own. The page apps (console, account, checkout,
 * order, invoice, cart) are mounted client-only (`<Island clientOnly>`), so the Worker needs only their names
 * and props types (./index), never their code: importing them here would bundle the whole console, its chart
 * library included, into the Worker.
 */

import { AccountMenu } from "./account-menu";
import { AddToCart } from "./add-to-cart";
import { BackInStock } from "./back-in-stock";
import { CartCount } from "./cart-count";
import type { IslandName } from "./index";
import { LiveStock } from "./live-stock";

export const SERVER_ISLANDS = { AccountMenu, AddToCart, BackInStock, CartCount, LiveStock } satisfies Partial<
  Record<IslandName, unknown>
>;

export type ServerIslandName = keyof typeof SERVER_ISLANDS;
