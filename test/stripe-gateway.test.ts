import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { signWebhook } from "../src/adapters/payment-gateway";
import { stripeEventOutcome } from "../src/adapters/stripe-events";
import { formEncode, StripeApiError, StripeGateway } from "../src/adapters/stripe-gateway";
import { newId } from "../src/lib/ids";
import worker from "../src/worker";
import { BASE } from "./helpers";
import { getOrder, placeOrder, product } from "./order-fixtures";

const API = inject("stripeApiBase");
const WEBHOOK_SECRET = "whsec_stripe_test";

type Seen = { method: string; path: string; idempotencyKey: string | null; params: Record<string, string> };
const requests = async (): Promise<Seen[]> => (await fetch(`${API}/__requests`)).json();

const gateway = () => new StripeGateway({ secretKey: "sk_test_shop", apiBase: API, db: env.DB });
const ref = (amountCents = 4_990) => ({
  paymentId: newId("pay"),
  orderId: newId("ord"),
  amountCents,
  currency: "EUR",
});

async function intentOf(paymentId: string): Promise<{ id: string; status: string; amount_received: number }> {
  const row = await env.DB.prepare("SELECT provider_ref FROM payment_provider_refs WHERE payment_id = ?")
    .bind(paymentId)
    .first<{ provider_ref: string }>();
  return (
    await fetch(`${API}/v1/payment_intents/${row?.provider_ref}`, { headers: { authorization: "Bearer sk_test_shop" } })
  ).json();
}

describe("the Stripe adapter against a server speaking Stripe's API", () => {
  it("authorizes with a confirmed manual-capture PaymentIntent, keyed by the payment id", async () => {
    const r = ref();
    expect(await gateway().authorize({ ...r, token: "tok_visa" })).toEqual({ ...r, status: "authorized" });
    const created = (await requests()).find((q) => q.params["metadata[payment_id]"] === r.paymentId);
    expect(created).toMatchObject({
      method: "POST",
      path: "/v1/payment_intents",
      idempotencyKey: `authorize:${r.paymentId}`,
      params: {
        amount: "4990",
        currency: "eur",
        capture_method: "manual",
        confirm: "true",
        "payment_method_data[type]": "card",
        "payment_method_data[card][token]": "tok_visa",
        "metadata[order_id]": r.orderId,
      },
    });
    expect(await intentOf(r.paymentId)).toMatchObject({ status: "requires_capture" });
  });

  it("turns Stripe's 402 card errors into declines with the decline code, and an unknown token into invalid_token", async () => {
    const declined = ref();
    expect(await gateway().authorize({ ...declined, token: "tok_chargeDeclined" })).toEqual({
      ...declined,
      status: "declined",
      declineCode: "generic_decline",
    });
    const poor = ref();
    expect(await gateway().authorize({ ...poor, token: "tok_chargeDeclinedInsufficientFunds" })).toMatchObject({
      status: "declined",
      declineCode: "insufficient_funds",
    });
    const unknown = ref();
    expect(await gateway().authorize({ ...unknown, token: "tok_nope" })).toMatchObject({
      status: "declined",
      declineCode: "invalid_token",
    });
  });

  it("answers a repeated authorization (a redelivered PaymentInitiated) with the same PaymentIntent, charging once", async () => {
    const r = ref();
    expect(await gateway().authorize({ ...r, token: "tok_visa" })).toEqual({ ...r, status: "authorized" });
    const first = await intentOf(r.paymentId);
    expect(await gateway().authorize({ ...r, token: "tok_visa" })).toEqual({ ...r, status: "authorized" });
    expect(await intentOf(r.paymentId)).toMatchObject({ id: first.id, status: "requires_capture" });
    const asked = (await requests()).filter((q) => q.params["metadata[payment_id]"] === r.paymentId);
    expect(asked.map((q) => q.idempotencyKey)).toEqual([`authorize:${r.paymentId}`, `authorize:${r.paymentId}`]);
  });

  it("captures at confirmation, and a retried capture with the same key changes nothing", async () => {
    const r = ref();
    await gateway().authorize({ ...r, token: "tok_visa" });
    expect(await gateway().capture(r, `task_${r.paymentId}`)).toEqual({ ...r, status: "captured" });
    expect(await gateway().capture(r, `task_${r.paymentId}`)).toEqual({ ...r, status: "captured" });
    expect(await intentOf(r.paymentId)).toMatchObject({ status: "succeeded", amount_received: 4_990 });
    const captures = (await requests()).filter(
      (q) => q.path.endsWith("/capture") && q.idempotencyKey === `task_${r.paymentId}`,
    );
    expect(captures).toHaveLength(2);
  });

  it("voids with a cancel, after which a capture is refused by Stripe and thrown for a retry", async () => {
    const r = ref();
    await gateway().authorize({ ...r, token: "tok_visa" });
    expect(await gateway().void(r, `void_${r.paymentId}`)).toEqual({ ...r, status: "voided" });
    expect(await intentOf(r.paymentId)).toMatchObject({ status: "canceled" });
    await expect(gateway().capture(r, `cap_${r.paymentId}`)).rejects.toThrow(StripeApiError);
  });

  it("refunds part of a captured payment and refuses more than was captured", async () => {
    const r = ref(10_000);
    await gateway().authorize({ ...r, token: "tok_visa" });
    await gateway().capture(r, `cap_${r.paymentId}`);
    const part = { ...r, amountCents: 2_500 };
    expect(await gateway().refund(part, `ref1_${r.paymentId}`)).toEqual({ ...part, status: "refunded" });
    const refund = (await requests()).find((q) => q.idempotencyKey === `ref1_${r.paymentId}`);
    expect(refund).toMatchObject({ path: "/v1/refunds", params: { amount: "2500" } });
    await expect(gateway().refund({ ...r, amountCents: 8_000 }, `ref2_${r.paymentId}`)).rejects.toThrow(
      /amount_too_large/,
    );
  });

  it("sends the secret key and an Idempotency-Key on every call it makes", async () => {
    const posts = (await requests()).filter((q) => q.method === "POST");
    expect(posts.length).toBeGreaterThan(5);
    for (const q of posts) expect(q.idempotencyKey, q.path).toBeTruthy();
  });

  it("encodes nested parameters the way Stripe reads them", () => {
    expect(formEncode({ a: 1, m: { order_id: "o 1" }, t: ["card"], u: undefined })).toBe(
      "a=1&m%5Border_id%5D=o%201&t%5B%5D=card",
    );
  });
});

describe("Stripe's webhooks", () => {
  const shop = {
    ...env,
    PAYMENT_PROVIDER: "stripe",
    STRIPE_SECRET_KEY: "sk_test_shop",
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: API,
  } as Env;

  async function deliver(event: unknown, opts: { secret?: string; header?: string } = {}) {
    const body = JSON.stringify(event);
    const t = Math.floor(Date.now() / 1000);
    const ctx = createExecutionContext();
    const request = new Request(`${BASE}/api/webhooks/payments`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [opts.header ?? "stripe-signature"]: await signWebhook(opts.secret ?? WEBHOOK_SECRET, body, t),
      },
      body,
    }) as Request<unknown, IncomingRequestCfProperties>;
    const res = await worker.fetch(request, shop, ctx);
    await waitOnExecutionContext(ctx);
    return { status: res.status, body: (await res.json()) as any };
  }

  const intentEvent = (type: string, object: Record<string, unknown>) => ({
    id: newId("evt"),
    object: "event",
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object },
  });

  it("maps Stripe's event types onto the shop's outcomes through the PaymentIntent it created", async () => {
    const r = ref();
    await gateway().authorize({ ...r, token: "tok_visa" });
    const pi = await intentOf(r.paymentId);
    const object = { id: pi.id, object: "payment_intent", amount: 4_990, currency: "eur" };
    const outcome = (type: string, o: Record<string, unknown> = object) =>
      stripeEventOutcome(env.DB, intentEvent(type, o) as never);
    expect(await outcome("payment_intent.amount_capturable_updated")).toEqual({ ...r, status: "authorized" });
    expect(await outcome("payment_intent.succeeded")).toEqual({ ...r, status: "captured" });
    expect(await outcome("payment_intent.canceled")).toEqual({ ...r, status: "voided" });
    expect(
      await outcome("payment_intent.payment_failed", {
        ...object,
        last_payment_error: { decline_code: "expired_card" },
      }),
    ).toEqual({ ...r, status: "declined", declineCode: "expired_card" });
    expect(
      await outcome("charge.refunded", {
        id: "ch_1",
        object: "charge",
        payment_intent: pi.id,
        amount_refunded: 990,
        currency: "eur",
      }),
    ).toEqual({ ...r, status: "refunded", amountCents: 990 });
    expect(await outcome("customer.created")).toBeNull();
    expect(await outcome("payment_intent.succeeded", { ...object, id: "pi_not_ours" })).toBeNull();
  });

  it("accepts an event signed with Stripe-Signature and the endpoint secret, once per event id", async () => {
    const r = ref();
    await gateway().authorize({ ...r, token: "tok_visa" });
    const pi = await intentOf(r.paymentId);
    const event = intentEvent("payment_intent.succeeded", {
      id: pi.id,
      object: "payment_intent",
      amount: 4_990,
      currency: "eur",
    });
    const first = await deliver(event);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ received: true, duplicate: false });
    expect((await deliver(event)).body).toMatchObject({ received: true, duplicate: true });
  });

  it("refuses card details at pay when Stripe takes the payments, leaving the order reserved", async () => {
    const o = await placeOrder([{ sku: await product(), qty: 1 }]);
    const ctx = createExecutionContext();
    const request = new Request(`${BASE}/api/orders/${o.id}/pay`, {
      method: "POST",
      headers: { ...o.auth, "content-type": "application/json" },
      body: JSON.stringify({ paymentMethod: { token: "4242 4242 4242 4242" } }),
    }) as Request<unknown, IncomingRequestCfProperties>;
    const res = await worker.fetch(request, shop, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.details).toEqual([
      { path: "paymentMethod.token", message: "Send a Stripe token, not card details" },
    ]);
    expect((await getOrder(o)).body.status).toBe("reserved");
  });

  it("answers 200 and ignores a signed event type the shop does not handle", async () => {
    const res = await deliver(intentEvent("customer.created", { id: "cus_1", object: "customer" }));
    expect(res).toEqual({ status: 200, body: { received: true, ignored: true } });
  });

  it("refuses a wrong secret and our own Payment-Signature header with 401 invalid_signature", async () => {
    const event = intentEvent("customer.created", { id: "cus_1", object: "customer" });
    for (const opts of [{ secret: "whsec_attacker" }, { header: "payment-signature" }]) {
      const res = await deliver(event, opts);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("invalid_signature");
    }
  });
});
