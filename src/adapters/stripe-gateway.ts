/**
 * The Stripe adapter behind the PaymentGateway interface (chosen with PAYMENT_PROVIDER=stripe, see
 * src/domain/payment-setup.ts). PaymentIntents with manual capture: authorize = create and confirm a
 * PaymentIntent with `capture_method=manual` (status `requires_capture`), capture at confirmation, cancel
 * (void) when the order will never ship, refunds through /v1/refunds. Every POST carries an Idempotency-Key
 * (the payment id for the authorization, the OrderFlow's task id for the others), so a retried call does
 * nothing twice at Stripe.
 *
 * Stripe names payments by its own PaymentIntent id; `payment_provider_refs` (D1) maps ours to it when the
 * authorization is answered. Stripe's webhooks are mapped onto our outcomes by src/adapters/stripe-events.ts.
 */
import { eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { paymentProviderRefs } from "../db/schema";
import type { GatewayOutcome, PaymentGateway, PaymentRef } from "./gateway";

export type StripeOptions = {
  secretKey: string;
  /** https://api.stripe.com, or the local server of the tests. */
  apiBase: string;
  db: D1Database;
};

type StripeIntent = {
  id: string;
  object: "payment_intent";
  status: string;
  amount: number;
  currency: string;
  last_payment_error?: { code?: string; decline_code?: string } | null;
};
type StripeError = {
  error: {
    type: string;
    code?: string;
    decline_code?: string;
    message?: string;
    param?: string;
    payment_intent?: StripeIntent;
  };
};

/** A failure that is not an answer about the payment (network, 5xx, a request Stripe refused): retried. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(`Stripe ${status} ${type}${code ? `/${code}` : ""}: ${message}`);
    this.name = "StripeApiError";
  }
}

/** Stripe's form encoding with bracketed keys: `{metadata:{order_id:"x"}}` → `metadata[order_id]=x`. */
export function formEncode(params: Record<string, unknown>, prefix = ""): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const name = prefix ? `${prefix}[${key}]` : key;
    if (Array.isArray(value)) {
      for (const item of value) parts.push(`${encodeURIComponent(`${name}[]`)}=${encodeURIComponent(String(item))}`);
    } else if (value !== null && typeof value === "object") {
      const inner = formEncode(value as Record<string, unknown>, name);
      if (inner) parts.push(inner);
    } else {
      parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.join("&");
}

export class StripeGateway implements PaymentGateway {
  readonly name = "stripe";
  readonly #opts: StripeOptions;

  constructor(opts: StripeOptions) {
    this.#opts = opts;
  }

  async authorize(ref: PaymentRef & { token: string }): Promise<GatewayOutcome> {
    const res = await this.#post(
      "/v1/payment_intents",
      {
        amount: ref.amountCents,
        currency: ref.currency.toLowerCase(),
        capture_method: "manual",
        confirm: true,
        payment_method_types: ["card"],
        payment_method_data: { type: "card", card: { token: ref.token } },
        metadata: { payment_id: ref.paymentId, order_id: ref.orderId },
      },
      `authorize:${ref.paymentId}`,
    );
    if (res.ok) {
      const intent = res.body as StripeIntent;
      await this.#remember(ref, intent.id);
      return intent.status === "requires_capture"
        ? { ...this.#base(ref), status: "authorized" }
        : {
            ...this.#base(ref),
            status: "declined",
            declineCode: intent.last_payment_error?.decline_code ?? intent.status,
          };
    }
    const err = (res.body as StripeError).error;
    if (res.status === 402 && err.type === "card_error") {
      if (err.payment_intent) await this.#remember(ref, err.payment_intent.id);
      return { ...this.#base(ref), status: "declined", declineCode: err.decline_code ?? err.code ?? "card_declined" };
    }
    // A token Stripe does not know is the shopper's problem, not a fault to retry: declined like the test gateway.
    if (res.status === 400 && err.code === "resource_missing" && err.param?.includes("token")) {
      return { ...this.#base(ref), status: "declined", declineCode: "invalid_token" };
    }
    throw new StripeApiError(res.status, err.type, err.code, err.message ?? "");
  }

  async capture(ref: PaymentRef, idempotencyKey: string): Promise<GatewayOutcome> {
    const intent = await this.#intentOf(ref);
    await this.#expectOk(
      await this.#post(`/v1/payment_intents/${intent}/capture`, { amount_to_capture: ref.amountCents }, idempotencyKey),
    );
    return { ...this.#base(ref), status: "captured" };
  }

  async void(ref: PaymentRef, idempotencyKey: string): Promise<GatewayOutcome> {
    const intent = await this.#intentOf(ref);
    await this.#expectOk(
      await this.#post(`/v1/payment_intents/${intent}/cancel`, { cancellation_reason: "abandoned" }, idempotencyKey),
    );
    return { ...this.#base(ref), status: "voided" };
  }

  async refund(ref: PaymentRef, idempotencyKey: string): Promise<GatewayOutcome> {
    const intent = await this.#intentOf(ref);
    await this.#expectOk(
      await this.#post(
        "/v1/refunds",
        {
          payment_intent: intent,
          amount: ref.amountCents,
          metadata: { payment_id: ref.paymentId, order_id: ref.orderId },
        },
        idempotencyKey,
      ),
    );
    return { ...this.#base(ref), status: "refunded" };
  }

  #base(ref: PaymentRef) {
    return { paymentId: ref.paymentId, orderId: ref.orderId, amountCents: ref.amountCents, currency: ref.currency };
  }

  async #remember(ref: PaymentRef, intentId: string): Promise<void> {
    await getDb(this.#opts.db)
      .insert(paymentProviderRefs)
      .values({
        paymentId: ref.paymentId,
        orderId: ref.orderId.startsWith("ord_") ? ref.orderId : null,
        provider: "stripe",
        providerRef: intentId,
        createdAt: Date.now(),
      })
      .onConflictDoNothing();
  }

  async #intentOf(ref: PaymentRef): Promise<string> {
    const row = await getDb(this.#opts.db)
      .select({ ref: paymentProviderRefs.providerRef })
      .from(paymentProviderRefs)
      .where(eq(paymentProviderRefs.paymentId, ref.paymentId))
      .get();
    if (!row) throw new Error(`no Stripe PaymentIntent is known for payment ${ref.paymentId}`);
    return encodeURIComponent(row.ref);
  }

  async #expectOk(res: { ok: boolean; status: number; body: unknown }): Promise<void> {
    if (res.ok) return;
    const err = (res.body as StripeError).error ?? { type: "api_error" };
    throw new StripeApiError(res.status, err.type, err.code, err.message ?? "");
  }

  async #post(path: string, params: Record<string, unknown>, idempotencyKey: string) {
    const res = await fetch(`${this.#opts.apiBase}${path}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${this.#opts.secretKey}`,
        "content-type": "application/x-www-form-urlencoded",
        "idempotency-key": idempotencyKey,
      },
      body: formEncode(params),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new StripeApiError(res.status, "api_error", undefined, "Stripe answered something other than JSON");
    }
    return { ok: res.ok, status: res.status, body };
  }
}
