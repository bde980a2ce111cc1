/**
 * "Tell me when it's back" on a sold-out product page: one e-mail field, POST /api/products/:sku/back-in-stock.
 * Guests and signed-in customers alike; the shop writes once, when a restock brings the bracelet back.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiFailure, client, read } from "../lib/api";

type Props = { sku: string; name: string; available: number };
type State = { kind: "idle" } | { kind: "sending" } | { kind: "done"; email: string } | { kind: "error"; text: string };

export function BackInStock({ sku, name, available }: Props) {
  const [email, setEmail] = useState("");
  const [state, setState] = useState<State>({ kind: "idle" });
  // The form only works once hydrated (before that a submit would reload the page): tests wait on the mark.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  if (available > 0) return null;
  const inputId = `back-in-stock-${sku}`;

  if (state.kind === "done") {
    return (
      <p class="back-in-stock-done" role="status">
        Thanks: we will e-mail {state.email} once, when {name} is back.
      </p>
    );
  }
  return (
    <form
      class="back-in-stock"
      data-hydrated={hydrated ? "true" : undefined}
      onSubmit={async (e) => {
        e.preventDefault();
        setState({ kind: "sending" });
        try {
          await read(
            client.api.products[":sku"]["back-in-stock"].$post({
              param: { sku: encodeURIComponent(sku) },
              json: { email },
            }),
          );
          setState({ kind: "done", email });
        } catch (err) {
          const text =
            err instanceof ApiFailure && err.code === "validation_failed"
              ? "Please enter a valid e-mail address."
              : err instanceof ApiFailure && err.code === "invalid_state"
                ? "Good news: it is back in stock. Reload the page to order it."
                : "Sorry, that did not work. Please try again.";
          setState({ kind: "error", text });
        }
      }}
    >
      <label for={inputId}>Tell me when it's back</label>
      <div class="back-in-stock-row">
        <input
          id={inputId}
          type="email"
          name="email"
          autocomplete="email"
          required
          placeholder="you@example.com"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <button type="submit" disabled={!hydrated || state.kind === "sending"}>
          Notify me
        </button>
      </div>
      {state.kind === "error" ? (
        <p class="error-text" role="alert">
          {state.text}
        </p>
      ) : null}
    </form>
  );
}
