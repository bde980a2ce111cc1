/** The shapes the account pages read from /api (docs/accounts.md). */
import type { User } from "../lib/api";

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

export type Profile = User & { shippingAddress: Address | null; createdAt: number };

export type AccountOrder = {
  id: string;
  status: string;
  totals: { totalCents: number; currency: string };
  createdAt: number;
};

export type Invoice = {
  id: string;
  number: string;
  totalCents: number;
  currency: string;
  status: string;
  issuedAt: number;
};

export type AccountNotification = { id: string; subject: string; body: string; createdAt: number };

export type Plan = {
  id: string;
  name: string;
  description?: string;
  priceCents: number;
  currency: string;
  interval: "month";
};

export type Subscription = {
  id: string;
  planId: string;
  planName: string;
  status: "active" | "past_due" | "cancelled";
  currentPeriodStart: number;
  currentPeriodEnd: number;
  /** The next planned charge; null once cancelled and while a declined payment waits for its retry. */
  nextBillingAt: number | null;
  cancelledAt: number | null;
  priceCents: number;
  currency: string;
  createdAt: number;
};

export type Paged<K extends string, T> = { [key in K]: T[] } & { nextCursor: string | null };
