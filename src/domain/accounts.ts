/**
 * Accounts: who may sign up and with what, what each role may do, and the shapes of the account and staff
 * requests. Pure: no bindings, so routes, tests and the OpenAPI document share the same rules.
 */
import * as v from "valibot";

/** The three kinds of account. Staff run the console; admins also manage products and staff. */
export const ROLES = ["customer", "staff", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Everything a role can be allowed to do. Routes ask `can(role, permission)` through `requirePermission`. */
export const PERMISSIONS = [
  "account:own",
  "orders:manage",
  "inventory:manage",
  "customers:read",
  "events:read",
  "products:manage",
  "staff:manage",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const STAFF_PERMISSIONS = [
  "account:own",
  "orders:manage",
  "inventory:manage",
  "customers:read",
  "events:read",
] as const satisfies readonly Permission[];

/**
 * The permissions table. A customer only ever sees their own records; staff run orders, inventory, the
 * event log and read customers; admins additionally manage the catalog and the staff accounts.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  customer: ["account:own"],
  staff: STAFF_PERMISSIONS,
  admin: [...STAFF_PERMISSIONS, "products:manage", "staff:manage"],
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** Roles that work in the back office (GET /api/admin/staff lists these). */
export const STAFF_ROLES = ["staff", "admin"] as const satisfies readonly Role[];

/** Emails are compared and stored trimmed and lower-cased: `Ada@Example.com ` and `ada@example.com` are one. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

export const EmailSchema = v.pipe(
  v.string(),
  v.transform(normaliseEmail),
  v.maxLength(254, "An email address has at most 254 characters"),
  v.email("Enter a valid email address"),
);

/** The password policy for new passwords: length only (NIST 800-63B), no composition rules. */
export const PasswordSchema = v.pipe(
  v.string(),
  v.minLength(PASSWORD_MIN_LENGTH, `A password needs at least ${PASSWORD_MIN_LENGTH} characters`),
  v.maxLength(PASSWORD_MAX_LENGTH, `A password has at most ${PASSWORD_MAX_LENGTH} characters`),
);

/** A password being checked rather than chosen: any non-empty string up to a bound on hashing work. */
const PresentedPassword = v.pipe(v.string(), v.minLength(1, "Enter your password"), v.maxLength(1024));

export const NameSchema = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, "Enter a name"),
  v.maxLength(100, "A name has at most 100 characters"),
);

/** ISO 3166-1 alpha-2: the 249 officially assigned codes. */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY " +
    "BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM " +
    "FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT " +
    "JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN " +
    "MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT " +
    "PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL " +
    "TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
  ).split(" "),
);

const text = (min: number, max: number, label: string) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.minLength(min, `${label} is required`),
    v.maxLength(max, `${label} has at most ${max} characters`),
  );

/**
 * A postal address (DESIGN.md "Contract details"): `{name, line1, line2?, city, region?, postalCode, country,
 * phone?}`. `country` must be an assigned ISO 3166-1 alpha-2 code written in capitals (`DE`, not `de`).
 */
/** A phone number as people type it: digits, spaces, + ( ) . / - */
export const PhoneSchema = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^\+?[0-9 ()./-]{3,32}$/, "Enter a valid phone number"),
);

/** An assigned ISO 3166-1 alpha-2 code; lower case is accepted and written in capitals. */
export const CountrySchema = v.pipe(
  v.string(),
  v.trim(),
  v.toUpperCase(),
  v.regex(/^[A-Z]{2}$/, "Use the two letters of the ISO 3166-1 country code"),
  v.check((code) => COUNTRY_CODES.has(code), "Unknown ISO 3166-1 country code"),
);

/** DESIGN.md's shippingAddress; the same shape is saved in a profile and sent with an order. */
export const ShippingAddressSchema = v.strictObject({
  name: text(1, 100, "Name"),
  line1: text(1, 200, "Address line 1"),
  line2: v.optional(text(0, 200, "Address line 2")),
  city: text(1, 100, "City"),
  region: v.optional(text(0, 100, "Region")),
  postalCode: text(1, 20, "Postal code"),
  country: CountrySchema,
  phone: v.optional(PhoneSchema),
});
export type ShippingAddressInput = v.InferOutput<typeof ShippingAddressSchema>;

const atLeastOneField = <T extends Record<string, unknown>>(value: T) =>
  Object.values(value).some((x) => x !== undefined);

export const SignupSchema = v.strictObject({ email: EmailSchema, password: PasswordSchema, name: NameSchema });
export type SignupInput = v.InferOutput<typeof SignupSchema>;

export const LoginSchema = v.strictObject({ email: EmailSchema, password: PresentedPassword });
export type LoginInput = v.InferOutput<typeof LoginSchema>;

export const ChangePasswordSchema = v.strictObject({ currentPassword: PresentedPassword, newPassword: PasswordSchema });
export type ChangePasswordInput = v.InferOutput<typeof ChangePasswordSchema>;

/** PATCH /api/account/profile: `shippingAddress: null` forgets the saved address. */
export const ProfilePatchSchema = v.pipe(
  v.strictObject({ name: v.optional(NameSchema), shippingAddress: v.optional(v.nullable(ShippingAddressSchema)) }),
  v.check(atLeastOneField, "Send at least one of name, shippingAddress"),
);
export type ProfilePatch = v.InferOutput<typeof ProfilePatchSchema>;

/** POST /api/admin/staff: an invite is an account with an initial password the admin hands over. */
export const StaffCreateSchema = v.strictObject({
  email: EmailSchema,
  name: NameSchema,
  role: v.picklist(STAFF_ROLES),
  password: PasswordSchema,
});
export type StaffCreateInput = v.InferOutput<typeof StaffCreateSchema>;

export const AccountPatchSchema = v.pipe(
  v.strictObject({ role: v.optional(v.picklist(ROLES)), active: v.optional(v.boolean()) }),
  v.check(atLeastOneField, "Send at least one of role, active"),
);
export type AccountPatch = v.InferOutput<typeof AccountPatchSchema>;

export type AccountChangeDecision = { ok: true } | { ok: false; reason: "self_demotion" | "self_deactivation" };

/**
 * Whether `actorId` (an admin) may apply `change` to the account `targetId`. Admins cannot take away their
 * own admin role or deactivate themselves, so the shop always keeps at least the admin who acted.
 */
export function checkAccountChange(actorId: string, targetId: string, change: AccountPatch): AccountChangeDecision {
  if (actorId !== targetId) return { ok: true };
  if (change.role !== undefined && change.role !== "admin") return { ok: false, reason: "self_demotion" };
  if (change.active === false) return { ok: false, reason: "self_deactivation" };
  return { ok: true };
}
