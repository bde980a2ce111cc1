import { client, read } from "../lib/api";
import { Field, FormStatus, useForm } from "../lib/form";
import { ACCOUNT_BASE, linkClick, safeNext } from "./router";
import { useHeadingFocus } from "./use-heading-focus";

export const PASSWORD_HINT = "10 to 128 characters. A few unrelated words make a strong one.";

/** Create a customer account; the server signs the new account in at once. */
export function SignupPage({ next }: { next: string | null }) {
  const heading = useHeadingFocus();
  const form = useForm({ name: "", email: "", password: "" });

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const ok = await form.run(
      async () => {
        await read(client.api.auth.signup.$post({ json: form.values }));
      },
      { codeFields: { email_taken: { field: "email", message: "An account with this email already exists." } } },
    );
    if (ok) location.assign(safeNext(next));
  };

  const loginHref = next ? `${ACCOUNT_BASE}/login?next=${encodeURIComponent(next)}` : `${ACCOUNT_BASE}/login`;
  return (
    <section class="account-auth" aria-labelledby="signup-title">
      <h1 id="signup-title" tabIndex={-1} ref={heading}>
        Create an account
      </h1>
      <form ref={form.formRef} class="stack" noValidate onSubmit={onSubmit} aria-labelledby="signup-title">
        <FormStatus error={form.formError} />
        <Field form="signup" label="Name" autocomplete="name" required maxLength={100} {...form.field("name")} />
        <Field form="signup" label="Email" type="email" autocomplete="email" required {...form.field("email")} />
        <Field
          form="signup"
          label="Password"
          type="password"
          autocomplete="new-password"
          required
          minLength={10}
          maxLength={128}
          hint={PASSWORD_HINT}
          {...form.field("password")}
        />
        <button type="submit" disabled={form.sending}>
          {form.sending ? "Creating your account…" : "Create account"}
        </button>
      </form>
      <p>
        Already have an account?{" "}
        <a href={loginHref} onClick={linkClick}>
          Sign in
        </a>
      </p>
    </section>
  );
}
