/** The card field of checkout and of the order page's "try another card". Test cards only (DESIGN.md). */
import { useRef } from "preact/hooks";
import { luhnValid } from "../../../src/domain/payment-tokens";
import { ApiFailure, bearer, client, read } from "../lib/api";
import { newIdempotencyKey } from "./tokens";

export const TEST_CARDS = [
  { number: "4242 4242 4242 4242", outcome: "succeeds" },
  { number: "4000 0000 0000 0002", outcome: "is declined" },
  { number: "4000 0000 0000 9235", outcome: "is held for review" },
  { number: "4100 0000 0000 0019", outcome: "is refused as fraud" },
] as const;

/** The digits of what was typed ("4242 4242-4242 4242" → "4242424242424242"). */
export const cardDigits = (typed: string) => typed.replace(/[\s-]/g, "");

export const INVALID_CARD =
  "That card number is not valid. Check the digits; the test cards are listed under the card field.";

/** True for 12 to 19 digits passing the Luhn check (the server checks again). */
export function plausibleCard(digits: string): boolean {
  return /^[0-9]{12,19}$/.test(digits) && luhnValid(digits);
}

/** Server validation paths about the payment method belong to the card field. */
export const cardField = (path: string) => (path.startsWith("paymentMethod") ? "card" : undefined);

/**
 * Charges a card with one Idempotency-Key per `slot` (the card number, with the order's id where one page
 * pays several orders): sending the same card again after a lost answer cannot charge twice. A definite answer
 * (success, or a refusal other than "still in progress") retires the key, so a later attempt with that card is
 * a new charge. Checkout, the order page and subscriptions all charge through it.
 */
export function useCardCharge() {
  const keys = useRef(new Map<string, string>());
  return async <T,>(slot: string, send: (idempotencyKey: string) => Promise<T>): Promise<T> => {
    const key = keys.current.get(slot) ?? newIdempotencyKey();
    keys.current.set(slot, key);
    try {
      const answer = await send(key);
      keys.current.delete(slot);
      return answer;
    } catch (err) {
      if (err instanceof ApiFailure && err.status < 500 && err.code !== "idempotency_in_progress") {
        keys.current.delete(slot);
      }
      throw err;
    }
  };
}

/** POST /api/orders/:id/pay with `card` under `idempotencyKey`; a guest's order needs its access token. */
export function payOrder(order: { id: string; token: string | null }, card: string, idempotencyKey: string) {
  return read(
    client.api.orders[":id"].pay.$post(
      { param: { id: encodeURIComponent(order.id) }, json: { paymentMethod: { token: card } } },
      bearer(order.token, { "Idempotency-Key": idempotencyKey }),
    ),
  );
}

export function TestCardHint() {
  return (
    <>
      This shop takes test cards only:
      <span class="test-cards">
        {TEST_CARDS.map((c) => (
          <span key={c.number}>
            <code>{c.number}</code> {c.outcome}
          </span>
        ))}
      </span>
    </>
  );
}
