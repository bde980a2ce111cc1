import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signWebhook } from "../src/adapters/payment-gateway";
import { configProblems, DEV_WEBHOOK_SECRET, decidePaymentSetup } from "../src/domain/payment-setup";
import worker from "../src/worker";
import { BASE } from "./helpers";
import { getOrder, placeOrder, product, webhook } from "./order-fixtures";

/** The Worker as a deployed shop would run it: the same bindings with production's settings. */
function deployed(settings: Record<string, string>): Env {
  return { ...env, ENVIRONMENT: "production", PAYMENT_PROVIDER: "", SHOP_TEST_MODE: "", ...settings } as Env;
}

async function fetchAs(shop: Env, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const request = new Request(`${BASE}${path}`, init) as Request<unknown, IncomingRequestCfProperties>;
  const res = await worker.fetch(request, shop, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, text, json: () => JSON.parse(text) };
}

describe("payment setup decided from the settings", () => {
  it("uses the test gateway with the public dev secret only in local development", () => {
    expect(decidePaymentSetup({ ENVIRONMENT: "development" })).toEqual({
      kind: "test",
      webhookSecret: DEV_WEBHOOK_SECRET,
      banner: false,
    });
  });

  it("refuses payments in production when no provider is configured and test mode is off", () => {
    const setup = decidePaymentSetup({ ENVIRONMENT: "production", PAYMENT_WEBHOOK_SECRET: "whsec_x" });
    expect(setup).toMatchObject({ kind: "disabled", missing: ["PAYMENT_PROVIDER"] });
  });

  it("treats a missing ENVIRONMENT as production, never as local development", () => {
    expect(decidePaymentSetup({})).toMatchObject({ kind: "disabled" });
    expect(configProblems({}).map((p) => p.setting)).toEqual(["ENVIRONMENT", "PAYMENT_PROVIDER"]);
  });

  it("takes test payments in production only with SHOP_TEST_MODE on and its own webhook secret, with a banner", () => {
    expect(decidePaymentSetup({ ENVIRONMENT: "production", SHOP_TEST_MODE: "1" })).toMatchObject({
      kind: "disabled",
      missing: ["PAYMENT_WEBHOOK_SECRET"],
    });
    expect(
      decidePaymentSetup({ ENVIRONMENT: "production", SHOP_TEST_MODE: "true", PAYMENT_WEBHOOK_SECRET: "whsec_p" }),
    ).toEqual({ kind: "test", webhookSecret: "whsec_p", banner: true });
  });

  it("names both Stripe secrets when PAYMENT_PROVIDER is stripe and they are missing, even in development", () => {
    for (const ENVIRONMENT of ["production", "development"]) {
      expect(decidePaymentSetup({ ENVIRONMENT, PAYMENT_PROVIDER: "stripe" })).toMatchObject({
        kind: "disabled",
        missing: ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"],
      });
    }
  });

  it("chooses Stripe with both secrets, with a banner only for a test key", () => {
    const live = { ENVIRONMENT: "production", PAYMENT_PROVIDER: "stripe", STRIPE_WEBHOOK_SECRET: "whsec_s" };
    expect(decidePaymentSetup({ ...live, STRIPE_SECRET_KEY: "sk_live_1" })).toEqual({
      kind: "stripe",
      secretKey: "sk_live_1",
      webhookSecret: "whsec_s",
      apiBase: "https://api.stripe.com",
      banner: false,
    });
    expect(decidePaymentSetup({ ...live, STRIPE_SECRET_KEY: "sk_test_1" })).toMatchObject({ banner: true });
    expect(configProblems({ ...live, STRIPE_SECRET_KEY: "sk_live_1" })).toEqual([]);
  });

  it("refuses an unknown provider by name", () => {
    expect(decidePaymentSetup({ ENVIRONMENT: "development", PAYMENT_PROVIDER: "paypal" })).toMatchObject({
      kind: "disabled",
      missing: ["PAYMENT_PROVIDER"],
    });
  });
});

describe("a deployed shop without a payment provider", () => {
  const shop = deployed({ PAYMENT_WEBHOOK_SECRET: "" });

  it("answers pay with 503 payments_unavailable naming the missing setting and leaves the order reserved", async () => {
    const o = await placeOrder([{ sku: await product(), qty: 1 }]);
    const res = await fetchAs(shop, `/api/orders/${o.id}/pay`, {
      method: "POST",
      headers: { ...o.auth, "content-type": "application/json" },
      body: JSON.stringify({ paymentMethod: { token: "tok_visa" } }),
    });
    expect(res.status).toBe(503);
    expect(res.json().error).toMatchObject({
      code: "payments_unavailable",
      details: { missing: ["PAYMENT_PROVIDER"] },
    });
    expect((await getOrder(o)).body.status).toBe("reserved");
  });

  it("does not accept a webhook signed with the public dev secret", async () => {
    const body = JSON.stringify(
      webhook({ paymentId: "pay_x", orderId: "ord_x", amountCents: 100, currency: "EUR", status: "captured" }),
    );
    const t = Math.floor(Date.now() / 1000);
    const res = await fetchAs(shop, "/api/webhooks/payments", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "payment-signature": await signWebhook(DEV_WEBHOOK_SECRET, body, t),
      },
      body,
    });
    expect(res.status).toBe(503);
    expect(res.json().error.code).toBe("payments_unavailable");
  });

  it("still serves the storefront, without a test-mode banner", async () => {
    const res = await fetchAs(shop, `/products/${await product()}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain("test-mode-banner");
  });
});

describe("test mode", () => {
  it("puts a banner on every storefront page of a deployed shop in test mode", async () => {
    const shop = deployed({ SHOP_TEST_MODE: "1", PAYMENT_WEBHOOK_SECRET: "whsec_prod_test" });
    const sku = await product();
    for (const path of ["/?q=banner", `/products/${sku}`, "/cart", "/checkout", "/account", "/no-such-page"]) {
      const res = await fetchAs(shop, path);
      expect(res.text, path).toContain('class="test-mode-banner"');
    }
  });

  it("shows no banner in local development without SHOP_TEST_MODE", async () => {
    const res = await fetchAs(env, "/cart");
    expect(res.text).not.toContain("test-mode-banner");
  });
});
