/**
 * Prices typed by people ("42", "42.5", "42.00", "1,234.50") to integer minor units and back. Parsed from the
 * digits, never through a float, so "0.29" is 29 cents and not 28.999….
 */

/** The integer minor units of a decimal amount with at most two decimals, or null if it is not one. */
export function parsePriceInput(text: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim().replace(/,(?=\d{3}(?:\D|$))/g, ""));
  if (!match) return null;
  const [, whole = "0", fraction = ""] = match;
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

/** Minor units as the decimal an input shows: 4200 → "42.00". */
export function centsToInput(cents: number): string {
  const whole = Math.trunc(cents / 100);
  const fraction = String(Math.abs(cents % 100)).padStart(2, "0");
  return `${whole}.${fraction}`;
}
