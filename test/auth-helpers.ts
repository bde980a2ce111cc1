/**
 * Accounts for suites that need a signed-in caller. `signUp` goes through the real endpoint; `accountWithSession`
 * writes the account and a session straight to D1 (for suites about something else than signing in, and for
 * staff/admin accounts, which cannot sign themselves up). Every caller gets its own random IP so the per-IP
 * login limit (60/min) is never shared between tests.
 */
import { env } from "cloudflare:workers";
import { getDb } from "../src/db/client";
import { customers, type Role } from "../src/db/schema";
import { newId } from "../src/lib/ids";
import { hashPassword } from "../src/services/accounts/passwords";
import { newSession, sessionInsert } from "../src/services/accounts/sessions";
import { call, type JsonResponse } from "./helpers";

export const TEST_PASSWORD = "correct horse battery";

let knownHash: Promise<string> | undefined;
/** One PBKDF2 hash of TEST_PASSWORD per test file: hashing is deliberately slow. */
export const testPasswordHash = () => {
  knownHash ??= hashPassword(TEST_PASSWORD);
  return knownHash;
};

export const uniqueEmail = (label = "user") => `${label}-${crypto.randomUUID()}@example.com`;

export function randomIp(): string {
  const [a = 0, b = 0, c = 0] = crypto.getRandomValues(new Uint8Array(3));
  return `10.${a}.${b}.${c}`;
}

/** The `sid` value a response set, or null. */
export function sessionCookie(res: JsonResponse): string | null {
  const header = res.headers.get("set-cookie") ?? "";
  const match = /(?:^|,\s*)__Host-sid=([^;]*)/.exec(header);
  return match?.[1] ? match[1] : null;
}

export const withCookie = (sid: string, headers: Record<string, string> = {}) => ({
  cookie: `__Host-sid=${sid}`,
  ...headers,
});

export type TestAccount = { id: string; email: string; name: string; role: Role; sid: string; ip: string };

/** Signs up through POST /api/auth/signup and returns the account with its session cookie. */
export async function signUp(opts: { email?: string; name?: string; password?: string } = {}): Promise<TestAccount> {
  const ip = randomIp();
  const res = await call("POST", "/api/auth/signup", {
    body: { email: opts.email ?? uniqueEmail(), password: opts.password ?? TEST_PASSWORD, name: opts.name ?? "Test" },
    headers: { "cf-connecting-ip": ip },
  });
  const sid = sessionCookie(res);
  if (res.status !== 201 || !sid) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body.user, sid, ip };
}

/** Writes an account with password TEST_PASSWORD and a live session straight to D1. */
export async function accountWithSession(
  role: Role,
  opts: { email?: string; name?: string; active?: boolean } = {},
): Promise<TestAccount> {
  const db = getDb(env.DB);
  const now = Date.now();
  const id = newId("cus");
  const email = opts.email ?? uniqueEmail(role);
  const name = opts.name ?? `${role} ${id.slice(-4)}`;
  const session = await newSession(id, now);
  await db.batch([
    db.insert(customers).values({
      id,
      email,
      name,
      role,
      passwordHash: await testPasswordHash(),
      active: opts.active ?? true,
      createdAt: now,
      updatedAt: now,
    }),
    sessionInsert(db, session),
  ]);
  return { id, email, name, role, sid: session.token, ip: randomIp() };
}
