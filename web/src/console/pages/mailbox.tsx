/**
 * Mailbox: every e-mail the shop sent (or tried to), newest first, each readable as the customer saw it (the
 * HTML part in a sandboxed frame, then the text part); and every template rendered with sample data.
 * /admin/mailbox, /admin/mailbox/<notification id>, /admin/mailbox/templates.
 */
import { useEffect, useState } from "preact/hooks";
import { type AnswerOf, client, formatTime, read } from "../../lib/api";
import { useLiveList } from "../../lib/use-live-list";
import { subscribeFeed } from "../feed";
import { CONSOLE_BASE, linkClick } from "../router";

const route = client.api.admin.notifications;
type Mail = AnswerOf<(typeof route)[":id"]["$get"]>;
type Preview = AnswerOf<typeof route.previews.$get>["items"][number];

const BASE = `${CONSOLE_BASE}/mailbox`;
const SENT = ["NotificationSent"] as const;

export function MailboxPage({ path }: { path: string[] }) {
  if (path[0] === "templates") return <Templates />;
  if (path[0]) return <Message id={path[0]} />;
  return <Inbox />;
}

function Inbox() {
  // The latest 100 e-mails (no "more"); every NotificationSent reads them again.
  const list = useLiveList({
    load: (_cursor, signal) => read(route.$get({ query: { channel: "email", limit: "100" } }, { init: { signal } })),
    key: (r) => r.id,
    deps: [],
    follow: (rows) => subscribeFeed(() => void rows.reload(), SENT),
  });
  const rows = list.items ?? [];
  const error = list.error;

  return (
    <section aria-labelledby="mailbox-title">
      <h1 id="mailbox-title">Mailbox</h1>
      <p class="muted">
        Every e-mail the shop sent, as the customer received it.{" "}
        <a href={`${BASE}/templates`} onClick={linkClick}>
          Preview the templates
        </a>
      </p>
      {error ? <p class="error-text">{error}</p> : null}
      <table class="data mailbox">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">To</th>
            <th scope="col">Subject</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-template={r.template} data-status={r.status}>
              <td>{formatTime(r.createdAt)}</td>
              <td>{r.recipient}</td>
              <td>
                <a href={`${BASE}/${r.id}`} onClick={linkClick}>
                  {r.subject}
                </a>
              </td>
              <td>
                <span class={`delivery delivery-${r.status}`}>{r.status}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Message({ id }: { id: string }) {
  const [mail, setMail] = useState<Mail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    read(route[":id"].$get({ param: { id: encodeURIComponent(id) } }))
      .then(setMail)
      .catch((e: Error) => setError(e.message));
  }, [id]);
  if (error) return <p class="error-text">{error}</p>;
  if (!mail) return <p aria-busy="true">Loading the message…</p>;
  return (
    <section aria-labelledby="mail-subject" class="mail-view">
      <p>
        <a href={BASE} onClick={linkClick}>
          ← Mailbox
        </a>
      </p>
      <h1 id="mail-subject">{mail.subject}</h1>
      <dl class="mail-meta">
        <dt>To</dt>
        <dd>{mail.recipient}</dd>
        <dt>Status</dt>
        <dd>
          {mail.status} after {mail.attempts} {mail.attempts === 1 ? "attempt" : "attempts"}
          {mail.lastError ? ` (${mail.lastError})` : ""}
        </dd>
        <dt>Written</dt>
        <dd>{formatTime(mail.createdAt)}</dd>
      </dl>
      <MailBody html={mail.html} text={mail.body} subject={mail.subject} />
    </section>
  );
}

/** The HTML part in a frame with no scripts and no same-origin access; the text part below it. */
export function MailBody({ html, text, subject }: { html: string | null; text: string; subject: string }) {
  return (
    <>
      {html ? <iframe class="mail-html" title={`E-mail: ${subject}`} sandbox="" srcdoc={html} /> : null}
      <h2 class="mail-text-title">Text part</h2>
      <pre class="mail-text">{text}</pre>
    </>
  );
}

function Templates() {
  const [items, setItems] = useState<Preview[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    read(route.previews.$get())
      .then((r) => setItems(r.items))
      .catch((e: Error) => setError(e.message));
  }, []);
  return (
    <section aria-labelledby="templates-title">
      <p>
        <a href={BASE} onClick={linkClick}>
          ← Mailbox
        </a>
      </p>
      <h1 id="templates-title">Message templates</h1>
      <p class="muted">Each customer message rendered with sample data. Nothing here is sent.</p>
      {error ? <p class="error-text">{error}</p> : null}
      {items.map((p) => (
        <details key={p.template} data-template={p.template}>
          <summary>
            <code>{p.template}</code>: {p.subject}
          </summary>
          <MailBody html={p.html} text={p.body} subject={p.subject} />
        </details>
      ))}
    </section>
  );
}
