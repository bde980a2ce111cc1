/**
 * The server's price for the cart (POST /api/checkout/quote), asked again whenever the lines or the destination
 * country change. The server prices quotes with the code that prices orders, so the total shown here is the
 * total the order gets; a quote answered after a newer question is dropped.
 */
import { useEffect, useState } from "preact/hooks";
import { type AnswerOf, ApiFailure, client, read } from "../lib/api";
import type { CartLine } from "../lib/cart";

export type Quote = AnswerOf<typeof client.api.checkout.quote.$post>;
export type QuoteState =
  | { state: "loading"; last: Quote | null }
  | { state: "ok"; quote: Quote }
  | { state: "error"; message: string; last: Quote | null };

/** Waits this long after a change before asking, so typing a quantity asks once. */
const SETTLE_MS = 200;

/** The two letters of a country field, or "" while it holds none. */
const countryCode = (country: string) => (/^[A-Za-z]{2}$/.test(country.trim()) ? country.trim().toUpperCase() : "");

/** Asks the server for the quote of `lines` shipped to `country`. */
export function fetchQuote(lines: readonly CartLine[], country: string, signal?: AbortSignal): Promise<Quote> {
  const code = countryCode(country);
  return read(
    client.api.checkout.quote.$post(
      {
        json: {
          items: lines.map((l) => ({ sku: l.sku, qty: l.qty })),
          ...(code ? { shippingAddress: { country: code } } : {}),
        },
      },
      signal ? { init: { signal } } : {},
    ),
  );
}

export function useQuote(lines: CartLine[] | null, country: string) {
  const [quote, setQuote] = useState<QuoteState>({ state: "loading", last: null });
  const key = JSON.stringify([lines?.map((l) => [l.sku, l.qty]) ?? null, countryCode(country)]);

  // `key` stands for the lines and the country: a new array with the same lines asks nothing new.
  useEffect(() => {
    if (!lines || lines.length === 0) return;
    const abort = new AbortController();
    setQuote((q) => ({ state: "loading", last: q.state === "ok" ? q.quote : q.last }));
    const timer = setTimeout(() => {
      fetchQuote(lines, country, abort.signal)
        .then((q) => setQuote({ state: "ok", quote: q }))
        .catch((err) => {
          if (abort.signal.aborted) return;
          const message =
            err instanceof ApiFailure && err.code === "validation_failed"
              ? "Some items in your cart cannot be ordered."
              : "We could not work out the total just now.";
          setQuote((q) => ({ state: "error", message, last: q.state === "ok" ? q.quote : q.last }));
        });
    }, SETTLE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [key]);

  /** The server answered an order with a newer quote (409 price_changed): show it as the current one. */
  const replace = (q: Quote) => setQuote({ state: "ok", quote: q });
  return { quote, replace };
}
