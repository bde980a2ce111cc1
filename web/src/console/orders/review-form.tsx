/**
 * Approve or reject an order held for fraud review, with a note for the record (required here, though the API
 * takes none: a decision on a held payment should say why). Approve waits for the payment's authorization,
 * which the server requires (409 before).
 */
import { useRef, useState } from "preact/hooks";
import { Field, type FieldErrors } from "../../lib/form";
import { shortId } from "./model";

export type ReviewDecision = "approve" | "reject";

export function ReviewForm(props: {
  /** Prefix for the field ids, unique on the page. */
  form: string;
  orderId: string;
  /** Whether the current payment is authorized; null while not known. */
  authorized: boolean | null;
  busy: boolean;
  /** Sends the decision; answers field errors to show, or null. */
  decide: (decision: ReviewDecision, note: string) => Promise<FieldErrors | null>;
}) {
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [sending, setSending] = useState<ReviewDecision | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const focusNote = () => box.current?.querySelector<HTMLTextAreaElement>("textarea")?.focus();

  const send = async (decision: ReviewDecision) => {
    const text = note.trim();
    if (!text) {
      setError(`Write a note saying why you ${decision} this order.`);
      focusNote();
      return;
    }
    setError(undefined);
    setSending(decision);
    try {
      const fields = await props.decide(decision, text);
      if (fields) {
        setError(fields.note ?? Object.values(fields)[0]);
        focusNote();
      }
    } finally {
      setSending(null);
    }
  };

  const disabled = props.busy || sending !== null;
  const hintId = `${props.form}-approve-hint`;
  return (
    <form
      class="order-action review-form"
      aria-label={`Review order ${shortId(props.orderId)}`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void send("approve");
      }}
    >
      <div ref={box}>
        <Field
          form={props.form}
          name="note"
          label="Review note"
          value={note}
          onValue={setNote}
          error={error}
          multiline
          required
          maxLength={500}
        />
      </div>
      <div class="review-buttons">
        <button
          type="submit"
          disabled={disabled || props.authorized !== true}
          aria-describedby={props.authorized === true ? undefined : hintId}
        >
          {sending === "approve" ? "Approving…" : "Approve"}
        </button>
        <button type="button" class="secondary danger" disabled={disabled} onClick={() => void send("reject")}>
          {sending === "reject" ? "Rejecting…" : "Reject"}
        </button>
      </div>
      {props.authorized === true ? null : (
        <p class="hint muted" id={hintId}>
          {props.authorized === null ? "Checking the payment…" : "Approve is possible once the payment is authorized."}
        </p>
      )}
    </form>
  );
}
