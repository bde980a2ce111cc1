/**
 * Every island the pages may mount, by name. Imported by the Worker (to render) and the browser bundle (to
 * hydrate), so each entry must be safe to render on both.
 */
import { CartCount } from "./cart-count";
import { ConsoleApp } from "./console-app";

export const ISLANDS = {
  CartCount,
  ConsoleApp,
} as const;

export type IslandName = keyof typeof ISLANDS;
export type IslandProps<N extends IslandName> = Parameters<(typeof ISLANDS)[N]>[0];
