/**
 * The payment gateway adapter: an interface the shop talks to, and the embedded `TestGateway` that answers the
 * test tokens of DESIGN.md. As with a real provider, every outcome reaches the shop twice, and the two race:
 * (a) the synchronous answer to the call, applied by the caller, and (b) a signed webhook POSTed to
 * `/api/webhooks/payments` through the Worker's own fetch entrypoint. The OrderFlow applies each outcome once.
 *
 * Webhook signatures: header `Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`,
 * verified with the shared secret, a 300 s tolerance and a constant-time comparison.
 */
import { exports } from "cloudflare:workers";
import { requirePayments } from "../config";
import { authorizationFor } from "../domain/payment-tokens";
import { newId } from "../lib/ids";
import { StripeGateway } from "./stripe-gateway";

export type { GatewayOutcome, GatewayStatus, PaymentGateway, PaymentRef } from "./gateway";

import type { GatewayOutcome, GatewayStatus, PaymentGateway, PaymentRef } from "./gateway";

export const WEBHOOK_PATH = "/api/webhooks/payments";
export const SIGNATURE_HEADER = "payment-signature";
export const SIGNATURE_TOLERANCE_S = 300;

export type WebhookType = `payment.${GatewayStatus}`;
export type WebhookBody = {
  id: string;
  type: WebhookType;
  created: number;
  data: { paymentId: string; orderId: string; amountCents: number; currency: string; status: GatewayStatus };
};

const encoder = new TextEncoder();

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

const toHex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** The `Payment-Signature` header value for `body` signed at `t` (unix seconds). */
export async function signWebhook(secret: string, body: string, t: number): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(`${t}.${body}`));
  return `t=${t},v1=${toHex(mac)}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: "malformed" | "stale" | "mismatch" };

/**
 * Checks a `Payment-Signature` header against the raw body: the timestamp must be within the tolerance of
 * `nowS` and one of the `v1` signatures must match. `crypto.subtle.verify` compares in constant time.
 */
export async function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowS: number,
): Promise<SignatureCheck> {
  if (!header || header.length > 1024) return { ok: false, reason: "malformed" };
  let t: number | null = null;
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  for (const part of header.split(",")) {
    const [name, value] = part.trim().split("=", 2);
    if (name === "t" && value && /^[0-9]{1,12}$/.test(value)) t = Number(value);
    else if (name === "v1" && value && /^[0-9a-f]{64}$/i.test(value)) {
      signatures.push(Uint8Array.from(value.match(/../g) ?? [], (h) => Number.parseInt(h, 16)));
    }
  }
  if (t === null || signatures.length === 0) return { ok: false, reason: "malformed" };
  if (Math.abs(nowS - t) > SIGNATURE_TOLERANCE_S) return { ok: false, reason: "stale" };
  const key = await hmacKey(secret);
  const signed = encoder.encode(`${t}.${body}`);
  for (const signature of signatures) {
    if (await crypto.subtle.verify("HMAC", key, signature, signed)) return { ok: true };
  }
  return { ok: false, reason: "mismatch" };
}

/** Sends one request to the Worker's own fetch handler (the runtime's loopback entrypoint). */
export type Deliver = (request: Request) => Promise<Response>;

export const loopback: Deliver = (request) => exports.default.fetch(request);

/**
 * The embedded test gateway. Authorization follows the test tokens (src/domain/payment-tokens.ts); capture,
 * void and refund always succeed. Each outcome is also sent as a signed webhook in the background (handed to
 * `background`, which keeps the caller's invocation alive until it lands).
 */
export class TestGateway implements PaymentGateway {
  readonly name = "test";
  readonly #secret: string;
  readonly #deliver: Deliver;
  readonly #background: (work: Promise<unknown>) => void;

  constructor(opts: { secret: string; deliver?: Deliver; background: (work: Promise<unknown>) => void }) {
    this.#secret = opts.secret;
    this.#deliver = opts.deliver ?? loopback;
    this.#background = opts.background;
  }

  async authorize(ref: PaymentRef & { token: string }): Promise<GatewayOutcome> {
    const answer = authorizationFor(ref.token);
    const outcome: GatewayOutcome = {
      paymentId: ref.paymentId,
      orderId: ref.orderId,
      amountCents: ref.amountCents,
      currency: ref.currency,
      ...answer,
    };
    return this.#announce(outcome);
  }

  async capture(ref: PaymentRef): Promise<GatewayOutcome> {
    return this.#announce({ ...ref, status: "captured" });
  }

  async void(ref: PaymentRef): Promise<GatewayOutcome> {
    return this.#announce({ ...ref, status: "voided" });
  }

  async refund(ref: PaymentRef): Promise<GatewayOutcome> {
    return this.#announce({ ...ref, status: "refunded" });
  }

  #announce(outcome: GatewayOutcome): GatewayOutcome {
    this.#background(
      this.#sendWebhook(outcome).catch((err) =>
        console.error(
          JSON.stringify({ level: "warn", message: "payment webhook not delivered", error: String(err), ...outcome }),
        ),
      ),
    );
    return outcome;
  }

  async #sendWebhook(outcome: GatewayOutcome): Promise<void> {
    const created = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      id: newId("evt_gw"),
      type: `payment.${outcome.status}`,
      created,
      data: {
        paymentId: outcome.paymentId,
        orderId: outcome.orderId,
        amountCents: outcome.amountCents,
        currency: outcome.currency,
        status: outcome.status,
      },
    } satisfies WebhookBody);
    const res = await this.#deliver(
      new Request(`https://gateway.internal${WEBHOOK_PATH}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: await signWebhook(this.#secret, body, created),
        },
        body,
      }),
    );
    await res.body?.cancel();
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  }
}

/**
 * The gateway the shop uses, chosen by configuration (src/domain/payment-setup.ts). Throws
 * PaymentsUnavailableError (answered 503 `payments_unavailable`) when this deployment may take no payments.
 */
export function paymentGateway(env: Env, background: (work: Promise<unknown>) => void): PaymentGateway {
  const setup = requirePayments(env);
  if (setup.kind === "stripe") {
    return new StripeGateway({ secretKey: setup.secretKey, apiBase: setup.apiBase, db: env.DB });
  }
  return new TestGateway({ secret: setup.webhookSecret, background });
}
