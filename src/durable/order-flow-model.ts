/**
 * The shapes of the OrderFlow Durable Object: what its RPC methods take and answer, what it stores, and the
 * views of an order it hands out. Types only, shared by the object, its D1 mirror and the routes.
 */
import type { PaymentStatus, ShippingAddress } from "../db/schema";
import type { EventEnvelope } from "../domain/events";
import type { FraudAssessment } from "../domain/fraud";
import type { Actor, AuthState, FraudState, OrderStatus, TimelineEntry } from "../domain/order-machine";
import type { PricedItem, Totals } from "../domain/pricing";
import type { PaymentTask } from "../services/payments";

export type Address = Omit<ShippingAddress, "phone">;

export type CreateInput = {
  orderId: string;
  customerId: string | null;
  email: string;
  shippingAddress: Address;
  phone: string | null;
  items: PricedItem[];
  totals: Totals;
  accessTokenHash: string;
  ip: string | null;
  country: string | null;
  /**
   * Set when the caller already reserved every line under `orderId` (the checkout asks the stock first): the
   * earliest expiry of those reservations. The object then reserves nothing itself.
   */
  reservedUntil?: number;
};

export type Risk = FraudAssessment;

export type PaymentSummary = {
  id: string;
  attempt: number;
  status: PaymentStatus;
  method: string;
  amountCents: number;
  refundedCents: number;
  declineCode: string | null;
};

/** The order as its owner sees it (DESIGN.md, "Contract details"). */
export type OrderView = {
  id: string;
  status: OrderStatus;
  version: number;
  items: PricedItem[];
  totals: Totals;
  email: string;
  shippingAddress: Address;
  phone?: string;
  expiresAt: number | null;
  timeline: TimelineEntry[];
  customerId: string | null;
  trackingNumber: string | null;
  payment: PaymentSummary | null;
  refundedCents: number;
  createdAt: number;
  updatedAt: number;
};

/** Staff see the fraud assessment and every payment attempt too. */
export type StaffOrderView = OrderView & {
  risk: Risk | null;
  payments: PaymentSummary[];
  ip: string | null;
  country: string | null;
};

export type Viewer = "owner" | "staff";

export type Failure = {
  ok: false;
  code: "invalid_state" | "out_of_stock" | "validation_failed" | "not_found" | "forbidden";
  message: string;
  details?: unknown;
};
/**
 * Where a command's time went, in ms (workerd's clock moves only across I/O, so these are I/O waits): the
 * stock objects' answers, and delivering the D1 mirror and the events. Sent on as a Server-Timing header.
 */
export type CommandTiming = { stock: number; deliver: number };
export type CommandResult = { ok: true; order: OrderView | StaffOrderView; timing?: CommandTiming } | Failure;
export type PayResult = { ok: true; order: OrderView; paymentId: string } | Failure;
export type ApplyResult = { ok: true; applied: boolean; status: OrderStatus } | { ok: false; reason: string };
export type FraudResult = { ok: true; recorded: Risk; status: OrderStatus } | { ok: false; reason: string };

/** What the owner or staff did, for the timeline and OrderCancelled.by. */
export type By = { actor: Exclude<Actor, "system">; id: string };

/** The order as the object stores it. */
export type OrderDoc = {
  id: string;
  customerId: string | null;
  email: string;
  shippingAddress: Address;
  phone: string | null;
  status: OrderStatus;
  version: number;
  items: PricedItem[];
  totals: Totals;
  accessTokenHash: string;
  ip: string | null;
  country: string | null;
  /** When the stock reservation ends (while the order holds one). */
  expiresAt: number | null;
  /** When an in-flight payment is given up on. */
  paymentDeadline: number | null;
  /** When a review hold is given up on. */
  holdUntil: number | null;
  currentPaymentId: string | null;
  attempts: number;
  trackingNumber: string | null;
  risk: Risk | null;
  /** Refunds requested so far (partial refunds of amendments included). */
  refundedCents: number;
  createdAt: number;
  updatedAt: number;
};

/** One payment attempt. */
export type Attempt = {
  id: string;
  seq: number;
  token: string;
  methodLabel: string;
  amountCents: number;
  currency: string;
  auth: AuthState;
  fraud: FraudState;
  risk: Risk | null;
  status: PaymentStatus;
  declineCode: string | null;
  capturedCents: number;
  refundedCents: number;
  /** Given up on (timed out): an authorization arriving later is voided. */
  abandoned: boolean;
  createdAt: number;
  updatedAt: number;
};

export type StoredTask = PaymentTask & { seq: number; tries: number; nextAt: number; inflight: boolean };

/** Everything one command changes, written in one transaction. */
export type Change = {
  doc: OrderDoc;
  /** A timeline entry (and version bump) with this note; omitted for changes that are no transition. */
  entry?: { note?: string };
  /** Order events, built with the new version as their sequence. */
  orderEvents?: (sequence: number) => EventEnvelope[];
  /** Other events recorded with the change (PaymentProcessed). */
  events?: EventEnvelope[];
  attempts?: Attempt[];
  tasks?: PaymentTask[];
  dropTasks?: string[];
};
