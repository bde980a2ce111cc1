/**
 * Dead letters (staff and admins): events the queue gave up on, with the subscribers that failed and their last
 * error. Staff replay one or every open one (back through the queue; subscribers still deduplicate) or discard
 * one with a note. Both are recorded: the row keeps who, when and the note.
 */
import { useState } from "preact/hooks";
import { type AnswerOf, client, formatTime, read } from "../../lib/api";
import { useLiveList } from "../../lib/use-live-list";

const route = client.api.admin["dead-letters"];
type DeadLetter = AnswerOf<typeof route.$get>["items"][number];
type Status = DeadLetter["status"];

const STATUSES = [
  { value: "open", label: "Open" },
  { value: "replayed", label: "Replayed" },
  { value: "discarded", label: "Discarded" },
  { value: "", label: "All" },
] as const;

function DiscardForm({ id, onDone }: { id: string; onDone: (message: string) => void }) {
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await read(route[":id"].discard.$post({ param: { id: encodeURIComponent(id) }, json: { note } }));
      onDone("Discarded.");
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="inline" onSubmit={submit} aria-label="Discard">
      <label>
        Note
        <input
          value={note}
          required
          maxLength={500}
          onInput={(e) => setNote((e.currentTarget as HTMLInputElement).value)}
          placeholder="Why it is not replayed"
        />
      </label>
      <button type="submit" class="secondary">
        Discard
      </button>
      {error ? <span class="error-text">{error}</span> : null}
    </form>
  );
}

export function DeadLettersPage(_: { path: string[] }) {
  const [status, setStatus] = useState<Status | "">("open");
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setError] = useState<string | null>(null);
  const list = useLiveList({
    load: (_cursor, signal) =>
      read(route.$get({ query: status ? { status } : {} }, { init: { signal } })).then((page) => ({
        items: page.items,
        nextCursor: null,
      })),
    key: (d) => d.id,
    deps: [status],
  });
  const rows = list.items;
  const error = actionError ?? list.error;
  const load = list.reload;

  const act = async (work: () => Promise<string>) => {
    try {
      setMessage(await work());
    } catch (e) {
      setError((e as Error).message);
    }
    await load();
  };

  const replay = (id: string) =>
    act(async () => {
      await read(route[":id"].replay.$post({ param: { id: encodeURIComponent(id) } }));
      return "Sent back through the queue.";
    });
  const replayAll = () =>
    act(async () => {
      const r = await read(route.replay.$post());
      return `${r.replayed} sent back through the queue${r.skipped ? `, ${r.skipped} unreadable left to discard` : ""}.`;
    });

  return (
    <section class="dead-letters" aria-labelledby="dead-letters-title" data-dead-letters-ready={rows ? "1" : undefined}>
      <h1 id="dead-letters-title">Dead letters</h1>
      <p class="muted">Events the queue gave up on after its retries. Fix the cause, then replay them.</p>
      <div class="toolbar">
        <label class="inline">
          Show
          <select
            value={status}
            onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value as Status | "")}
          >
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={replayAll} disabled={!rows?.some((r) => r.status === "open")}>
          Replay all open
        </button>
      </div>
      <p aria-live="polite" class="muted">
        {message}
      </p>
      {error ? <p class="error-text">{error}</p> : null}
      {rows && rows.length === 0 ? <p>No dead letters here.</p> : null}
      <table class="data">
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">Event</th>
            <th scope="col">Failing subscriber</th>
            <th scope="col">Last error</th>
            <th scope="col">Status</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((d) => (
            <tr key={d.id} data-dead-letter={d.id} data-event-id={d.eventId ?? undefined} data-status={d.status}>
              <td>{formatTime(d.receivedAt)}</td>
              <td>
                {d.type ?? "unreadable"} <span class="muted">{d.subject}</span>
                <details>
                  <summary>Envelope</summary>
                  <pre class="json">{JSON.stringify(d.body, null, 2)}</pre>
                </details>
              </td>
              <td>{d.subscribers.length > 0 ? d.subscribers.join(", ") : "—"}</td>
              <td>
                <code>{d.lastError ?? "—"}</code> <span class="muted">after {d.attempts} attempts</span>
              </td>
              <td>
                {d.status}
                {d.resolvedAt ? (
                  <span class="muted">
                    {" "}
                    {formatTime(d.resolvedAt)}
                    {d.note ? `: ${d.note}` : ""}
                  </span>
                ) : null}
              </td>
              <td>
                {d.status === "open" ? (
                  <>
                    {d.eventId ? (
                      <button type="button" onClick={() => replay(d.id)}>
                        Replay
                      </button>
                    ) : null}
                    <DiscardForm id={d.id} onDone={(m) => act(async () => m)} />
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
