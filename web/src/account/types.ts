/** The shapes the account pages read from /api (docs/accounts.md); the API's own come from its routes. */
import type { InferResponseType } from "hono/client";
import type { client, User } from "../lib/api";

export type { User };

export type Address = {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
  phone?: string;
};

export type Profile = InferResponseType<typeof client.api.account.profile.$get>["profile"];

export type AccountOrder = {
  id: string;
  number: number | null;
  status: string;
  totals: { totalCents: number; currency: string };
  createdAt: number;
};

export type Invoice = {
  id: string;
  number: number;
  /** The order it bills (a subscription period's invoice has none) and that order's `#number`. */
  orderId: string | null;
  orderNumber: number | null;
  totalCents: number;
  currency: string;
  status: string;
  issuedAt: number;
};

export type AccountNotification = {
  id: string;
  subject: string;
  /** The text part of the e-mail; `html` is the part mail programs show (null for messages without one). */
  body: string;
  html?: string | null;
  createdAt: number;
};

export type Plan = InferResponseType<typeof client.api.plans.$get>["plans"][number];

export type Subscription = InferResponseType<typeof client.api.subscriptions.$get>["subscriptions"][number];

export type Paged<K extends string, T> = { [key in K]: T[] } & { nextCursor: string | null };
