/**
 * The shipping address fields, one component for every form that asks for one (the account's saved address,
 * subscribing to a box): the same fields, autocomplete tokens and country picker as checkout
 * (web/src/checkout/countries.ts).
 */
import { countryOptions } from "../checkout/countries";
import { Field } from "../lib/form";
import type { Address } from "./types";

export const ADDRESS_FIELDS = ["name", "line1", "line2", "city", "region", "postalCode", "country", "phone"] as const;
export type AddressKey = (typeof ADDRESS_FIELDS)[number];
export type AddressValues = Record<AddressKey, string>;
const OPTIONAL = new Set<string>(["line2", "region", "phone"]);

export function addressValues(address: Address | null | undefined): AddressValues {
  return Object.fromEntries(ADDRESS_FIELDS.map((k) => [k, address?.[k] ?? ""])) as AddressValues;
}

/** The form's text as the API's Address: trimmed, empty optional lines left out, the country in capitals. */
export function toAddress(values: AddressValues): Address {
  const out: Record<string, string> = {};
  for (const key of ADDRESS_FIELDS) {
    const value = key === "country" ? values[key].trim().toUpperCase() : values[key].trim();
    if (value !== "" || !OPTIONAL.has(key)) out[key] = value;
  }
  return out as Address;
}

/** Detail paths come back as `shippingAddress.city`; the form's fields are named for the last part. */
export const addressField = (path: string) => {
  const key = path.replace(/^shippingAddress\./, "");
  return (ADDRESS_FIELDS as readonly string[]).includes(key) ? key : undefined;
};

type FieldBinding = { name: string; value: string; onValue: (value: string) => void; error?: string | undefined };

/** The fields themselves; `f` binds one to its form (an id prefix and the form's state). */
export function AddressFields({ f }: { f: (name: AddressKey) => FieldBinding & { form: string } }) {
  return (
    <>
      <Field label="Full name" autocomplete="shipping name" required maxLength={100} {...f("name")} />
      <Field label="Address line 1" autocomplete="shipping address-line1" required maxLength={200} {...f("line1")} />
      <Field label="Address line 2" autocomplete="shipping address-line2" maxLength={200} {...f("line2")} />
      <div class="field-row">
        <Field label="City" autocomplete="shipping address-level2" required maxLength={100} {...f("city")} />
        <Field label="Region or state" autocomplete="shipping address-level1" maxLength={100} {...f("region")} />
      </div>
      <div class="field-row">
        <Field label="Postal code" autocomplete="shipping postal-code" required maxLength={20} {...f("postalCode")} />
        <Field label="Country" autocomplete="shipping country" required options={countryOptions()} {...f("country")} />
      </div>
      <Field label="Phone" type="tel" autocomplete="shipping tel" inputMode="tel" maxLength={32} {...f("phone")} />
    </>
  );
}
