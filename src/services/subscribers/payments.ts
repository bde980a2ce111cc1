/**
 * The Payment service. On PaymentInitiated it asks the gateway to authorize and applies the answer to the
 * order's OrderFlow (the shopper's own confirmation); the gateway's signed webhook for the same outcome races
 * it through POST /api/webhooks/payments. The OrderFlow applies each outcome once and records the
 * PaymentProcessed event with the change, so the event exists exactly once whichever way won.
 *
 * Capture, void and refund are asked for by the OrderFlow (its payment tasks, run through `runPaymentTask`);
 * their outcomes come back the same two ways.
 */
import type { GatewayOutcome } from "../../adapters/payment-gateway";
import { paymentGateway } from "../../adapters/payment-gateway";
import type { ApplyResult, PaymentTask } from "../../domain/order/types";
import type { EventSubscriber } from "./subscriber";

/**
 * Hands an outcome to the order it belongs to, through OrderFlow's one door (`applyPayment`): the queue
 * subscriber's authorization answer and the webhook both come here; the order decides whether it still applies.
 * `webhook` is the webhook's gateway event id, which the order records with the outcome (the synchronous
 * answer has none and marks nothing).
 */
export async function applyPaymentOutcome(env: Env, outcome: GatewayOutcome, webhook?: string): Promise<ApplyResult> {
  return env.ORDER_FLOW.getByName(outcome.orderId).applyPayment(outcome, webhook);
}

/** Runs one payment task at the gateway and returns its synchronous outcome. */
export async function runPaymentTask(
  env: Env,
  task: PaymentTask,
  background: (work: Promise<unknown>) => void,
): Promise<GatewayOutcome> {
  const gateway = paymentGateway(env, background);
  const ref = {
    paymentId: task.paymentId,
    orderId: task.orderId,
    amountCents: task.amountCents,
    currency: task.currency,
  };
  switch (task.kind) {
    case "capture":
      return gateway.capture(ref, task.id);
    case "void":
      return gateway.void(ref, task.id);
    case "refund":
      return gateway.refund(ref, task.id);
  }
}

export const paymentsSubscriber: EventSubscriber = {
  name: "payments",
  // No dedup marks (two D1 round trips per payment): asking again is harmless. The test gateway's answer is a
  // function of the token; Stripe's authorization carries the payment id as its Idempotency-Key, so a
  // redelivered PaymentInitiated gets the same PaymentIntent back; and the order applies each outcome once.
  types: ["PaymentInitiated"],
  async handle(event, env) {
    if (event.type !== "PaymentInitiated") return;
    const webhooks: Promise<unknown>[] = [];
    const gateway = paymentGateway(env, (work) => webhooks.push(work));
    const { orderId, paymentId, amountCents, currency, token } = event.data;
    // Only an order's own pay rule emits PaymentInitiated, and its object relays it after the D1 batch that
    // mirrors the order: there is always an order to charge for, so no D1 read here (the profile counted one).
    const outcome = await gateway.authorize({ orderId, paymentId, amountCents, currency, token });
    const result = await applyPaymentOutcome(env, outcome);
    if (!result.ok) {
      console.error(
        JSON.stringify({ level: "warn", message: "payment outcome for an unknown order", orderId, paymentId }),
      );
    }
    // Keep the invocation alive until the webhook (racing the answer applied above) has landed.
    await Promise.allSettled(webhooks);
  },
};
