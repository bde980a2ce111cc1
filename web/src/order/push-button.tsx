/**
 * "Tell me when it ships": subscribes this browser to the order's updates by Web Push. Shown only when the
 * browser can receive pushes and the shop has VAPID keys; otherwise the e-mail is how the shopper hears.
 */
import { useEffect, useState } from "preact/hooks";
import { enablePush, type PushState, pushState } from "../lib/push";

export function ShipPushButton({ orderId, token }: { orderId: string; token: string | undefined }) {
  const [state, setState] = useState<PushState | "working" | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    pushState()
      .then(setState)
      .catch(() => setState("unsupported"));
  }, []);
  if (state === null || state === "unsupported") return null;
  const enable = async () => {
    setState("working");
    setError(null);
    try {
      setState(await enablePush({ order: orderId, token }));
    } catch (err) {
      setState("off");
      setError((err as Error).message);
    }
  };
  return (
    <div class="order-push" data-testid="ship-push">
      {state === "on" ? (
        <p class="muted" role="status">
          This browser will tell you when your order ships.
        </p>
      ) : state === "denied" ? (
        <p class="muted">Notifications are blocked for this shop in your browser settings.</p>
      ) : (
        <button type="button" class="secondary" disabled={state === "working"} onClick={enable}>
          {state === "working" ? "Turning on…" : "Tell me when it ships"}
        </button>
      )}
      {error ? (
        <p class="error-text" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
