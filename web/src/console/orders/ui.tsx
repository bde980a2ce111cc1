/** Small pieces the Orders and Fraud review pages both show. */
import type { FraudReason } from "../../../../src/domain/fraud";
import { type OrderStatus, reasonLabel, STATUS_LABELS, STATUS_TONE } from "./model";

export function StatusBadge({ status }: { status: OrderStatus }) {
  return (
    <span class={`badge order-status ${STATUS_TONE[status]}`} data-status={status}>
      {STATUS_LABELS[status] ?? status}
    </span>
  );
}

/** A risk score with the band it falls in (pass < 30 ≤ review ≤ 70 < reject). */
export function RiskScore({ score }: { score: number | null }) {
  if (score === null) return <span class="muted">Not scored</span>;
  const tone = score > 70 ? "bad" : score >= 30 ? "warn" : "ok";
  return (
    <span class={`badge risk-score ${tone}`} data-score={score}>
      {score}
      <span class="visually-hidden"> out of 100</span>
    </span>
  );
}

/**
 * The named reasons behind a score: with points and detail when the full assessment is known, else the
 * reason codes of the list summary.
 */
export function RiskReasons({ reasons, codes }: { reasons?: FraudReason[] | null; codes?: string[] | null }) {
  if (reasons && reasons.length > 0) {
    return (
      <ul class="risk-reasons">
        {reasons.map((r) => (
          <li key={r.code} data-reason={r.code}>
            <strong>{reasonLabel(r.code)}</strong> <span class="muted">+{r.points}</span>
            {r.detail ? <span class="risk-detail muted">{r.detail}</span> : null}
          </li>
        ))}
      </ul>
    );
  }
  if (codes && codes.length > 0) {
    return (
      <ul class="risk-reasons">
        {codes.map((c) => (
          <li key={c} data-reason={c}>
            <strong>{reasonLabel(c)}</strong>
          </li>
        ))}
      </ul>
    );
  }
  return <span class="muted">None</span>;
}
