/**
 * An action on one row of a console table (save a price, change a role, switch something off): the row is busy
 * while it runs, and its outcome is the row's own status line, read out to screen readers, so a refusal (409)
 * is shown beside the row it concerns.
 */
import { useState } from "preact/hooks";

export type RowMessage = { ok: boolean; text: string } | null;

export function useRowAction() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<RowMessage>(null);
  /** Runs `work`; its answer is the success message, its error's message the failure shown. */
  const act = async (work: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ ok: true, text: await work() });
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return { busy, message, setMessage, act };
}

/** The row's status line; `id` is what the row's controls name in `aria-describedby`. */
export function RowStatus({ id, message }: { id: string; message: RowMessage }) {
  return (
    <p id={id} class={message?.ok === false ? "error-text row-status" : "ok-text row-status"} role="status">
      {message?.text ?? ""}
    </p>
  );
}
