import { useCallback, useEffect, useState } from "preact/hooks";
import { api, formatTime } from "../../lib/api";
import { StaffPushAlerts } from "../push-alerts";
import { useFeed } from "../use-feed";

type Row = {
  id: string;
  audience: "customer" | "staff";
  recipient: string;
  template: string;
  subject: string;
  body: string;
  channel: string;
  status: "pending" | "sent" | "failed" | "suppressed";
  attempts: number;
  lastError: string | null;
  createdAt: number;
};

const SENT = ["NotificationSent"] as const;

/**
 * Messages the shop sent to shoppers and alerts raised for staff, refreshed live, with each one's delivery
 * status; a message given up as failed can be sent again.
 */
export function NotificationsPage() {
  const [audience, setAudience] = useState<"" | "customer" | "staff">("");
  const [rows, setRows] = useState<Row[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const page = await api<{ items: Row[] }>(
        "GET",
        `/api/admin/notifications?limit=100${audience ? `&audience=${audience}` : ""}`,
      );
      setRows(page.items);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [audience]);

  useEffect(() => {
    void load();
  }, [load]);
  useFeed(SENT, () => void load());

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
                        await api("POST", `/api/admin/notifications/${encodeURIComponent(r.id)}/resend`);
                      } catch (e) {
                        setError((e as Error).message);
                      }
                      void load();
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
