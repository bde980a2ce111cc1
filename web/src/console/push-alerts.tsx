/**
 * Staff opt in to alerts on this device (new order, held for review, low stock) by Web Push. Shown only where the
 * browser supports push and the shop has VAPID keys.
 */
import { useEffect, useState } from "preact/hooks";
import { disablePush, enablePush, type PushState, pushState } from "../lib/push";

export function StaffPushAlerts() {
  const [state, setState] = useState<PushState | "working" | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    pushState()
      .then(setState)
      .catch(() => setState("unsupported"));
  }, []);
  if (state === null || state === "unsupported") return null;
  const run = async (action: () => Promise<PushState>) => {
    setState("working");
    setError(null);
    try {
      setState(await action());
    } catch (err) {
      setState("off");
      setError((err as Error).message);
    }
  };
  return (
    <div class="push-alerts" data-testid="staff-push">
      {state === "on" ? (
        <p>
          This device gets alerts for new orders, orders held for review and low stock.{" "}
          <button type="button" class="small secondary" onClick={() => run(disablePush)}>
            Stop alerts on this device
          </button>
        </p>
      ) : state === "denied" ? (
        <p class="muted">Notifications are blocked for this site in the browser settings.</p>
      ) : (
        <button
          type="button"
          class="secondary"
          disabled={state === "working"}
          onClick={() => run(() => enablePush("staff"))}
        >
          Alert me on this device
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
