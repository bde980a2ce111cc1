import { useState } from "preact/hooks";
import { client, formatTime, read } from "../../lib/api";
import { useLiveList } from "../../lib/use-live-list";
import { subscribeFeed } from "../feed";
import { StaffPushAlerts } from "../push-alerts";

const route = client.api.admin.notifications;

const SENT = ["NotificationSent"] as const;

/**
 * Messages the shop sent to shoppers and alerts raised for staff, refreshed live, with each one's delivery
 * status; a message given up as failed can be sent again.
 */
export function NotificationsPage() {
  const [audience, setAudience] = useState<"" | "customer" | "staff">("");
  const [actionError, setError] = useState<string | null>(null);
  // One page of the latest 100 (no "more"); every NotificationSent reads it again.
  const list = useLiveList({
    load: (_cursor, signal) =>
      read(route.$get({ query: { limit: "100", ...(audience ? { audience } : {}) } }, { init: { signal } })),
    key: (r) => r.id,
    deps: [audience],
    follow: (rows) => subscribeFeed(() => rows.reload(), SENT),
  });
  const rows = list.items ?? [];
  const error = actionError ?? list.error;

  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">Notifications</h1>
      <StaffPushAlerts />
      <label class="inline">
        Audience
        <select
          value={audience}
          onChange={(e) => setAudience((e.currentTarget as HTMLSelectElement).value as typeof audience)}
        >
          <option value="">Everyone</option>
          <option value="customer">Customers</option>
          <option value="staff">Staff alerts</option>
        </select>
      </label>
      {error ? <p class="error-text">{error}</p> : null}
      <table class="data">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">To</th>
            <th scope="col">Subject</th>
            <th scope="col">Message</th>
            <th scope="col">Delivery</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-template={r.template}>
              <td>{formatTime(r.createdAt)}</td>
              <td>{r.audience === "staff" ? "Staff" : r.recipient}</td>
              <td>{r.subject}</td>
              <td>{r.body}</td>
              <td>
                <span class={`delivery delivery-${r.status}`} title={r.lastError ?? undefined}>
                  {r.status}
                </span>{" "}
                <span class="muted">
                  {r.channel}, {r.attempts} {r.attempts === 1 ? "attempt" : "attempts"}
                </span>
                {r.status === "failed" ? (
                  <button
                    type="button"
                    class="small"
                    onClick={async () => {
                      try {
                        await read(route[":id"].resend.$post({ param: { id: encodeURIComponent(r.id) } }));
                      } catch (e) {
                        setError((e as Error).message);
                      }
                      void list.reload();
                    }}
                  >
                    Send again
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
