/** The shapes the account pages read from /api (docs/accounts.md). */
export type User = { id: string; email: string; name: string; role: "customer" | "staff" | "admin" };

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
  status: "active" | "past_due" | "paused" | "cancelled";
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
