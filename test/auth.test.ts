import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isEmailTakenError } from "../src/db/accounts";
import { getDb } from "../src/db/client";
import { customers, events, sessions } from "../src/db/schema";
import { sha256Hex } from "../src/lib/ids";
import { hashPassword } from "../src/services/accounts/passwords";
import {
  accountWithSession,
  randomIp,
  sessionCookie,
  signUp,
  TEST_PASSWORD,
  uniqueEmail,
  withCookie,
} from "./auth-helpers";
import { call, waitFor } from "./helpers";

const db = getDb(env.DB);

// Made by scripts/seed.mjs's hashPassword (Node's crypto.pbkdf2Sync, 100,000 iterations, 16-byte salt).
const SEEDED_HASH = "pbkdf2-sha256$100000$PhhWb54kW01xtCgVHd151A==$JpVGGrT1o1TjPKZqbek2jXACPZK6/4u6NlvPZ1Vxi6E=";
const SEEDED_PASSWORD = "seeded-password-123";

const me = (sid: string) => call("GET", "/api/me", { headers: withCookie(sid) });
const login = (email: string, password: string, ip = randomIp(), headers: Record<string, string> = {}) =>
  call("POST", "/api/auth/login", { body: { email, password }, headers: { "cf-connecting-ip": ip, ...headers } });

async function insertAccount(email: string, passwordHash: string, active = true) {
  const now = Date.now();
  const id = `cus_${crypto.randomUUID()}`;
  await db
    .insert(customers)
    .values({ id, email, name: "Seeded", role: "customer", passwordHash, active, createdAt: now, updatedAt: now });
  return id;
}

const sessionRows = (customerId: string) => db.select().from(sessions).where(eq(sessions.customerId, customerId));

/**
 * The Rate Limiting binding counts in fixed windows aligned to the wall clock (whole minutes). A test that
 * needs all its attempts inside one window waits for a fresh one when the current one is nearly over.
 */
async function startOfRateWindow(needMs: number) {
  const into = Date.now() % 60_000;
  if (into + needMs > 60_000) await new Promise((r) => setTimeout(r, 60_000 - into + 100));
}

describe("signup, me and logout", () => {
  it("signs up, answers /me with the new customer, logs out and then answers /me with 401", async () => {
    const email = uniqueEmail("Round.Trip").toUpperCase();
    const signup = await call("POST", "/api/auth/signup", {
      body: { email: `  ${email} `, password: TEST_PASSWORD, name: " Ada Lovelace " },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(signup.status).toBe(201);
    const user = signup.body.user;
    expect(signup.body).toEqual({
      user: { id: expect.stringMatching(/^cus_/), email: email.toLowerCase(), name: "Ada Lovelace", role: "customer" },
    });
    const setCookie = signup.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^__Host-sid=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain("Max-Age=2592000");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("Secure");
    expect(setCookie).toContain("SameSite=Lax");
    const sid = sessionCookie(signup)!;

    const row = await db.select().from(customers).where(eq(customers.id, user.id)).get();
    expect(row).toMatchObject({ email: email.toLowerCase(), role: "customer", active: true });
    expect(row?.passwordHash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    // The table holds the token's SHA-256, never the token.
    expect((await sessionRows(user.id)).map((s) => s.idHash)).toEqual([await sha256Hex(sid)]);

    expect(await me(sid)).toMatchObject({ status: 200, body: { user } });

    const logout = await call("POST", "/api/auth/logout", { headers: withCookie(sid) });
    expect(logout.status).toBe(204);
    expect(logout.headers.get("set-cookie")).toMatch(/^__Host-sid=;.*Max-Age=0/);
    expect(await sessionRows(user.id)).toEqual([]);

    const after = await me(sid);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("unauthorized");
  });

  it("records UserSignedUp with the account and publishes it", async () => {
    const user = await signUp({ name: "Grace" });
    const event = await db
      .select()
      .from(events)
      .where(eq(events.subject, `customer:${user.id}`))
      .get();
    expect(event).toMatchObject({
      type: "UserSignedUp",
      source: "customers",
      data: { customerId: user.id, email: user.email, name: "Grace" },
    });
    expect(event?.publishedAt).toBeTypeOf("number");
  });

  it("refuses a second account for the same email in any letter case with 409 email_taken", async () => {
    const first = await signUp();
    const again = await call("POST", "/api/auth/signup", {
      body: { email: first.email.toUpperCase(), password: "another password", name: "Copy" },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: { code: "email_taken", message: expect.any(String) } });
    expect(sessionCookie(again)).toBeNull();
    const rows = await db.select().from(customers).where(eq(customers.email, first.email));
    expect(rows.map((r) => r.name)).toEqual(["Test"]);
  });

  it("lets exactly one of two simultaneous signups for one email through", async () => {
    const email = uniqueEmail("race");
    const attempt = (name: string) =>
      call("POST", "/api/auth/signup", {
        body: { email, password: TEST_PASSWORD, name },
        headers: { "cf-connecting-ip": randomIp() },
      });
    const results = await Promise.all([attempt("One"), attempt("Two")]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)?.body.error.code).toBe("email_taken");
    expect(await db.select().from(customers).where(eq(customers.email, email))).toHaveLength(1);
  });

  it("recognises D1's unique-email violation, which settles a signup race the pre-check missed", async () => {
    const user = await signUp();
    const now = Date.now();
    const duplicate = {
      id: `cus_${crypto.randomUUID()}`,
      email: user.email,
      passwordHash: "x",
      createdAt: now,
      updatedAt: now,
    };
    const err = await db
      .batch([db.insert(customers).values(duplicate)])
      .then(() => null)
      .catch((e: unknown) => e);
    expect(isEmailTakenError(err)).toBe(true);
    expect(isEmailTakenError(new Error("UNIQUE constraint failed: products.sku"))).toBe(false);
  });

  it("refuses a short password, a missing name and unknown fields with 400 and creates nothing", async () => {
    const email = uniqueEmail();
    for (const body of [
      { email, password: "too short", name: "A" },
      { email, password: "x".repeat(129), name: "A" },
      { email, password: TEST_PASSWORD, name: "" },
      { email, password: TEST_PASSWORD },
      { email, password: TEST_PASSWORD, name: "A", role: "admin" },
      { email: "not-an-email", password: TEST_PASSWORD, name: "A" },
    ]) {
      const res = await call("POST", "/api/auth/signup", { body, headers: { "cf-connecting-ip": randomIp() } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([{ path: expect.any(String), message: expect.any(String) }]),
      );
    }
    expect(await db.select().from(customers).where(eq(customers.email, email))).toEqual([]);
  });

  it("answers /me without a cookie, or with a cookie that is no session, with 401", async () => {
    const cases: Record<string, string>[] = [
      {},
      { cookie: "__Host-sid=not-a-session" },
      { cookie: `__Host-sid=${"x".repeat(500)}` },
    ];
    for (const headers of cases) {
      const res = await call("GET", "/api/me", { headers });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    }
  });

  it("answers a logout without a session with 204 and a cleared cookie", async () => {
    const res = await call("POST", "/api/auth/logout");
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/^__Host-sid=;/);
  });
});

describe("login", () => {
  it("logs in an account whose hash was made by the seed script", async () => {
    const email = uniqueEmail("seeded");
    const id = await insertAccount(email, SEEDED_HASH);
    const res = await login(`  ${email.toUpperCase()}`, SEEDED_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { id, email, name: "Seeded", role: "customer" } });
    const sid = sessionCookie(res)!;
    expect(await me(sid)).toMatchObject({ status: 200, body: { user: { id } } });
    // Today's parameters: the stored hash is left as it is.
    expect((await db.select().from(customers).where(eq(customers.id, id)).get())?.passwordHash).toBe(SEEDED_HASH);
  });

  it("re-hashes a password stored with older parameters at the next login", async () => {
    const email = uniqueEmail("legacy");
    const id = await insertAccount(email, await hashPassword(TEST_PASSWORD, 1000));
    expect((await login(email, TEST_PASSWORD)).status).toBe(200);
    const stored = (await db.select().from(customers).where(eq(customers.id, id)).get())?.passwordHash;
    expect(stored).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect((await login(email, TEST_PASSWORD)).status).toBe(200);
  });

  it("answers a wrong password and an unknown email with the same 401 invalid_credentials", async () => {
    const user = await signUp();
    const wrong = await login(user.email, "not the password");
    const unknown = await login(uniqueEmail("nobody"), TEST_PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual({ error: { code: "invalid_credentials", message: expect.any(String) } });
    expect(unknown.body).toEqual(wrong.body);
    expect(sessionCookie(wrong)).toBeNull();
    expect(sessionCookie(unknown)).toBeNull();
    expect(await sessionRows(user.id)).toHaveLength(1);
  });

  it("issues a new session on every login, each valid until it is logged out", async () => {
    const user = await signUp();
    const a = sessionCookie(await login(user.email, TEST_PASSWORD))!;
    const b = sessionCookie(await login(user.email, TEST_PASSWORD))!;
    expect(new Set([user.sid, a, b]).size).toBe(3);
    for (const sid of [user.sid, a, b]) expect((await me(sid)).status).toBe(200);

    expect((await call("POST", "/api/auth/logout", { headers: withCookie(a) })).status).toBe(204);
    expect((await me(a)).status).toBe(401);
    expect((await me(b)).status).toBe(200);
    expect((await me(user.sid)).status).toBe(200);
    expect(await sessionRows(user.id)).toHaveLength(2);
  });

  it("replaces the session a browser already holds when it logs in again", async () => {
    const user = await signUp();
    const res = await login(user.email, TEST_PASSWORD, user.ip, withCookie(user.sid));
    const fresh = sessionCookie(res)!;
    expect(fresh).not.toBe(user.sid);
    expect((await me(user.sid)).status).toBe(401);
    expect((await me(fresh)).status).toBe(200);
    expect((await sessionRows(user.id)).map((s) => s.idHash)).toEqual([await sha256Hex(fresh)]);
  });

  it("refuses a deactivated account at login and stops its existing sessions working", async () => {
    const account = await accountWithSession("customer");
    expect((await me(account.sid)).status).toBe(200);
    await db.update(customers).set({ active: false }).where(eq(customers.id, account.id));

    expect((await me(account.sid)).status).toBe(401);
    const res = await login(account.email, TEST_PASSWORD);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_credentials");
    expect(sessionCookie(res)).toBeNull();
  });

  it("ignores an expired session", async () => {
    const account = await accountWithSession("customer");
    await db
      .update(sessions)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(sessions.idHash, await sha256Hex(account.sid)));
    expect((await me(account.sid)).status).toBe(401);
  });
});

describe("rate limits", () => {
  it("refuses the 11th attempt for one email within a minute with 429 and Retry-After, from any address", async () => {
    await startOfRateWindow(8_000);
    const user = await signUp();
    // signUp counted one attempt for this email; nine more failures make ten.
    for (let i = 0; i < 9; i++) expect((await login(user.email, "wrong password")).status).toBe(401);
    const blocked = await login(user.email, TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toBe("60");
    expect(blocked.body).toEqual({ error: { code: "rate_limited", message: expect.any(String) } });
    expect(sessionCookie(blocked)).toBeNull();
    // The limit is on the email, so the right password does not help, but other accounts are unaffected.
    expect(await sessionRows(user.id)).toHaveLength(1);
    expect((await login(uniqueEmail(), TEST_PASSWORD)).status).toBe(401);
  }, 60_000);

  it("counts signups against the email too", async () => {
    const email = uniqueEmail();
    await startOfRateWindow(8_000);
    for (let i = 0; i < 10; i++) expect((await login(email, "whatever password")).status).toBe(401);
    const res = await call("POST", "/api/auth/signup", {
      body: { email, password: TEST_PASSWORD, name: "Late" },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(res.status).toBe(429);
    expect(await db.select().from(customers).where(eq(customers.email, email))).toEqual([]);
  }, 60_000);

  it("refuses the 61st attempt from one IP within a minute, whatever the emails", async () => {
    const ip = randomIp();
    await startOfRateWindow(15_000);
    for (let i = 0; i < 60; i++) expect((await login(uniqueEmail(), "whatever password", ip)).status).toBe(401);
    const blocked = await login(uniqueEmail(), "whatever password", ip);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toBe("60");
    expect((await login(uniqueEmail(), "whatever password")).status).toBe(401);
  }, 90_000);
});

describe("password change", () => {
  it("changes the password, revokes every session and hands back a fresh one", async () => {
    const user = await signUp();
    const other = sessionCookie(await login(user.email, TEST_PASSWORD))!;
    const res = await call("POST", "/api/auth/password", {
      body: { currentPassword: TEST_PASSWORD, newPassword: "a brand new password" },
      headers: withCookie(user.sid),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { id: user.id, email: user.email, name: user.name, role: "customer" } });
    const fresh = sessionCookie(res)!;
    expect([user.sid, other]).not.toContain(fresh);

    expect((await me(user.sid)).status).toBe(401);
    expect((await me(other)).status).toBe(401);
    expect((await me(fresh)).status).toBe(200);
    expect((await sessionRows(user.id)).map((s) => s.idHash)).toEqual([await sha256Hex(fresh)]);

    expect((await login(user.email, TEST_PASSWORD)).status).toBe(401);
    expect((await login(user.email, "a brand new password")).status).toBe(200);
  });

  it("refuses a wrong current password with 400 and changes nothing", async () => {
    const user = await signUp();
    const before = await db.select().from(customers).where(eq(customers.id, user.id)).get();
    const res = await call("POST", "/api/auth/password", {
      body: { currentPassword: "not my password", newPassword: "a brand new password" },
      headers: withCookie(user.sid),
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "validation_failed", details: [{ path: "currentPassword" }] });
    expect(await db.select().from(customers).where(eq(customers.id, user.id)).get()).toEqual(before);
    expect((await me(user.sid)).status).toBe(200);
  });

  it("refuses a new password outside the policy and an anonymous caller", async () => {
    const user = await signUp();
    const short = await call("POST", "/api/auth/password", {
      body: { currentPassword: TEST_PASSWORD, newPassword: "short" },
      headers: withCookie(user.sid),
    });
    expect(short.status).toBe(400);
    const anonymous = await call("POST", "/api/auth/password", {
      body: { currentPassword: TEST_PASSWORD, newPassword: "a brand new password" },
    });
    expect(anonymous.status).toBe(401);
    expect((await login(user.email, TEST_PASSWORD)).status).toBe(200);
  });
});

describe("cross-site request protection", () => {
  const patchName = (sid: string, name: string, headers: Record<string, string>) =>
    call("PATCH", "/api/account/profile", { body: { name }, headers: withCookie(sid, headers) });
  const nameOf = async (id: string) => (await db.select().from(customers).where(eq(customers.id, id)).get())?.name;

  it("refuses a cookie request from a foreign Origin with 403 forbidden and changes nothing", async () => {
    const user = await signUp({ name: "Before" });
    const res = await patchName(user.sid, "Hijacked", { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: "forbidden", message: expect.any(String) } });
    expect(await nameOf(user.id)).toBe("Before");
  });

  it("refuses a cookie request marked Sec-Fetch-Site cross-site or same-site with 403", async () => {
    const user = await signUp({ name: "Before" });
    for (const site of ["cross-site", "same-site"]) {
      const res = await patchName(user.sid, "Hijacked", { "sec-fetch-site": site });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    expect(await nameOf(user.id)).toBe("Before");
  });

  it("refuses a cross-site logout, keeping the session", async () => {
    const user = await signUp();
    const res = await call("POST", "/api/auth/logout", {
      headers: withCookie(user.sid, { origin: "https://evil.example", "sec-fetch-site": "cross-site" }),
    });
    expect(res.status).toBe(403);
    expect((await me(user.sid)).status).toBe(200);
  });

  it("refuses form and text bodies with 415 even from our own origin", async () => {
    const user = await signUp({ name: "Before" });
    for (const type of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]) {
      const res = await call("PATCH", "/api/account/profile", {
        raw: "name=Hijacked",
        headers: withCookie(user.sid, { "content-type": type, origin: "http://localhost" }),
      });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe("unsupported_media_type");
    }
    expect(await nameOf(user.id)).toBe("Before");
  });

  it("lets a same-origin cookie request through", async () => {
    const user = await signUp({ name: "Before" });
    const res = await patchName(user.sid, "After", { origin: "http://localhost", "sec-fetch-site": "same-origin" });
    expect(res.status).toBe(200);
    expect(res.body.profile.name).toBe("After");
    expect(await nameOf(user.id)).toBe("After");
  });

  it("does not hold a cookieless login to the cookie rules, which JSON-only bodies already protect", async () => {
    const user = await signUp();
    const res = await login(user.email, TEST_PASSWORD, randomIp(), { "sec-fetch-site": "same-origin" });
    expect(res.status).toBe(200);
  });
});

describe("session bookkeeping", () => {
  it("refreshes last_seen_at of a session idle for over an hour when it is used", async () => {
    const account = await accountWithSession("customer");
    const idHash = await sha256Hex(account.sid);
    const stale = Date.now() - 2 * 60 * 60_000;
    await db.update(sessions).set({ lastSeenAt: stale }).where(eq(sessions.idHash, idHash));
    expect((await me(account.sid)).status).toBe(200);
    await waitFor("last_seen_at to move", async () => {
      const row = await db
        .select()
        .from(sessions)
        .where(and(eq(sessions.idHash, idHash)))
        .get();
      return row && row.lastSeenAt > stale ? row : undefined;
    });
  });
});
