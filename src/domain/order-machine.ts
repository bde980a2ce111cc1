/**
 * The order state machine of DESIGN.md ("Order flow") as data: which command moves an order from which state
 * to which, and who may issue it. The OrderFlow Durable Object asks `decide` before every change and persists
 * what it answers; nothing else moves an order.
 *
 * ```
 * pending ─reserve─▶ reserved ─pay─▶ payment_pending ─┬─ confirm ─▶ confirmed ─ship▶ shipped ─deliver▶ delivered
 *                      │                               ├─ hold ─▶ on_hold ─approve▶ confirmed / ─reject▶ cancelled
 *                      └─ expire ─▶ cancelled          ├─ fraud_reject ─▶ cancelled (payment voided)
 *                                                      └─ decline / payment_timeout ─▶ payment_failed ─pay▶ …
 * reserved/payment_failed/on_hold/confirmed ─cancel─▶ cancelled (void or refund, stock back)
 * reserved/confirmed ─amend─▶ same state
 * ```
 */

export const ORDER_STATUSES = [
  "pending",
  "reserved",
  "payment_pending",
  "payment_failed",
  "on_hold",
  "confirmed",
  "shipped",
  "delivered",
  "cancelled",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Who issues a command: the order's owner (shopper), staff/admin, or the system (alarms, payment, fraud). */
export type Actor = "owner" | "staff" | "system";

export const ORDER_COMMANDS = [
  "reserve",
  "pay",
  "confirm",
  "hold",
  "decline",
  "payment_timeout",
  "fraud_reject",
  "stock_unavailable",
  "approve",
  "reject",
  "expire",
  "cancel",
  "amend",
  "ship",
  "deliver",
  "refund",
] as const;
export type OrderCommand = (typeof ORDER_COMMANDS)[number];

export type Transition = {
  from: OrderStatus;
  command: OrderCommand;
  to: OrderStatus;
  actors: readonly Actor[];
  /** The command is accepted but changes nothing (cancelling a cancelled order answers its final state). */
  noop?: true;
};

const OWNER_OR_STAFF: readonly Actor[] = ["owner", "staff"];
const STAFF: readonly Actor[] = ["staff"];
const SYSTEM: readonly Actor[] = ["system"];
const OWNER: readonly Actor[] = ["owner"];

/** Every allowed move. A (from, command) pair missing here is `invalid_state`. */
export const TRANSITIONS: readonly Transition[] = [
  // all stock held
  { from: "pending", command: "reserve", to: "reserved", actors: SYSTEM },
  // the shopper pays, or retries after a decline / timeout
  { from: "reserved", command: "pay", to: "payment_pending", actors: OWNER },
  { from: "payment_failed", command: "pay", to: "payment_pending", actors: OWNER },
  // the payment is authorized and the fraud check passed (in either order)
  { from: "payment_pending", command: "confirm", to: "confirmed", actors: SYSTEM },
  { from: "payment_pending", command: "hold", to: "on_hold", actors: SYSTEM },
  { from: "payment_pending", command: "decline", to: "payment_failed", actors: SYSTEM },
  { from: "on_hold", command: "decline", to: "payment_failed", actors: SYSTEM },
  { from: "payment_pending", command: "payment_timeout", to: "payment_failed", actors: SYSTEM },
  { from: "payment_pending", command: "fraud_reject", to: "cancelled", actors: SYSTEM },
  { from: "on_hold", command: "fraud_reject", to: "cancelled", actors: SYSTEM },
  { from: "payment_failed", command: "fraud_reject", to: "cancelled", actors: SYSTEM },
  // the stock vanished between reservation and confirmation (never expected; handled anyway)
  { from: "payment_pending", command: "stock_unavailable", to: "cancelled", actors: SYSTEM },
  { from: "on_hold", command: "stock_unavailable", to: "cancelled", actors: SYSTEM },
  // fraud review by staff
  { from: "on_hold", command: "approve", to: "confirmed", actors: STAFF },
  { from: "on_hold", command: "reject", to: "cancelled", actors: STAFF },
  // deadlines: reservation over, payment timed out with the reservation also over, review window over
  { from: "reserved", command: "expire", to: "cancelled", actors: SYSTEM },
  { from: "payment_failed", command: "expire", to: "cancelled", actors: SYSTEM },
  { from: "payment_pending", command: "expire", to: "cancelled", actors: SYSTEM },
  { from: "on_hold", command: "expire", to: "cancelled", actors: SYSTEM },
  // cancellation by the shopper or staff; a second cancel answers the same final state
  { from: "reserved", command: "cancel", to: "cancelled", actors: OWNER_OR_STAFF },
  { from: "payment_failed", command: "cancel", to: "cancelled", actors: OWNER_OR_STAFF },
  { from: "on_hold", command: "cancel", to: "cancelled", actors: OWNER_OR_STAFF },
  { from: "confirmed", command: "cancel", to: "cancelled", actors: OWNER_OR_STAFF },
  { from: "cancelled", command: "cancel", to: "cancelled", actors: OWNER_OR_STAFF, noop: true },
  // amendments keep the state
  { from: "reserved", command: "amend", to: "reserved", actors: OWNER },
  { from: "confirmed", command: "amend", to: "confirmed", actors: OWNER },
  // fulfilment
  { from: "confirmed", command: "ship", to: "shipped", actors: STAFF },
  { from: "shipped", command: "deliver", to: "delivered", actors: STAFF },
  // a full refund: before shipping it cancels the order (stock back); after, the goods are out and it stays
  { from: "confirmed", command: "refund", to: "cancelled", actors: STAFF },
  { from: "shipped", command: "refund", to: "shipped", actors: STAFF },
  { from: "delivered", command: "refund", to: "delivered", actors: STAFF },
];

export type Decision =
  | { ok: true; to: OrderStatus; noop: boolean }
  | { ok: false; reason: "invalid_state" | "forbidden" };

/** What `command` by `actor` does to an order in `from`. */
export function decide(from: OrderStatus, command: OrderCommand, actor: Actor): Decision {
  const row = TRANSITIONS.find((t) => t.from === from && t.command === command);
  if (!row) return { ok: false, reason: "invalid_state" };
  if (!row.actors.includes(actor)) return { ok: false, reason: "forbidden" };
  return { ok: true, to: row.to, noop: row.noop === true };
}

/** The states a shopper (or staff) may cancel from, cancelled included (answered with the same state). */
export const CANCELLABLE: readonly OrderStatus[] = ORDER_STATUSES.filter((s) => decide(s, "cancel", "owner").ok);

/** States in which the order holds stock reservations (not yet committed). */
export const HOLDS_RESERVATION: readonly OrderStatus[] = ["reserved", "payment_pending", "payment_failed", "on_hold"];

/** States after which nothing else happens to the order's status except refunds. */
export const FINAL: readonly OrderStatus[] = ["delivered", "cancelled"];

/** How long stock stays held for an order waiting on staff review (DESIGN.md is silent: 3 days). */
export const REVIEW_HOLD_MS = 3 * 24 * 60 * 60_000;

// ---- joining the payment and the fraud check -------------------------------------------------------------

/** Where one payment attempt's authorization stands. */
export type AuthState = "pending" | "authorized" | "declined";
/** Where its fraud check stands; `approved` is a `review` that staff approved. */
export type FraudState = "pending" | "pass" | "review" | "reject" | "approved";
/** What the two together mean for the order. */
export type JoinOutcome = "wait" | "confirm" | "hold" | "decline" | "reject";

/**
 * The join of authorization and fraud check: the order is confirmed only when the payment is authorized AND
 * the check passed (or staff approved a review), whichever arrives first. A reject wins over everything, a
 * decline over a pending or favourable check, and a review holds the order whatever the authorization says.
 */
export const PAYMENT_JOIN: Readonly<Record<AuthState, Readonly<Record<FraudState, JoinOutcome>>>> = {
  pending: { pending: "wait", pass: "wait", approved: "wait", review: "hold", reject: "reject" },
  authorized: { pending: "wait", pass: "confirm", approved: "confirm", review: "hold", reject: "reject" },
  declined: { pending: "decline", pass: "decline", approved: "decline", review: "decline", reject: "reject" },
};

export function joinPayment(auth: AuthState, fraud: FraudState): JoinOutcome {
  return PAYMENT_JOIN[auth][fraud];
}

/** The command a join outcome issues; `wait` issues none. */
export const JOIN_COMMAND: Readonly<Record<JoinOutcome, OrderCommand | null>> = {
  wait: null,
  confirm: "confirm",
  hold: "hold",
  decline: "decline",
  reject: "fraud_reject",
};

// ---- the public shape --------------------------------------------------------------------------------------

export type TimelineEntry = { version: number; status: OrderStatus; at: number; note?: string };

/** What a WebSocket viewer of an order receives on every change (and on replay with `?since=`). */
export type OrderMessage = { type: "order"; status: OrderStatus; version: number; entry: TimelineEntry };

export function orderMessage(entry: TimelineEntry): OrderMessage {
  return { type: "order", status: entry.status, version: entry.version, entry };
}
