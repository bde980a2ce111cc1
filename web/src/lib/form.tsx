/**
 * Accessible forms on top of the API client: labelled fields whose errors are tied to the control
 * (`aria-invalid` + `aria-describedby`), server `validation_failed` details spread onto those fields, a submit
 * that is off while a request is in flight, and focus moved to the first problem after a failed submit.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiFailure } from "./api";

export type FieldErrors = Record<string, string>;

type Issue = { path?: unknown; message?: unknown };

const SUMMARY = "Please correct the marked fields.";

/** "Try again in 60 seconds" from a 429's Retry-After, or the server's own wording without one. */
export function rateLimitMessage(err: ApiFailure): string {
  if (err.retryAfter === null) return err.message;
  const wait = err.retryAfter <= 60 ? `${err.retryAfter} seconds` : `${Math.ceil(err.retryAfter / 60)} minutes`;
  return `Too many attempts. Please wait ${wait} and try again.`;
}

/** Error codes that are about one field (e.g. `email_taken` → the email field), with optional wording. */
export type CodeFields = Record<string, { field: string; message?: string }>;

/**
 * What a failed request means for a form: per-field messages for the `details` of a 400 validation_failed
 * whose path `toField` knows (and for codes listed in `codeFields`), and one message for the form (anything
 * else, or a summary).
 */
export function describeFailure(
  err: unknown,
  toField: (path: string) => string | undefined,
  codeFields: CodeFields = {},
): { fields: FieldErrors; message: string | null } {
  if (!(err instanceof ApiFailure)) {
    return { fields: {}, message: "We could not reach the shop. Check your connection and try again." };
  }
  if (err.code === "rate_limited") return { fields: {}, message: rateLimitMessage(err) };
  const byCode = codeFields[err.code];
  if (byCode) return { fields: { [byCode.field]: byCode.message ?? err.message }, message: SUMMARY };
  if (err.code !== "validation_failed" || !Array.isArray(err.details)) return { fields: {}, message: err.message };
  const fields: FieldErrors = {};
  const loose: string[] = [];
  for (const issue of err.details as Issue[]) {
    const message = String(issue.message ?? "This value is not valid");
    const field = typeof issue.path === "string" ? toField(issue.path) : undefined;
    if (field) fields[field] ??= message;
    else loose.push(message);
  }
  if (loose.length > 0) return { fields, message: loose.join(" ") };
  return { fields, message: Object.keys(fields).length > 0 ? SUMMARY : err.message };
}

/**
 * State for one form: values, per-field errors, a form-level message, the in-flight flag. `run` sends; on
 * failure it fills the errors and moves focus to the first invalid control (or the form's message).
 */
export function useForm<V extends Record<string, string>>(initial: V) {
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [failures, setFailures] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (failures === 0) return;
    const form = formRef.current;
    const target =
      form?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form?.querySelector<HTMLElement>(".form-error");
    target?.focus();
  }, [failures]);

  const set = (name: keyof V & string, value: string) => setValues((prev) => ({ ...prev, [name]: value }));

  /** Marks fields (and a message) without a request: for checks the browser can make before sending. */
  const fail = (fields: FieldErrors, message: string | null = SUMMARY) => {
    setErrors(fields);
    setFormError(message);
    setNotice(null);
    setFailures((n) => n + 1);
  };

  /**
   * Sends with `action` (which may return a success notice). Paths of validation details become fields by
   * `toField` (default: a path that is a field name); `codeFields` places other codes on a field.
   */
  async function run(
    action: () => Promise<unknown>,
    {
      toField = (path: string) => (path in values ? path : undefined),
      codeFields,
    }: { toField?: (path: string) => string | undefined; codeFields?: CodeFields } = {},
  ): Promise<boolean> {
    setSending(true);
    setErrors({});
    setFormError(null);
    setNotice(null);
    try {
      const done = await action();
      setNotice(typeof done === "string" ? done : null);
      return true;
    } catch (err) {
      const { fields, message } = describeFailure(err, toField, codeFields);
      fail(fields, message);
      return false;
    } finally {
      setSending(false);
    }
  }

  /** Props for a <Field> bound to `name`. */
  const field = (name: keyof V & string) => ({
    name,
    value: values[name] ?? "",
    error: errors[name],
    onValue: (value: string) => set(name, value),
  });

  return { values, setValues, set, errors, formError, notice, sending, run, fail, field, formRef };
}

type Option = { value: string; label: string };

type FieldProps = {
  /** Prefix that keeps ids unique when several forms on a page have a field of the same name. */
  form: string;
  name: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
  type?: "text" | "email" | "password" | "tel" | "search" | "url";
  autocomplete?: string;
  required?: boolean;
  multiline?: boolean;
  options?: readonly Option[];
  inputMode?: "text" | "decimal" | "numeric" | "email" | "tel" | "search";
  maxLength?: number;
  minLength?: number;
  disabled?: boolean;
};

/**
 * A labelled control with its error and hint text, both linked through aria-describedby. The error comes first,
 * in the DOM and in the description, so a screen reader says what is wrong before the (possibly long) hint.
 */
export function Field(props: FieldProps) {
  const id = `${props.form}-${props.name}`;
  const hintId = props.hint ? `${id}-hint` : null;
  const errorId = props.error ? `${id}-error` : null;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    name: props.name,
    value: props.value,
    required: props.required,
    disabled: props.disabled,
    "aria-invalid": props.error ? ("true" as const) : undefined,
    "aria-describedby": describedBy,
  };
  const onInput = (e: Event) => props.onValue((e.currentTarget as HTMLInputElement).value);
  let control: ComponentChildren;
  if (props.options) {
    control = (
      <select {...common} onChange={onInput}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (props.multiline) {
    control = <textarea {...common} rows={3} maxLength={props.maxLength} onInput={onInput} />;
  } else {
    const text = {
      ...common,
      autocomplete: props.autocomplete,
      inputMode: props.inputMode,
      maxLength: props.maxLength,
      minLength: props.minLength,
      onInput,
    };
    // Preact types <input> as a union keyed by a literal `type`; every type offered here takes these attributes.
    control = <input {...text} type={(props.type ?? "text") as "text"} />;
  }
  return (
    <div class={`field${props.error ? " invalid" : ""}`}>
      <label for={id}>
        {props.label}
        {props.required ? null : <span class="muted optional"> (optional)</span>}
      </label>
      {control}
      {props.error ? (
        <p class="error-text field-error" id={errorId ?? undefined}>
          {props.error}
        </p>
      ) : null}
      {props.hint ? (
        <p class="hint muted" id={hintId ?? undefined}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

/** The form-level outcome: an error (focusable, announced) or a success notice (announced politely). */
export function FormStatus({ error, notice }: { error: string | null; notice?: string | null }) {
  return (
    <>
      {error ? (
        <p class="form-error error-text" role="alert" tabIndex={-1}>
          {error}
        </p>
      ) : null}
      <p class="form-notice ok-text" role="status">
        {notice ?? ""}
      </p>
    </>
  );
}
