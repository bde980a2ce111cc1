/**
 * What every payment provider adapter is (the embedded TestGateway in ./payment-gateway.ts, Stripe in
 * ./stripe-gateway.ts): its interface and the outcome it answers, in a file of their own so that adapters and the
 * factory that picks one do not import each other.
 */
export type GatewayStatus = "authorized" | "declined" | "captured" | "voided" | "refunded";

export type GatewayOutcome = {
  paymentId: string;
  orderId: string;
  status: GatewayStatus;
  amountCents: number;
  currency: string;
  declineCode?: string;
};

export type PaymentRef = { paymentId: string; orderId: string; amountCents: number; currency: string };

export interface PaymentGateway {
  readonly name: string;
  /** Asks to authorize `amountCents` with `token`; declines come back as an outcome, not an error. */
  authorize(ref: PaymentRef & { token: string }): Promise<GatewayOutcome>;
  /** Captures an authorized payment. `idempotencyKey` makes a retried call do nothing twice at the provider. */
  capture(ref: PaymentRef, idempotencyKey: string): Promise<GatewayOutcome>;
  /** Releases an authorization that will never be captured. */
  void(ref: PaymentRef, idempotencyKey: string): Promise<GatewayOutcome>;
  /** Refunds `amountCents` of a captured payment. */
  refund(ref: PaymentRef, idempotencyKey: string): Promise<GatewayOutcome>;
}
