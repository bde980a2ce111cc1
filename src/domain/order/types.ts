/**
 * The order's shapes: what the OrderFlow object stores (OrderDoc, Attempt, PaymentTask), what its commands take
 * and answer, the views it hands out, and the Plan its rules return. Types only; shared by the rules, the
 * object, its D1 mirror, the routes and the web.
 */
import type { EventEnvelope } from "../events";
import type { FraudAssessment } from "../fraud";
import type { Actor, AuthState, FraudState, OrderMessage, OrderStatus, TimelineEntry } from "../order-machine";
import type { PricedItem, PricingConfig, Totals } from "../pricing";
import type { RefundRecord } from "../refunds";

export type ShippingAddress = {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
  phone?: string;
};

export type PaymentStatus = "pending" | "authorized" | "captured" | "declined" | "voided" | "refunded";

export type Address = Omit<ShippingAddress, "phone">;

export type CreateInput = {
  orderId: string;
  /** The order's short number (`#1001`), taken by the route from D1 before the object is asked. */
  number: number;
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
   * earliest expiry of those reservations. The order then reserves nothing itself.
   */
  reservedUntil?: number;
  /** The shard object holding a line of a sharded SKU (SKU → ProductStock name); absent for ordinary SKUs. */
  stockPlaces?: Record<string, string>;
};

export type PayInput = { token: string; methodLabel: string; ip: string | null; country: string | null };

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
  /** Shown as `#1001`; null for an order made before numbers existed. */
  number: number | null;
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
  /** Staff refunds, oldest first; who refunded is in the staff view only. */
  refunds: Omit<RefundRecord, "by">[] | RefundRecord[];
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
/**
 * What the order did with a gateway outcome. `firstDelivery` only when the outcome came with a gateway event id
 * (a webhook): whether the order had not taken that id before (false: a redelivery, which changed nothing).
 */
export type ApplyResult =
  | { ok: true; applied: boolean; status: OrderStatus; firstDelivery?: boolean }
  | { ok: false; reason: string };
/** `carried`: the order's flush publishes the check's events it was handed (false: an earlier decision stands). */
export type FraudResult =
  | { ok: true; recorded: Risk; status: OrderStatus; carried: boolean }
  | { ok: false; reason: string };

/** What the owner or staff did, for the timeline and OrderCancelled.by. */
export type By = { actor: Exclude<Actor, "system">; id: string };

/** The order as the object stores it. */
export type OrderDoc = {
  id: string;
  /** Absent on orders stored before numbers existed. */
  number?: number;
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
  /** Each staff refund (absent on orders stored before partial refunds). */
  refunds?: RefundRecord[];
  /** Where a sharded SKU's line is held (CreateInput.stockPlaces): its stock steps go to that shard. */
  stockPlaces?: Record<string, string>;
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

/** A gateway operation an order asked for; `id` is the idempotency key at the provider. */
export type PaymentTask = {
  id: string;
  kind: "capture" | "void" | "refund";
  paymentId: string;
  orderId: string;
  amountCents: number;
  currency: string;
};

export type StoredTask = PaymentTask & { seq: number; tries: number; nextAt: number; inflight: boolean };

/** What the gateway said about a payment (its synchronous answer or its webhook: the same shape). */
export type PaymentOutcome = {
  paymentId: string;
  orderId: string;
  status: "authorized" | "declined" | "captured" | "voided" | "refunded";
  amountCents: number;
  currency: string;
  declineCode?: string;
  /** The payment task this answers, when it is the synchronous answer to one. */
  taskId?: string;
};

/** Everything the rules read: the order, its payment attempts (oldest first) and its queued payment tasks. */
export type OrderState = { doc: OrderDoc; attempts: readonly Attempt[]; tasks: readonly StoredTask[] };

/** The settings the order's rules depend on. */
export type OrderConfig = PricingConfig & { reservationTtlMs: number; paymentTimeoutMs: number };

/** What a rule is given besides the order: the time, the settings, and where fresh ids come from. */
export type RuleContext = { now: number; config: OrderConfig; newId: (prefix: string) => string };

/** A call on one SKU's ProductStock object. */
export type StockStep =
  /** Hold `qty` for `ttlMs` (the order is placed, or an amendment adds a line). */
  | { op: "reserve"; sku: string; qty: number; ttlMs: number }
  /** Keep the line held until at least `until`: extend the reservation, or reserve it again if it lapsed. */
  | { op: "hold"; sku: string; qty: number; until: number; ttlMs: number }
  /** Turn the reservation into a sale (reserving again for `ttlMs` first if it lapsed). */
  | { op: "commit"; sku: string; qty: number; ttlMs: number }
  /** Change the held or sold quantity. */
  | { op: "resize"; sku: string; qty: number }
  /** Give the line back: "release" a reservation, "expire" a lapsed one, "return" a sale. */
  | { op: "release"; sku: string; reason: "release" | "expire" | "return" };

/** A stock step's answer: done, refused (with the SKU's availability), or it threw (a bug or an outage). */
export type StockAnswer =
  | { ok: true }
  | { ok: false; reason: "insufficient" | "unknown_sku" | "lost"; available: number }
  | { ok: "threw"; error: unknown };

/**
 * One change of the order, written in one transaction: the document, its timeline entry (a transition; null
 * for a change that is none), the payment attempts that changed, payment tasks to queue and to drop, and the
 * events (order events carry `entry.version` as their sequence). `stock` runs before the write.
 */
export type Plan = {
  doc: OrderDoc;
  entry: TimelineEntry | null;
  attempts: Attempt[];
  tasks: PaymentTask[];
  dropTasks: string[];
  events: EventEnvelope[];
  stock: StockStep[];
  /** What live viewers receive (the entry as a message), or null. */
  broadcast: OrderMessage | null;
};

/**
 * What a rule decides:
 * - a failure: nothing changes;
 * - `plan`: carry it out (null: nothing to change, the order stays as it is); `answer` (a failure) is what the
 *   caller hears when the plan is a consequence of refusing the command (paying for an expired reservation
 *   cancels the order and refuses the payment);
 * - `guarded`: run the `guard` stock steps first; when every one is done carry out `granted`, otherwise undo
 *   what `undo` names and carry out what `refused` decides from the answers.
 */
export type Decision =
  | Failure
  | { ok: true; plan: Plan | null; answer?: Failure }
  | {
      ok: "guarded";
      guard: StockStep[];
      granted: Decision;
      undo: (answers: readonly StockAnswer[]) => StockStep[];
      refused: (answers: readonly StockAnswer[]) => Decision;
    };
