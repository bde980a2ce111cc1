/**
 * A local HTTP server that speaks the small part of Stripe's API the Stripe adapter uses
 * (src/adapters/stripe-gateway.ts), started on the Node side by vitest's globalSetup; its URL reaches the
 * tests in workerd through `provide("stripeApiBase")` / `inject("stripeApiBase")`.
 *
 * Request and response shapes follow Stripe's API reference (https://docs.stripe.com/api): form-encoded
 * bodies with bracketed keys, `Authorization: Bearer sk_…`, PaymentIntent / Refund objects, the error envelope
 * `{error:{type,code,decline_code,message,param,payment_intent}}`, 402 for card errors, idempotent replays of
 * the first answer for a repeated `Idempotency-Key` and 400 `idempotency_error` when its parameters differ.
 * Stricter than Stripe in one way, to prove the adapter's promise: a POST without an Idempotency-Key is 400.
 *
 * Test cards (Stripe's test tokens): tok_visa and the tok_riskLevel* tokens authorize; tok_chargeDeclined
 * declines with generic_decline, tok_chargeDeclinedInsufficientFunds with insufficient_funds; any other
 * token is 400 resource_missing, as Stripe answers a token that does not exist.
 * `GET /__requests` returns every request seen (for assertions on keys and parameters).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    stripeApiBase: string;
  }
}

type Intent = {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  capture_method: "manual" | "automatic";
  confirmation_method: "automatic";
  status: "requires_payment_method" | "requires_capture" | "succeeded" | "canceled";
  cancellation_reason: string | null;
  latest_charge: string | null;
  last_payment_error: { type: string; code: string; decline_code?: string; message: string } | null;
  metadata: Record<string, string>;
  created: number;
  livemode: false;
  refunded: number;
};
type Answer = { status: number; body: unknown };
type Seen = { method: string; path: string; idempotencyKey: string | null; params: Record<string, string> };

const rid = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;
const error = (status: number, e: Record<string, unknown>): Answer => ({ status, body: { error: e } });

const DECLINES: Record<string, string> = {
  tok_chargeDeclined: "generic_decline",
  tok_chargeDeclinedInsufficientFunds: "insufficient_funds",
};
const APPROVES = new Set(["tok_visa", "tok_riskLevelElevated", "tok_riskLevelHighest", "tok_mastercard"]);

function publicIntent(pi: Intent) {
  const { refunded: _refunded, ...rest } = pi;
  return rest;
}

export function startStripeServer() {
  const intents = new Map<string, Intent>();
  const replays = new Map<string, { fingerprint: string; answer: Answer }>();
  const seen: Seen[] = [];

  function metadataOf(params: URLSearchParams): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of params) {
      const m = /^metadata\[(.+)\]$/.exec(k);
      if (m?.[1]) out[m[1]] = v;
    }
    return out;
  }

  function createIntent(params: URLSearchParams): Answer {
    const amount = Number(params.get("amount"));
    const currency = params.get("currency") ?? "";
    if (!Number.isInteger(amount) || amount < 1) {
      return error(400, {
        type: "invalid_request_error",
        code: "parameter_invalid_integer",
        param: "amount",
        message: "Invalid integer",
      });
    }
    if (!/^[a-z]{3}$/.test(currency)) {
      return error(400, {
        type: "invalid_request_error",
        code: "parameter_missing",
        param: "currency",
        message: "Missing required param: currency.",
      });
    }
    const token = params.get("payment_method_data[card][token]") ?? "";
    if (!(token in DECLINES) && !APPROVES.has(token)) {
      return error(400, {
        type: "invalid_request_error",
        code: "resource_missing",
        param: "payment_method_data[card][token]",
        message: `No such token: '${token}'`,
      });
    }
    const pi: Intent = {
      id: rid("pi"),
      object: "payment_intent",
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency,
      capture_method: params.get("capture_method") === "manual" ? "manual" : "automatic",
      confirmation_method: "automatic",
      status: "requires_payment_method",
      cancellation_reason: null,
      latest_charge: null,
      last_payment_error: null,
      metadata: metadataOf(params),
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      refunded: 0,
    };
    intents.set(pi.id, pi);
    if (params.get("confirm") !== "true") return { status: 200, body: publicIntent(pi) };
    const decline = DECLINES[token];
    if (decline) {
      pi.last_payment_error = {
        type: "card_error",
        code: "card_declined",
        decline_code: decline,
        message: "Your card was declined.",
      };
      return error(402, {
        type: "card_error",
        code: "card_declined",
        decline_code: decline,
        message: "Your card was declined.",
        payment_intent: publicIntent(pi),
      });
    }
    pi.latest_charge = rid("ch");
    if (pi.capture_method === "manual") {
      pi.status = "requires_capture";
      pi.amount_capturable = amount;
    } else {
      pi.status = "succeeded";
      pi.amount_received = amount;
    }
    return { status: 200, body: publicIntent(pi) };
  }

  const unexpected = (pi: Intent, action: string) =>
    error(400, {
      type: "invalid_request_error",
      code: "payment_intent_unexpected_state",
      message: `This PaymentIntent could not be ${action} because it has a status of ${pi.status}.`,
      payment_intent: publicIntent(pi),
    });

  function capture(pi: Intent, params: URLSearchParams): Answer {
    if (pi.status !== "requires_capture") return unexpected(pi, "captured");
    const amount = params.has("amount_to_capture") ? Number(params.get("amount_to_capture")) : pi.amount_capturable;
    if (!Number.isInteger(amount) || amount < 1 || amount > pi.amount_capturable) {
      return error(400, {
        type: "invalid_request_error",
        code: "amount_too_large",
        param: "amount_to_capture",
        message: "Amount too large",
      });
    }
    pi.status = "succeeded";
    pi.amount_received = amount;
    pi.amount_capturable = 0;
    return { status: 200, body: publicIntent(pi) };
  }

  function cancel(pi: Intent, params: URLSearchParams): Answer {
    if (pi.status === "succeeded" || pi.status === "canceled") return unexpected(pi, "canceled");
    pi.status = "canceled";
    pi.amount_capturable = 0;
    pi.cancellation_reason = params.get("cancellation_reason");
    return { status: 200, body: publicIntent(pi) };
  }

  function refund(params: URLSearchParams): Answer {
    const pi = intents.get(params.get("payment_intent") ?? "");
    if (!pi) {
      return error(404, {
        type: "invalid_request_error",
        code: "resource_missing",
        param: "payment_intent",
        message: "No such payment_intent",
      });
    }
    if (pi.status !== "succeeded") {
      return error(400, {
        type: "invalid_request_error",
        code: "charge_not_refundable",
        message: "This PaymentIntent has no successful charge to refund.",
      });
    }
    const left = pi.amount_received - pi.refunded;
    const amount = params.has("amount") ? Number(params.get("amount")) : left;
    if (left === 0)
      return error(400, {
        type: "invalid_request_error",
        code: "charge_already_refunded",
        message: "Charge has already been refunded.",
      });
    if (!Number.isInteger(amount) || amount < 1 || amount > left) {
      return error(400, {
        type: "invalid_request_error",
        code: "amount_too_large",
        param: "amount",
        message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
      });
    }
    pi.refunded += amount;
    return {
      status: 200,
      body: {
        id: rid("re"),
        object: "refund",
        amount,
        charge: pi.latest_charge,
        currency: pi.currency,
        payment_intent: pi.id,
        reason: null,
        status: "succeeded",
        metadata: metadataOf(params),
        created: Math.floor(Date.now() / 1000),
      },
    };
  }

  function route(method: string, path: string, params: URLSearchParams): Answer {
    if (method === "POST" && path === "/v1/payment_intents") return createIntent(params);
    if (method === "POST" && path === "/v1/refunds") return refund(params);
    const m = /^\/v1\/payment_intents\/([^/]+)(?:\/(capture|cancel))?$/.exec(path);
    const pi = m?.[1] ? intents.get(decodeURIComponent(m[1])) : undefined;
    if (m && !pi) {
      return error(404, {
        type: "invalid_request_error",
        code: "resource_missing",
        param: "intent",
        message: `No such payment_intent: '${m[1]}'`,
      });
    }
    if (m && pi && method === "GET" && !m[2]) return { status: 200, body: publicIntent(pi) };
    if (m && pi && method === "POST" && m[2] === "capture") return capture(pi, params);
    if (m && pi && method === "POST" && m[2] === "cancel") return cancel(pi, params);
    return error(404, { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path}).` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? "/", "http://stripe.local");
    const send = (a: Answer) => {
      res.writeHead(a.status, { "content-type": "application/json", "request-id": rid("req") });
      res.end(JSON.stringify(a.body));
    };
    if (url.pathname === "/__requests") return send({ status: 200, body: seen });
    const params = new URLSearchParams(raw);
    const key = req.headers["idempotency-key"];
    const idempotencyKey = typeof key === "string" ? key : null;
    seen.push({ method: req.method ?? "", path: url.pathname, idempotencyKey, params: Object.fromEntries(params) });
    if (!/^Bearer sk_(test|live)_\w+$/.test(req.headers.authorization ?? "")) {
      return send(error(401, { type: "invalid_request_error", message: "Invalid API Key provided" }));
    }
    if (req.method === "POST" && !(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      return send(error(400, { type: "invalid_request_error", message: "Invalid request: unsupported Content-Type" }));
    }
    if (req.method === "POST") {
      if (!idempotencyKey) {
        return send(
          error(400, {
            type: "invalid_request_error",
            code: "idempotency_key_missing",
            message: "This server wants an Idempotency-Key on every POST",
          }),
        );
      }
      const fingerprint = `${url.pathname}?${raw}`;
      const prior = replays.get(idempotencyKey);
      if (prior && prior.fingerprint !== fingerprint) {
        return send(
          error(400, {
            type: "idempotency_error",
            message:
              "Keys for idempotent requests can only be used with the same parameters they were first used with.",
          }),
        );
      }
      if (prior) return send(prior.answer);
      const answer = route("POST", url.pathname, params);
      replays.set(idempotencyKey, { fingerprint, answer });
      return send(answer);
    }
    return send(route(req.method ?? "GET", url.pathname, params));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { type: "api_error", message: String(err) } }));
    });
  });
  return server;
}

export default async function setup(project: TestProject) {
  const server = startStripeServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("stripeApiBase", `http://127.0.0.1:${port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
