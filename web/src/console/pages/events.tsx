import { useCallback, useEffect, useState } from "preact/hooks";
import { api, formatTime } from "../../lib/api";
import type { FeedEvent } from "../feed";
import { useFeed } from "../use-feed";

type EventRow = { id: string; type: string; subject: string; occurredAt: number; data: unknown; source: string };
type Page = { items: EventRow[]; nextCursor: string | null };

const ALL = [] as const;

/** The event log: every domain event, newest first, new ones arriving live. */
export function EventsPage() {
  const [type, setType] = useState("");
  const [rows, setRows] = useState<EventRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      const params = new URLSearchParams({ limit: "50" });
      if (type) params.set("type", type);
      if (after) params.set("cursor", after);
      try {
        const page = await api<Page>("GET", `/api/admin/events?${params}`);
        setRows((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(null);
      } catch (e) {
        setError((e as Error).message);
      }
    },
    [type],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  useFeed(ALL, (e: FeedEvent) => {
    if (type && e.type !== type) return;
    setRows((prev) => (prev.some((r) => r.id === e.id) ? prev : [{ ...e, source: "" }, ...prev]));
  });

  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Event log</h1>
      <label class="inline">
        Type
        <input
          value={type}
          placeholder="e.g. OrderConfirmed"
          onChange={(e) => setType((e.currentTarget as HTMLInputElement).value.trim())}
        />
      </label>
      {error ? <p class="error-text">{error}</p> : null}
      <table class="data">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Type</th>
            <th scope="col">Subject</th>
            <th scope="col">Data</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-event-type={r.type}>
              <td>{formatTime(r.occurredAt)}</td>
              <td>{r.type}</td>
              <td>{r.subject}</td>
              <td>
                <code class="json">{JSON.stringify(r.data)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor ? (
        <button type="button" class="secondary" onClick={() => load(cursor)}>
          Older events
        </button>
      ) : null}
    </section>
  );
}
