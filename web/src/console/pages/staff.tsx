/**
 * Staff (admins): the back-office accounts, inviting a new one with an initial password to hand over, and
 * changing an account's role or switching it off. The server refuses an admin demoting or deactivating
 * themselves (409 invalid_state); its message is shown on the row.
 */
import type { InferRequestType } from "hono/client";
import { useEffect, useState } from "preact/hooks";
import { type AnswerOf, client, formatTime, read } from "../../lib/api";
import { Field, FormStatus, useForm } from "../../lib/form";
import { TableHead } from "../../lib/table-head";
import { RowStatus, useRowAction } from "../row-action";

const route = client.api.admin.staff;
type Account = AnswerOf<typeof route.$get>["staff"][number];
type StaffPatch = InferRequestType<(typeof route)[":id"]["$patch"]>["json"];

const ROLE_OPTIONS = [
  { value: "staff", label: "Staff" },
  { value: "admin", label: "Admin" },
] as const;

function StaffRow({
  account,
  isSelf,
  onChanged,
}: {
  account: Account;
  isSelf: boolean;
  onChanged: (a: Account) => void;
}) {
  const [role, setRole] = useState<Account["role"]>(account.role);
  const { busy, message, act } = useRowAction();
  const statusId = `staff-${account.id}-status`;

  const patch = (change: StaffPatch, done: string) =>
    act(async () => {
      try {
        const res = await read(route[":id"].$patch({ param: { id: encodeURIComponent(account.id) }, json: change }));
        onChanged(res.account);
        setRole(res.account.role);
        return done;
      } catch (err) {
        // The select goes back to the role the account has.
        setRole(account.role);
        throw err;
      }
    });

  const label = `${account.name}${isSelf ? " (you)" : ""}`;
  return (
    <tr data-account-id={account.id} data-email={account.email} class={account.active ? undefined : "inactive"}>
      <td>{label}</td>
      <td>{account.email}</td>
      <td>
        <div class="inline-controls">
          <label class="visually-hidden" for={`staff-${account.id}-role`}>
            Role of {account.name}
          </label>
          <select
            id={`staff-${account.id}-role`}
            value={role}
            disabled={busy}
            aria-describedby={statusId}
            onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Account["role"])}
          >
            {account.role === "customer" ? <option value="customer">Customer</option> : null}
            {ROLE_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          <button
            type="button"
            class="secondary"
            disabled={busy || role === account.role}
            onClick={() => patch({ role }, `${account.name} is now ${role}.`)}
          >
            Save role
          </button>
        </div>
      </td>
      <td>
        {account.active ? <span class="badge ok">Active</span> : <span class="badge bad">Deactivated</span>}{" "}
        <button
          type="button"
          class="secondary"
          disabled={busy}
          aria-describedby={statusId}
          onClick={() =>
            patch(
              { active: !account.active },
              account.active ? `${account.name} is deactivated and signed out.` : `${account.name} is active again.`,
            )
          }
        >
          {account.active ? "Deactivate" : "Activate"}
        </button>
      </td>
      <td>{formatTime(account.createdAt)}</td>
      <td>
        <RowStatus id={statusId} message={message} />
      </td>
    </tr>
  );
}

const EMPTY_INVITE = { email: "", name: "", role: "staff" as "staff" | "admin", password: "" };

function InviteForm({ onInvited }: { onInvited: (a: Account) => void }) {
  const form = useForm(EMPTY_INVITE);
  const f = (name: keyof typeof EMPTY_INVITE) => ({ form: "invite", ...form.field(name) });
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    await form.run(
      async () => {
        const res = await read(route.$post({ json: form.values }));
        onInvited(res.account);
        form.setValues(EMPTY_INVITE);
        return `Added ${res.account.email}. Hand them the initial password; they can change it under My account.`;
      },
      { codeFields: { email_taken: { field: "email", message: "An account with this email already exists." } } },
    );
  };
  return (
    <form ref={form.formRef} class="product-form" noValidate onSubmit={onSubmit} aria-labelledby="invite-title">
      <h2 id="invite-title">Add a staff account</h2>
      <FormStatus error={form.formError} notice={form.notice} />
      <div class="form-grid">
        <Field label="Email" type="email" autocomplete="off" required {...f("email")} />
        <Field label="Name" required maxLength={100} {...f("name")} />
        <Field label="Role" required options={ROLE_OPTIONS} {...f("role")} />
        <Field
          label="Initial password"
          type="password"
          autocomplete="new-password"
          required
          minLength={10}
          maxLength={128}
          hint="10 to 128 characters."
          {...f("password")}
        />
      </div>
      <div class="actions">
        <button type="submit" disabled={form.sending}>
          {form.sending ? "Adding…" : "Add account"}
        </button>
      </div>
    </form>
  );
}

export function StaffPage() {
  const [staff, setStaff] = useState<Account[] | null>(null);
  const [me, setMe] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([read(route.$get()), read(client.api.me.$get())])
      .then(([list, who]) => {
        setStaff(list.staff);
        setMe(who.user.id);
      })
      .catch((err) => setError((err as Error).message));
  }, []);

  const changed = (a: Account) => setStaff((list) => list?.map((x) => (x.id === a.id ? a : x)) ?? null);
  const invited = (a: Account) => setStaff((list) => [a, ...(list ?? [])]);

  return (
    <section aria-labelledby="staff-title" data-staff-ready={staff ? "1" : undefined}>
      <h1 id="staff-title">Staff</h1>
      {error ? <p class="error-text">{error}</p> : null}
      {staff === null && !error ? <p aria-busy="true">Loading staff…</p> : null}
      {staff ? (
        <table class="data">
          <TableHead columns={["Name", "Email", "Role", "Status", "Added", { label: "Result", hidden: true }]} />
          <tbody>
            {staff.map((a) => (
              <StaffRow key={a.id} account={a} isSelf={a.id === me} onChanged={changed} />
            ))}
          </tbody>
        </table>
      ) : null}
      <InviteForm onInvited={invited} />
    </section>
  );
}
