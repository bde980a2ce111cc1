import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  AccountPatchSchema,
  ChangePasswordSchema,
  COUNTRY_CODES,
  can,
  checkAccountChange,
  EmailSchema,
  LoginSchema,
  normaliseEmail,
  PERMISSIONS,
  type Permission,
  ProfilePatchSchema,
  ROLE_PERMISSIONS,
  ROLES,
  type Role,
  ShippingAddressSchema,
  SignupSchema,
  StaffCreateSchema,
} from "../src/domain/accounts";

const ok = (schema: v.GenericSchema, value: unknown) => v.safeParse(schema, value).success;
const address = {
  name: "Ada Lovelace",
  line1: "1 Analytical Row",
  city: "London",
  postalCode: "N1 9GU",
  country: "GB",
};

describe("email normalisation", () => {
  it("trims and lower-cases an email so one address is one account", () => {
    expect(normaliseEmail("  Ada@Example.COM ")).toBe("ada@example.com");
    expect(v.parse(EmailSchema, " Ada@Example.com")).toBe("ada@example.com");
  });

  it("refuses things that are not email addresses", () => {
    for (const bad of ["", "ada", "ada@", "@example.com", "ada example@x.com", 42, null]) {
      expect(ok(EmailSchema, bad)).toBe(false);
    }
    expect(ok(EmailSchema, `${"a".repeat(250)}@x.io`)).toBe(false);
  });
});

describe("password policy", () => {
  const signup = (password: string) => ({ email: "a@example.com", password, name: "A" });

  it("accepts passwords of 10 to 128 characters and nothing outside that", () => {
    expect(ok(SignupSchema, signup("x".repeat(9)))).toBe(false);
    expect(ok(SignupSchema, signup("x".repeat(10)))).toBe(true);
    expect(ok(SignupSchema, signup("x".repeat(128)))).toBe(true);
    expect(ok(SignupSchema, signup("x".repeat(129)))).toBe(false);
  });

  it("checks a presented password without the policy, so older passwords still sign in", () => {
    expect(ok(LoginSchema, { email: "a@example.com", password: "short" })).toBe(true);
    expect(ok(LoginSchema, { email: "a@example.com", password: "" })).toBe(false);
    expect(ok(ChangePasswordSchema, { currentPassword: "short", newPassword: "long enough now" })).toBe(true);
    expect(ok(ChangePasswordSchema, { currentPassword: "short", newPassword: "short" })).toBe(false);
  });

  it("wants a name of 1 to 100 characters after trimming", () => {
    expect(ok(SignupSchema, { ...signup("long enough!"), name: "   " })).toBe(false);
    expect(ok(SignupSchema, { ...signup("long enough!"), name: "x".repeat(101) })).toBe(false);
    expect(v.parse(SignupSchema, { ...signup("long enough!"), name: "  Ada " }).name).toBe("Ada");
  });

  it("refuses unknown fields", () => {
    expect(ok(SignupSchema, { ...signup("long enough!"), role: "admin" })).toBe(false);
  });
});

describe("roles and permissions", () => {
  const expected: Record<Role, Permission[]> = {
    customer: ["account:own"],
    staff: ["account:own", "orders:manage", "inventory:manage", "customers:read", "events:read"],
    admin: [...PERMISSIONS],
  };

  for (const role of ROLES) {
    for (const permission of PERMISSIONS) {
      const granted = expected[role].includes(permission);
      it(`${granted ? "grants" : "denies"} ${permission} to ${role}`, () => {
        expect(can(role, permission)).toBe(granted);
      });
    }
  }

  it("gives admins everything staff have", () => {
    for (const permission of ROLE_PERMISSIONS.staff) expect(can("admin", permission)).toBe(true);
  });
});

describe("account changes by an admin", () => {
  it("lets an admin change anyone else's role and active flag", () => {
    expect(checkAccountChange("a", "b", { role: "customer", active: false })).toEqual({ ok: true });
  });

  it("refuses an admin taking away their own admin role", () => {
    expect(checkAccountChange("a", "a", { role: "staff" })).toEqual({ ok: false, reason: "self_demotion" });
    expect(checkAccountChange("a", "a", { role: "customer" })).toEqual({ ok: false, reason: "self_demotion" });
  });

  it("refuses an admin deactivating themself", () => {
    expect(checkAccountChange("a", "a", { active: false })).toEqual({ ok: false, reason: "self_deactivation" });
  });

  it("lets an admin make harmless changes to their own account", () => {
    expect(checkAccountChange("a", "a", { role: "admin", active: true })).toEqual({ ok: true });
  });

  it("needs at least one of role and active", () => {
    expect(ok(AccountPatchSchema, {})).toBe(false);
    expect(ok(AccountPatchSchema, { role: "owner" })).toBe(false);
    expect(ok(AccountPatchSchema, { active: "no" })).toBe(false);
    expect(ok(AccountPatchSchema, { active: false })).toBe(true);
  });

  it("invites only staff or admins", () => {
    const invite = { email: "s@example.com", name: "S", password: "long enough!" };
    expect(ok(StaffCreateSchema, { ...invite, role: "staff" })).toBe(true);
    expect(ok(StaffCreateSchema, { ...invite, role: "admin" })).toBe(true);
    expect(ok(StaffCreateSchema, { ...invite, role: "customer" })).toBe(false);
  });
});

describe("shipping address", () => {
  it("accepts the contract's shape with optional line2, region and phone", () => {
    expect(ok(ShippingAddressSchema, address)).toBe(true);
    expect(
      ok(ShippingAddressSchema, { ...address, line2: "Flat 2", region: "Greater London", phone: "+44 20 7946 0000" }),
    ).toBe(true);
  });

  it("wants an assigned ISO 3166-1 alpha-2 code, stored in capitals whatever case was typed", () => {
    expect(COUNTRY_CODES.size).toBe(249);
    for (const country of ["DE", "FR", "US", "JP", "BR"])
      expect(ok(ShippingAddressSchema, { ...address, country })).toBe(true);
    expect(v.parse(ShippingAddressSchema, { ...address, country: " gb " }).country).toBe("GB");
    for (const country of ["GBR", "UK", "XX", "EU", "", "G"]) {
      expect(ok(ShippingAddressSchema, { ...address, country })).toBe(false);
    }
  });

  it("requires name, line1, city and postalCode and refuses unknown fields", () => {
    for (const field of ["name", "line1", "city", "postalCode", "country"] as const) {
      const { [field]: _, ...rest } = address;
      expect(ok(ShippingAddressSchema, rest)).toBe(false);
      expect(ok(ShippingAddressSchema, { ...address, [field]: "  " })).toBe(false);
    }
    expect(ok(ShippingAddressSchema, { ...address, street: "x" })).toBe(false);
    expect(ok(ShippingAddressSchema, { ...address, phone: "call me" })).toBe(false);
  });

  it("lets a profile patch change the name, set an address or clear it, but not nothing", () => {
    expect(ok(ProfilePatchSchema, { name: "Ada" })).toBe(true);
    expect(ok(ProfilePatchSchema, { shippingAddress: address })).toBe(true);
    expect(ok(ProfilePatchSchema, { shippingAddress: null })).toBe(true);
    expect(ok(ProfilePatchSchema, {})).toBe(false);
    expect(ok(ProfilePatchSchema, { email: "new@example.com" })).toBe(false);
  });
});
