/**
 * Fraud review (staff and admins): the queue of orders held for review (status on_hold), oldest waiting
 * longest at the bottom, each with its risk score, the named reasons, amount, email and how long it has
 * waited, and an Approve / Reject with a note. The queue is live: a payment scored for review
 * (FraudCheckCompleted, decision "review") joins it, and an order decided anywhere (here, on its page, by
 * another member of staff, or by the hold expiring) leaves it.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiFailure, formatMoney, formatTime } from "../../lib/api";
import { describeFailure, type FieldErrors } from "../../lib/form";
import { staffAction } from "../orders/actions";
import { ageOf, type OrderSummary, orderHref, orderLabel, STATUS_LABELS, sentence, shortId } from "../orders/model";
import { type ReviewDecision, ReviewForm } from "../orders/review-form";
import { RiskReasons, RiskScore } from "../orders/ui";
import { useLiveOrders } from "../orders/use-live-orders";
import { linkClick } from "../router";

const QUERY = new URLSearchParams({ status: "on_hold", limit: "50" }).toString();
const held = (o: OrderSummary) => o.status === "on_hold";

type Outcome = { ok: boolean; text: string; orderId: string } | null;

export function FraudReviewPage(_: { path: string[] }) {
  const { rows, details, cursor, error, loading, flashed, more, apply, refresh } = useLiveOrders({
    query: QUERY,
    matches: held,
    dropMismatches: true,
  });
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  const decide = async (id: string, decision: ReviewDecision, note: string): Promise<FieldErrors | null> => {
    setBusy(id);
    setOutcome(null);
    try {
      const o = await staffAction(id, decision, { note });
      apply(o, true);
      const verb = decision === "approve" ? "approved" : "rejected";
      setOutcome({ ok: true, orderId: id, text: `Order ${orderLabel(o)} ${verb}: now ${STATUS_LABELS[o.status]}.` });
      return null;
    } catch (err) {
      if (err instanceof ApiFailure && err.code === "invalid_state") {
        setOutcome({ ok: false, orderId: id, text: `Order ${shortId(id)}: ${sentence(err.message)}` });
        void refresh(id, true);
        return null;
      }
      const { fields, message } = describeFailure(err, (p) => p);
      if (Object.keys(fields).length > 0) return fields;
      setOutcome({ ok: false, orderId: id, text: `Order ${shortId(id)}: ${sentence(message ?? "the review failed")}` });
      return null;
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="fraud-review" aria-labelledby="fraud-title" data-orders-ready={rows ? "1" : undefined}>
      <h1 id="fraud-title">Fraud review</h1>
      <p class="muted">
        Orders whose payment scored between 30 and 70 wait here, with their stock held, until someone approves or
        rejects them (held orders are cancelled after 3 days).
      </p>
      <div class="order-outcome">
        <p role="status" class="ok-text">
          {outcome?.ok ? (
            <>
              {outcome.text}{" "}
              <a href={orderHref(outcome.orderId)} onClick={linkClick}>
                Open the order
              </a>
            </>
          ) : (
            ""
          )}
        </p>
        <p role="alert" class="error-text">
          {outcome && !outcome.ok ? outcome.text : ""}
        </p>
      </div>
      {error ? <p class="error-text">{error}</p> : null}
      <p class="muted" aria-live="polite">
        {rows === null
          ? "Loading…"
          : rows.length === 0
            ? "Nothing to review."
            : `${rows.length}${cursor ? "+" : ""} ${rows.length === 1 ? "order waits" : "orders wait"} for review.`}
      </p>
      {rows && rows.length > 0 ? (
        <table class="data fraud-table">
          <caption class="visually-hidden">Orders held for fraud review, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Email</th>
              <th scope="col" class="num">
                Amount
              </th>
              <th scope="col">Score</th>
              <th scope="col">Reasons</th>
              <th scope="col">Waiting</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => {
              const detail = details[o.id];
              return (
                <tr
                  key={o.id}
                  data-order-id={o.id}
                  data-status={o.status}
                  data-flash={flashed[o.id] ? "1" : undefined}
                  class={flashed[o.id] ? "order-flash" : undefined}
                >
                  <th scope="row">
                    <a href={orderHref(o.id)} onClick={linkClick} aria-label={`Order ${orderLabel(o)}`}>
                      <span title={o.id}>{orderLabel(o)}</span>
                    </a>
                  </th>
                  <td>{o.email}</td>
                  <td class="num">{formatMoney(o.totals.totalCents, o.totals.currency)}</td>
                  <td>
                    <RiskScore score={detail?.risk?.score ?? o.riskScore} />
                  </td>
                  <td>
                    <RiskReasons reasons={detail?.risk?.reasons} codes={o.riskReasons} />
                  </td>
                  <td>
                    <time dateTime={new Date(o.createdAt).toISOString()} title={formatTime(o.createdAt)}>
                      {ageOf(o.createdAt, now)}
                    </time>
                  </td>
                  <td>
                    <ReviewForm
                      form={`review-${o.id}`}
                      orderId={o.id}
                      authorized={detail ? detail.payment?.status === "authorized" : null}
                      busy={busy === o.id}
                      decide={(decision, note) => decide(o.id, decision, note)}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {cursor ? (
        <button type="button" class="secondary" disabled={loading} onClick={() => void more()}>
          More held orders
        </button>
      ) : null}
    </section>
  );
}
