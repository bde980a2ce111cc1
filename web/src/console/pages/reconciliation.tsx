import { useCallback, useEffect, useState } from "preact/hooks";
import { type AnswerOf, client, formatTime, read } from "../../lib/api";
import { orderHref } from "../orders/model";
import { linkClick } from "../router";

type Report = AnswerOf<typeof client.api.admin.reconciliation.$get>;

/** Where payments, stock ledgers and the order list disagree, each with what to do about it. */
export function ReconciliationPage() {
  const [days, setDays] = useState("7");
  const [report, setReport] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = useCallback(async () => {
    setBusy(true);
    try {
      setReport(await read(client.api.admin.reconciliation.$get({ query: { days } })));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }, [days]);

  useEffect(() => {
    void run();
  }, [run]);

  return (
    <section aria-labelledby="reconciliation-title">
      <h1 id="reconciliation-title">Reconciliation</h1>
      <label class="inline">
        Orders from the last
        <select value={days} onChange={(e) => setDays((e.currentTarget as HTMLSelectElement).value)}>
          <option value="1">day</option>
          <option value="7">7 days</option>
          <option value="30">30 days</option>
        </select>
      </label>{" "}
      <button type="button" onClick={() => void run()} disabled={busy} aria-busy={busy}>
        Check again
      </button>
      {error ? <p class="error-text">{error}</p> : null}
      {report ? (
        <p class="muted" data-drift-count={report.drift.length}>
          Checked {report.orders} orders and {report.skus} products at {formatTime(report.checkedAt)}:{" "}
          {report.drift.length === 0 ? "everything agrees." : `${report.drift.length} to look at.`}
        </p>
      ) : null}
      {report && report.drift.length > 0 ? (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">Order / product</th>
              <th scope="col">Found</th>
              <th scope="col">To do</th>
            </tr>
          </thead>
          <tbody>
            {report.drift.map((d, i) => (
              <tr key={`${d.kind}-${d.orderId ?? ""}-${d.sku ?? ""}-${d.paymentId ?? ""}-${i}`} data-kind={d.kind}>
                <td>{d.kind.replaceAll("_", " ")}</td>
                <td>
                  {d.orderId ? (
                    <a href={orderHref(d.orderId)} onClick={linkClick}>
                      {d.orderId}
                    </a>
                  ) : null}
                  {d.orderId && d.sku ? " · " : null}
                  {d.sku ?? null}
                </td>
                <td>{d.detail}</td>
                <td>{d.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
