/** The signed-in person's own settings: name, saved shipping address, password. */
import { client, read } from "../lib/api";
import { Field, FormStatus, useForm } from "../lib/form";
import { PASSWORD_HINT } from "./signup";
import type { Address, Profile } from "./types";

type ProfileProps = { profile: Profile; onSaved: (profile: Profile) => void };

export function NameForm({ profile, onSaved }: ProfileProps) {
  const form = useForm({ name: profile.name });
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    await form.run(async () => {
      const res = await read(client.api.account.profile.$patch({ json: { name: form.values.name } }));
      onSaved(res.profile);
      return "Name saved.";
    });
  };
  return (
    <form ref={form.formRef} class="stack" noValidate onSubmit={onSubmit} aria-label="Your name">
      <FormStatus error={form.formError} notice={form.notice} />
      <Field form="profile" label="Name" autocomplete="name" required maxLength={100} {...form.field("name")} />
      <p class="muted">
        Email: <span data-testid="account-email">{profile.email}</span>
      </p>
      <button type="submit" disabled={form.sending}>
        {form.sending ? "Saving…" : "Save name"}
      </button>
    </form>
  );
}

const ADDRESS_FIELDS = ["name", "line1", "line2", "city", "region", "postalCode", "country", "phone"] as const;
type AddressValues = Record<(typeof ADDRESS_FIELDS)[number], string>;
const OPTIONAL = new Set(["line2", "region", "phone"]);

function addressValues(address: Address | null): AddressValues {
  return Object.fromEntries(ADDRESS_FIELDS.map((k) => [k, address?.[k] ?? ""])) as AddressValues;
}

/** The form's text as the API's Address: trimmed, empty optional lines left out, the country in capitals. */
function toAddress(values: AddressValues): Address {
  const out: Record<string, string> = {};
  for (const key of ADDRESS_FIELDS) {
    const value = key === "country" ? values[key].trim().toUpperCase() : values[key].trim();
    if (value !== "" || !OPTIONAL.has(key)) out[key] = value;
  }
  return out as Address;
}

/** Detail paths come back as `shippingAddress.city`; the form's fields are named for the last part. */
const addressField = (path: string) => {
  const key = path.replace(/^shippingAddress\./, "");
  return (ADDRESS_FIELDS as readonly string[]).includes(key) ? key : undefined;
};

/** The address checkout fills in for this account (PATCH /api/account/profile `shippingAddress`). */
export function AddressForm({ profile, onSaved }: ProfileProps) {
  const form = useForm(addressValues(profile.shippingAddress));
  const save = async (shippingAddress: Address | null) => {
    const res = await read(client.api.account.profile.$patch({ json: { shippingAddress } }));
    onSaved(res.profile);
    form.setValues(addressValues(res.profile.shippingAddress));
  };
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    await form.run(
      async () => {
        await save(toAddress(form.values));
        return "Address saved.";
      },
      { toField: addressField },
    );
  };
  const onForget = async () => {
    await form.run(async () => {
      await save(null);
      return "Saved address removed.";
    });
  };
  const f = (name: keyof AddressValues) => ({ form: "address", ...form.field(name) });
  return (
    <form ref={form.formRef} class="stack" noValidate onSubmit={onSubmit} aria-label="Shipping address">
      <FormStatus error={form.formError} notice={form.notice} />
      <Field label="Full name" autocomplete="shipping name" required maxLength={100} {...f("name")} />
      <Field label="Address line 1" autocomplete="shipping address-line1" required maxLength={200} {...f("line1")} />
      <Field label="Address line 2" autocomplete="shipping address-line2" maxLength={200} {...f("line2")} />
      <div class="field-row">
        <Field label="City" autocomplete="shipping address-level2" required maxLength={100} {...f("city")} />
        <Field label="Region or state" autocomplete="shipping address-level1" maxLength={100} {...f("region")} />
      </div>
      <div class="field-row">
        <Field label="Postal code" autocomplete="shipping postal-code" required maxLength={20} {...f("postalCode")} />
        <Field
          label="Country code"
          autocomplete="shipping country"
          required
          maxLength={2}
          hint="Two letters, e.g. DE, FR, GB, US."
          {...f("country")}
        />
      </div>
      <Field label="Phone" type="tel" autocomplete="shipping tel" inputMode="tel" maxLength={32} {...f("phone")} />
      <div class="actions">
        <button type="submit" disabled={form.sending}>
          {form.sending ? "Saving…" : "Save address"}
        </button>
        {profile.shippingAddress ? (
          <button type="button" class="secondary" disabled={form.sending} onClick={onForget}>
            Remove saved address
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** Change password: the server signs out every other session and gives this browser a fresh cookie. */
export function PasswordForm() {
  const form = useForm({ currentPassword: "", newPassword: "", repeatPassword: "" });
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const { currentPassword, newPassword, repeatPassword } = form.values;
    if (newPassword !== repeatPassword) {
      form.fail({ repeatPassword: "The two new passwords are not the same." });
      return;
    }
    const ok = await form.run(async () => {
      await read(client.api.auth.password.$post({ json: { currentPassword, newPassword } }));
      return "Password changed. Any other devices have been signed out.";
    });
    if (ok) form.setValues({ currentPassword: "", newPassword: "", repeatPassword: "" });
  };
  const f = (name: "currentPassword" | "newPassword" | "repeatPassword") => ({ form: "password", ...form.field(name) });
  return (
    <form ref={form.formRef} class="stack" noValidate onSubmit={onSubmit} aria-label="Change password">
      <FormStatus error={form.formError} notice={form.notice} />
      <Field
        label="Current password"
        type="password"
        autocomplete="current-password"
        required
        {...f("currentPassword")}
      />
      <Field
        label="New password"
        type="password"
        autocomplete="new-password"
        required
        minLength={10}
        maxLength={128}
        hint={PASSWORD_HINT}
        {...f("newPassword")}
      />
      <Field
        label="Repeat new password"
        type="password"
        autocomplete="new-password"
        required
        {...f("repeatPassword")}
      />
      <button type="submit" disabled={form.sending}>
        {form.sending ? "Changing…" : "Change password"}
      </button>
    </form>
  );
}
