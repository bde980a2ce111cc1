import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminUpsertSql } from "../scripts/admin-sql.mjs";
import { newId } from "../src/lib/ids";
import { hashPassword } from "../src/services/accounts/passwords";
import { accountWithSession, randomIp, sessionCookie, TEST_PASSWORD, uniqueEmail, withCookie } from "./auth-helpers";
import { call } from "./helpers";

/** Runs the statements `npm run admin:create` hands to `wrangler d1 execute`, one by one. */
async function runAdminSql(sql: string) {
  for (const statement of sql.split(/;\n/).filter((s) => s.trim())) await env.DB.prepare(statement).run();
}

async function login(email: string, password: string) {
  const res = await call("POST", "/api/auth/login", {
    body: { email, password },
    headers: { "cf-connecting-ip": randomIp() },
  });
  return { status: res.status, sid: sessionCookie(res) };
}

describe("npm run admin:create", () => {
  it("creates an admin who signs in with the password hashed by the app's own code and reaches the console API", async () => {
    const email = uniqueEmail("first-admin");
    const password = "a long first-admin password";
    await runAdminSql(
      adminUpsertSql({
        id: newId("cus"),
        email,
        name: "O'Brien",
        passwordHash: await hashPassword(password),
        now: Date.now(),
      }),
    );
    const { status, sid } = await login(email, password);
    expect(status).toBe(200);
    const staff = await call("GET", "/api/admin/staff", { headers: withCookie(sid ?? "") });
    expect(staff.status).toBe(200);
    expect(staff.body.staff).toContainEqual(expect.objectContaining({ email, role: "admin", name: "O'Brien" }));
  });

  it("makes an existing customer an admin with the new password and ends the account's sessions", async () => {
    const customer = await accountWithSession("customer");
    await runAdminSql(
      adminUpsertSql({
        id: newId("cus"),
        email: customer.email,
        name: "",
        passwordHash: await hashPassword("the replacement password"),
        now: Date.now(),
      }),
    );
    expect((await call("GET", "/api/me", { headers: withCookie(customer.sid) })).status).toBe(401);
    expect((await login(customer.email, TEST_PASSWORD)).status).toBe(401);
    const { status, sid } = await login(customer.email, "the replacement password");
    expect(status).toBe(200);
    const me = await call("GET", "/api/me", { headers: withCookie(sid ?? "") });
    expect(me.body.user).toMatchObject({ role: "admin", name: customer.name });
  });
});
