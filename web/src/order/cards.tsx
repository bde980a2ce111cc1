/** The card field of checkout and of the order page's "try another card". Test cards only (DESIGN.md). */
import { luhnValid } from "../../../src/domain/payment-tokens";

export const TEST_CARDS = [
  { number: "4242 4242 4242 4242", outcome: "succeeds" },
  { number: "4000 0000 0000 0002", outcome: "is declined" },
  { number: "4000 0000 0000 9235", outcome: "is held for review" },
  { number: "4100 0000 0000 0019", outcome: "is refused as fraud" },
] as const;

/** The digits of what was typed ("4242 4242-4242 4242" → "4242424242424242"). */
export const cardDigits = (typed: string) => typed.replace(/[\s-]/g, "");

export const INVALID_CARD = "That card number is not valid. Check the digits (test cards are listed below).";

/** True for 12 to 19 digits passing the Luhn check (the server checks again). */
export function plausibleCard(digits: string): boolean {
  return /^[0-9]{12,19}$/.test(digits) && luhnValid(digits);
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
