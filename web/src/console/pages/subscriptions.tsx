/**
 * Subscriptions (staff and admins): every subscription with its status, plan and next billing date, past due
 * first; `?due=7` keeps the live ones billing within 7 days (the overview's "Renewals due" card links here).
 * /admin/subscriptions/<id> is one subscription with its invoices and payments, and, when the fraud check held
 * its renewal for review, the score and reasons with Approve (charge now) and Reject (a refused attempt).
 */
import { useEffect, useState } from "preact/hooks";
import { type AnswerOf, client, formatMoney, formatTime, read } from "../../lib/api";
import { TableHead } from "../../lib/table-head";
import { CONSOLE_BASE, linkClick } from "../router";

const route = client.api.admin.subscriptions;
type Summary = AnswerOf<typeof route.$get>["items"][number];
type Detail = AnswerOf<(typeof route)[":id"]["$get"]>;

const BASE = `${CONSOLE_BASE}/subscriptions`;
const LABEL: Record<Summary["status"], string> = {
  active: "Active",
  past_due: "Past due",
  paused: "Paused",
  cancelled: "Cancelled",
};

/** A renewal held by the fraud check: why, and the two decisions. */
function HeldRenewal({
  id,
  review,
  onDecided,
}: {
  id: string;
  review: NonNullable<Summary["renewalReview"]>;
  onDecided: (message: string) => void;
}) {
  const [sending, setSending] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const decide = async (decision: "approve" | "reject") => {
    setSending(true);
    setMessage(null);
    try {
      const param = { param: { id: encodeURIComponent(id) } };
      const renewal = route[":id"].renewal;
      const r = await read(decision === "approve" ? renewal.approve.$post(param) : renewal.reject.$post(param));
      onDecided(decision === "approve" ? `Approved: the renewal was ${r.outcome}.` : "Rejected: nothing was charged.");
    } catch (err) {
      setMessage((err as Error).message);
    } finally {
      setSending(false);
    }
  };
  return (
    <section class="held-renewal" aria-labelledby="held-renewal-title">
      <h2 id="held-renewal-title">Renewal held for review</h2>
      <p>
        Risk score {review.score}, held {formatTime(review.heldAt)}. Nothing is charged until you decide.
      </p>
      <ul>
        {review.reasons.map((r) => (
          <li key={r.code}>
            {r.code} (+{r.points}){r.detail ? `: ${r.detail}` : ""}
          </li>
        ))}
      </ul>
      <div class="actions">
        <button type="button" disabled={sending} onClick={() => decide("approve")}>
          Approve and charge
        </button>
        <button type="button" class="secondary" disabled={sending} onClick={() => decide("reject")}>
          Reject
        </button>
      </div>
      <p role="status">{message ?? ""}</p>
    </section>
  );
}

function SubscriptionDetail({ id }: { id: string }) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [decided, setDecided] = useState<string | null>(null);
  useEffect(() => {
    void version;
    read(route[":id"].$get({ param: { id: encodeURIComponent(id) } }))
      .then(setDetail)
      .catch((e: Error) => setError(e.message));
  }, [id, version]);
  if (error) return <p class="error-text">{error}</p>;
  if (!detail) return <p aria-busy="true">Loading…</p>;
  const s = detail.subscription;
  return (
    <section aria-labelledby="subscription-title" data-subscription={s.id}>
      <p>
        <a href={BASE} onClick={linkClick}>
          ← Subscriptions
        </a>
      </p>
      <h1 id="subscription-title">
        {s.planName} for {s.name || s.email}
      </h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd data-status={s.status}>{LABEL[s.status]}</dd>
        <dt>Customer</dt>
        <dd>
          <a href={`${CONSOLE_BASE}/customers/${encodeURIComponent(s.customerId)}`} onClick={linkClick}>
            {s.email}
          </a>
        </dd>
        <dt>Price</dt>
        <dd>{formatMoney(s.priceCents, s.currency)} a month</dd>
        <dt>{s.status === "cancelled" ? "Cancelled" : "Next billing"}</dt>
        <dd>{formatTime(s.status === "cancelled" ? (s.cancelledAt ?? s.nextBillingAt) : s.nextBillingAt)}</dd>
        <dt>Declined charges this period</dt>
        <dd>{s.failedPayments}</dd>
      </dl>
      {s.renewalReview ? (
        <HeldRenewal
          id={s.id}
          review={s.renewalReview}
          onDecided={(m) => {
            setDecided(m);
            setVersion((v) => v + 1);
          }}
        />
      ) : null}
      <p role="status">{decided ?? ""}</p>
      <h2>Invoices</h2>
      {detail.invoices.length === 0 ? <p class="muted">No invoices yet.</p> : null}
      <table class="data">
        <TableHead columns={["Number", "Issued", "Status", { label: "Total", num: true }]} />
        <tbody>
          {detail.invoices.map((i) => (
            <tr key={i.id}>
              <th scope="row">{i.number}</th>
              <td>{formatTime(i.issuedAt)}</td>
              <td>{i.status}</td>
              <td class="num">{formatMoney(i.totalCents, i.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Payments</h2>
      {detail.payments.length === 0 ? <p class="muted">No payments yet.</p> : null}
      <table class="data">
        <TableHead columns={["When", "Status", "Method", { label: "Amount", num: true }]} />
        <tbody>
          {detail.payments.map((p) => (
            <tr key={p.id}>
              <td>{formatTime(p.createdAt)}</td>
              <td>
                {p.status}
                {p.declineCode ? ` (${p.declineCode})` : ""}
              </td>
              <td>{p.methodLabel}</td>
              <td class="num">
                {formatMoney(p.amountCents, p.currency)}
                {p.refundedCents ? `, ${formatMoney(p.refundedCents, p.currency)} refunded` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function SubscriptionsPage({ path }: { path: string[] }) {
  const [items, setItems] = useState<Summary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const due = typeof location === "undefined" ? null : new URLSearchParams(location.search).get("due");
  const dueDays = due && /^\d{1,3}$/.test(due) ? due : null;
  const id = path[0];

  useEffect(() => {
    if (id) return;
    read(route.$get({ query: dueDays ? { dueWithinDays: dueDays } : {} }))
      .then((r) => setItems(r.items))
      .catch((e: Error) => setError(e.message));
  }, [id, dueDays]);

  if (id) return <SubscriptionDetail id={id} />;
  return (
    <section aria-labelledby="subscriptions-title" data-subscriptions-ready={items ? "1" : undefined}>
      <h1 id="subscriptions-title">Subscriptions</h1>
      {dueDays ? (
        <p>
          Billing within {dueDays} days.{" "}
          <a href={BASE} onClick={linkClick}>
            Show all
          </a>
        </p>
      ) : null}
      {error ? <p class="error-text">{error}</p> : null}
      {items && items.length === 0 ? <p>No subscriptions here.</p> : null}
      <table class="data">
        <TableHead columns={["Customer", "Plan", "Status", "Next billing"]} />
        <tbody>
          {(items ?? []).map((s) => (
            <tr key={s.id} data-subscription={s.id} data-status={s.status}>
              <th scope="row">
                <a href={`${BASE}/${encodeURIComponent(s.id)}`} onClick={linkClick}>
                  {s.email}
                </a>
              </th>
              <td>
                {s.planName} <span class="muted">{formatMoney(s.priceCents, s.currency)}</span>
              </td>
              <td>{s.renewalReview ? `${LABEL[s.status]}, renewal held for review` : LABEL[s.status]}</td>
              <td>{s.status === "cancelled" ? "—" : formatTime(s.nextBillingAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
