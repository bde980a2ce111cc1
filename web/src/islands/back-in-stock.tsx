/**
 * "Tell me when it's back" on a sold-out product page: an e-mail field, or (where the browser can receive pushes
 * and the shop has VAPID keys) "Tell me on this device" by Web Push; both POST /api/products/:sku/back-in-stock.
 * Guests and signed-in customers alike; the shop tells them once, when a restock brings the bracelet back.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiFailure, client, read } from "../lib/api";
import { browserSupportsPush, enablePush, pushKey } from "../lib/push";

type Props = { sku: string; name: string; available: number };
type State =
  | { kind: "idle" }
  | { kind: "sending" }
  | { kind: "done"; email: string }
  | { kind: "pushed" }
  | { kind: "error"; text: string };

function failureText(err: unknown): string {
  if (err instanceof ApiFailure && err.code === "validation_failed") return "Please enter a valid e-mail address.";
  if (err instanceof ApiFailure && err.code === "invalid_state") {
    return "Good news: it is back in stock. Reload the page to order it.";
  }
  return "Sorry, that did not work. Please try again.";
}

export function BackInStock({ sku, name, available }: Props) {
  const [email, setEmail] = useState("");
  const [state, setState] = useState<State>({ kind: "idle" });
  // The form only works once hydrated (before that a submit would reload the page): tests wait on the mark.
  const [hydrated, setHydrated] = useState(false);
  // Push is offered only where it can work: a browser with a push service and a shop with VAPID keys.
  const [canPush, setCanPush] = useState(false);
  useEffect(() => {
    setHydrated(true);
    if (browserSupportsPush()) {
      pushKey()
        .then((key) => setCanPush(Boolean(key)))
        .catch(() => setCanPush(false));
    }
  }, []);
  if (available > 0) return null;
  const inputId = `back-in-stock-${sku}`;

  if (state.kind === "done") {
    return (
      <p class="back-in-stock-done" role="status">
        Thanks: we will e-mail {state.email} once, when {name} is back.
      </p>
    );
  }
  if (state.kind === "pushed") {
    return (
      <p class="back-in-stock-done" role="status">
        Thanks: this browser will tell you once, when {name} is back.
      </p>
    );
  }
  const enable = async () => {
    setState({ kind: "sending" });
    try {
      const result = await enablePush({ backInStock: sku });
      if (result === "on") setState({ kind: "pushed" });
      else if (result === "denied") {
        setState({ kind: "error", text: "Notifications are blocked for this shop in your browser settings." });
      } else setState({ kind: "error", text: "This browser cannot receive notifications: leave an e-mail instead." });
    } catch (err) {
      setState({ kind: "error", text: failureText(err) });
    }
  };
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
          setState({ kind: "error", text: failureText(err) });
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
      {canPush ? (
        <div class="back-in-stock-push">
          <span class="muted">or</span>
          <button type="button" class="secondary" disabled={state.kind === "sending"} onClick={enable}>
            Tell me on this device
          </button>
        </div>
      ) : null}
      {state.kind === "error" ? (
        <p class="error-text" role="alert">
          {state.text}
        </p>
      ) : null}
    </form>
  );
}
