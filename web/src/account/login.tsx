import { client, read } from "../lib/api";
import { Field, FormStatus, useForm } from "../lib/form";
import { ACCOUNT_BASE, linkClick, safeNext } from "./router";
import { useHeadingFocus } from "./use-heading-focus";

/** Sign in with email and password; afterwards go back to `next` (a path on this site) or the account. */
export function LoginPage({ next }: { next: string | null }) {
  const heading = useHeadingFocus();
  const form = useForm({ email: "", password: "" });

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const { email, password } = form.values;
    const ok = await form.run(async () => {
      await read(client.api.auth.login.$post({ json: { email, password } }));
    });
    // A full page load: the header's account menu and any page behind `next` start from the new session.
    if (ok) location.assign(safeNext(next));
  };

  const signupHref = next ? `${ACCOUNT_BASE}/signup?next=${encodeURIComponent(next)}` : `${ACCOUNT_BASE}/signup`;
  return (
    <section class="account-auth" aria-labelledby="login-title">
      <h1 id="login-title" tabIndex={-1} ref={heading}>
        Sign in
      </h1>
      <form ref={form.formRef} class="stack" noValidate onSubmit={onSubmit} aria-labelledby="login-title">
        <FormStatus error={form.formError} />
        <Field form="login" label="Email" type="email" autocomplete="email" required {...form.field("email")} />
        <Field
          form="login"
          label="Password"
          type="password"
          autocomplete="current-password"
          required
          {...form.field("password")}
        />
        <button type="submit" disabled={form.sending}>
          {form.sending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        New here?{" "}
        <a href={signupHref} onClick={linkClick}>
          Create an account
        </a>
      </p>
    </section>
  );
}
