import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { customers, orders, sessions } from "../src/db/schema";
import { app } from "../src/worker";
import {
  accountWithSession,
  randomIp,
  sessionCookie,
  signUp,
  TEST_PASSWORD,
  uniqueEmail,
  withCookie,
} from "./auth-helpers";
import { call } from "./helpers";

const db = getDb(env.DB);

/** Every /api/admin route the app has, whoever wrote it, with its path parameters filled in. */
const ADMIN_ROUTES = [
  ...new Set(
    app.routes
      .filter((r) => r.method !== "ALL" && r.path.startsWith("/api/admin"))
      .map((r) => `${r.method} ${r.path.replace(/:\w+(\{[^}]*\})?/g, "x").replace(/\/\*$/, "")}`),
  ),
].map((line) => {
  const [method = "", path = ""] = line.split(" ");
  return { method, path };
});
const ADMIN_ONLY = /^\/api\/admin\/(products|images|staff)(\/|$)/;

const as = (sid: string | null, method: string, path: string, body?: unknown) =>
  call(method, path, {
    headers: sid ? withCookie(sid) : {},
    body: body ?? (method === "GET" || method === "DELETE" ? undefined : {}),
  });

describe("who may use the back office", () => {
  it("finds the admin routes to check", () => {
    const lines = ADMIN_ROUTES.map((r) => `${r.method} ${r.path}`);
    for (const route of [
      "GET /api/admin/products",
      "POST /api/admin/products",
      "PATCH /api/admin/products/x",
      "GET /api/admin/customers",
      "GET /api/admin/customers/x",
      "GET /api/admin/staff",
      "POST /api/admin/staff",
      "PATCH /api/admin/staff/x",
    ]) {
      expect(lines).toContain(route);
    }
  });

  it("refuses every admin route to an anonymous caller with 401", async () => {
    for (const { method, path } of ADMIN_ROUTES) {
      const res = await as(null, method, path);
      expect({ route: `${method} ${path}`, status: res.status, code: res.body?.error?.code }).toEqual({
        route: `${method} ${path}`,
        status: 401,
        code: "unauthorized",
      });
    }
  });

  it("refuses every admin route to a customer with 403", async () => {
    const customer = await signUp();
    for (const { method, path } of ADMIN_ROUTES) {
      const res = await as(customer.sid, method, path);
      expect({ route: `${method} ${path}`, status: res.status, code: res.body?.error?.code }).toEqual({
        route: `${method} ${path}`,
        status: 403,
        code: "forbidden",
      });
    }
  });

  it("refuses staff the product and staff management routes with 403", async () => {
    const staff = await accountWithSession("staff");
    const adminOnly = ADMIN_ROUTES.filter((r) => ADMIN_ONLY.test(r.path));
    expect(adminOnly.length).toBeGreaterThanOrEqual(6);
    for (const { method, path } of adminOnly) {
      const res = await as(staff.sid, method, path);
      expect({ route: `${method} ${path}`, status: res.status }).toEqual({ route: `${method} ${path}`, status: 403 });
    }
  });

  it("lets staff find customers but not invite staff or change roles", async () => {
    const staff = await accountWithSession("staff");
    const customer = await signUp();
    expect((await as(staff.sid, "GET", "/api/admin/customers")).status).toBe(200);
    expect((await as(staff.sid, "GET", `/api/admin/customers/${customer.id}`)).status).toBe(200);

    const invite = await as(staff.sid, "POST", "/api/admin/staff", {
      email: uniqueEmail(),
      name: "Mallory",
      role: "admin",
      password: TEST_PASSWORD,
    });
    expect(invite.status).toBe(403);
    const promote = await as(staff.sid, "PATCH", `/api/admin/staff/${staff.id}`, { role: "admin" });
    expect(promote.status).toBe(403);
    expect((await db.select().from(customers).where(eq(customers.id, staff.id)).get())?.role).toBe("staff");
  });

  it("applies a role change on the account's very next request", async () => {
    const admin = await accountWithSession("admin");
    const user = await signUp();
    expect((await as(user.sid, "GET", "/api/admin/customers")).status).toBe(403);

    const promote = await as(admin.sid, "PATCH", `/api/admin/staff/${user.id}`, { role: "staff" });
    expect(promote.status).toBe(200);
    expect(promote.body.account).toMatchObject({ id: user.id, role: "staff", active: true });
    expect((await as(user.sid, "GET", "/api/admin/customers")).status).toBe(200);
    expect((await as(user.sid, "GET", "/api/me")).body.user.role).toBe("staff");

    expect((await as(admin.sid, "PATCH", `/api/admin/staff/${user.id}`, { role: "customer" })).status).toBe(200);
    expect((await as(user.sid, "GET", "/api/admin/customers")).status).toBe(403);
  });
});

describe("staff accounts", () => {
  it("lists staff and admin accounts only, without password hashes", async () => {
    const admin = await accountWithSession("admin");
    const staff = await accountWithSession("staff");
    const customer = await signUp();
    const res = await as(admin.sid, "GET", "/api/admin/staff");
    expect(res.status).toBe(200);
    const ids = res.body.staff.map((a: any) => a.id);
    expect(ids).toEqual(expect.arrayContaining([admin.id, staff.id]));
    expect(ids).not.toContain(customer.id);
    expect(res.body.staff.find((a: any) => a.id === staff.id)).toEqual({
      id: staff.id,
      email: staff.email,
      name: staff.name,
      role: "staff",
      active: true,
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
    });
    expect(JSON.stringify(res.body)).not.toContain("pbkdf2");
  });

  it("invites a staff member who can then sign in with the initial password", async () => {
    const admin = await accountWithSession("admin");
    const email = uniqueEmail("new-staff");
    const res = await as(admin.sid, "POST", "/api/admin/staff", {
      email: email.toUpperCase(),
      name: "Nia",
      role: "staff",
      password: "initial password 1",
    });
    expect(res.status).toBe(201);
    expect(res.body.account).toMatchObject({ email, name: "Nia", role: "staff", active: true });

    const login = await call("POST", "/api/auth/login", {
      body: { email, password: "initial password 1" },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toEqual({ id: res.body.account.id, email, name: "Nia", role: "staff" });
    expect((await as(sessionCookie(login), "GET", "/api/admin/customers")).status).toBe(200);
  });

  it("refuses an invite for an email in use, a customer role or a weak password", async () => {
    const admin = await accountWithSession("admin");
    const existing = await signUp();
    const taken = await as(admin.sid, "POST", "/api/admin/staff", {
      email: existing.email,
      name: "Dup",
      role: "staff",
      password: TEST_PASSWORD,
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("email_taken");
    expect((await db.select().from(customers).where(eq(customers.id, existing.id)).get())?.role).toBe("customer");

    const email = uniqueEmail();
    for (const body of [
      { email, name: "C", role: "customer", password: TEST_PASSWORD },
      { email, name: "C", role: "staff", password: "short" },
      { email, name: "C", role: "staff", password: TEST_PASSWORD, active: false },
    ]) {
      const res = await as(admin.sid, "POST", "/api/admin/staff", body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect(await db.select().from(customers).where(eq(customers.email, email))).toEqual([]);
  });

  it("deactivates an account, revoking its sessions at once, and can reactivate it", async () => {
    const admin = await accountWithSession("admin");
    const staff = await accountWithSession("staff");
    expect((await as(staff.sid, "GET", "/api/me")).status).toBe(200);

    const res = await as(admin.sid, "PATCH", `/api/admin/staff/${staff.id}`, { active: false });
    expect(res.status).toBe(200);
    expect(res.body.account).toMatchObject({ id: staff.id, active: false });
    expect(await db.select().from(sessions).where(eq(sessions.customerId, staff.id))).toEqual([]);
    expect((await as(staff.sid, "GET", "/api/me")).status).toBe(401);
    const login = () =>
      call("POST", "/api/auth/login", {
        body: { email: staff.email, password: TEST_PASSWORD },
        headers: { "cf-connecting-ip": randomIp() },
      });
    expect((await login()).status).toBe(401);

    expect((await as(admin.sid, "PATCH", `/api/admin/staff/${staff.id}`, { active: true })).status).toBe(200);
    expect((await login()).status).toBe(200);
  });

  it("refuses an admin demoting or deactivating themself with 409 invalid_state", async () => {
    const admin = await accountWithSession("admin");
    for (const [body, reason] of [
      [{ role: "staff" }, "self_demotion"],
      [{ role: "customer" }, "self_demotion"],
      [{ active: false }, "self_deactivation"],
    ] as const) {
      const res = await as(admin.sid, "PATCH", `/api/admin/staff/${admin.id}`, body);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: "invalid_state", details: { reason } });
    }
    expect(await db.select().from(customers).where(eq(customers.id, admin.id)).get()).toMatchObject({
      role: "admin",
      active: true,
    });
    expect((await as(admin.sid, "GET", "/api/admin/staff")).status).toBe(200);
  });

  it("answers a change to an unknown account with 404 and a bad change with 400", async () => {
    const admin = await accountWithSession("admin");
    expect((await as(admin.sid, "PATCH", "/api/admin/staff/cus_nope", { role: "staff" })).status).toBe(404);
    const staff = await accountWithSession("staff");
    for (const body of [{}, { role: "owner" }, { email: "x@example.com" }]) {
      const res = await as(admin.sid, "PATCH", `/api/admin/staff/${staff.id}`, body);
      expect(res.status).toBe(400);
    }
  });
});

describe("customer lookup", () => {
  it("searches customers by email or name, case-insensitively, leaving out staff", async () => {
    const staff = await accountWithSession("staff");
    const tag = crypto.randomUUID().slice(0, 8);
    const byName = await signUp({ name: `Zelda ${tag}` });
    const byEmail = await signUp({ email: `zelda-${tag}@example.com`, name: "Someone" });
    await signUp({ name: "Unrelated" });
    const colleague = await accountWithSession("staff", { name: `Zelda ${tag} (staff)` });

    const res = await as(staff.sid, "GET", `/api/admin/customers?q=${encodeURIComponent(`ZELDA ${tag}`)}`);
    expect(res.status).toBe(200);
    expect(res.body.customers.map((c: any) => c.id)).toEqual([byName.id]);
    const both = await as(staff.sid, "GET", `/api/admin/customers?q=${tag}`);
    expect(both.body.customers.map((c: any) => c.id)).toEqual([byEmail.id, byName.id]);
    expect(both.body.customers.map((c: any) => c.id)).not.toContain(colleague.id);
    expect(both.body.customers[0]).toEqual({
      id: byEmail.id,
      email: byEmail.email,
      name: "Someone",
      role: "customer",
      active: true,
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
    });
  });

  it("takes LIKE wildcards in the search literally", async () => {
    const staff = await accountWithSession("staff");
    await signUp({ name: "Percent Person" });
    const res = await as(staff.sid, "GET", "/api/admin/customers?q=%25");
    expect(res.status).toBe(200);
    expect(res.body.customers).toEqual([]);
    expect((await as(staff.sid, "GET", "/api/admin/customers?q=_")).body.customers).toEqual([]);
  });

  it("pages through customers", async () => {
    const staff = await accountWithSession("staff");
    const tag = crypto.randomUUID().slice(0, 8);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await signUp({ name: `Pager ${tag} ${i}` }));
    const first = await as(staff.sid, "GET", `/api/admin/customers?q=${tag}&limit=2`);
    expect(first.body.customers).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await as(staff.sid, "GET", `/api/admin/customers?q=${tag}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.nextCursor).toBeNull();
    const ids = [...first.body.customers, ...second.body.customers].map((c: any) => c.id);
    expect(new Set(ids)).toEqual(new Set(made.map((m) => m.id)));
  });

  it("shows one customer with their order count and latest orders", async () => {
    const staff = await accountWithSession("staff");
    const customer = await signUp({ name: "Olive" });
    const t = Date.now();
    const ids = [];
    for (let i = 0; i < 12; i++) {
      const id = `ord_${crypto.randomUUID()}`;
      ids.unshift(id);
      await db.insert(orders).values({
        id,
        customerId: customer.id,
        email: customer.email,
        status: "confirmed",
        version: 3,
        subtotalCents: 1000,
        shippingCents: 0,
        taxCents: 200,
        totalCents: 1200,
        currency: "EUR",
        shippingAddress: { name: "Olive", line1: "1 Road", city: "Paris", postalCode: "75001", country: "FR" },
        accessTokenHash: "h",
        createdAt: t - 1000 + i,
        updatedAt: t - 1000 + i,
      });
    }
    const res = await as(staff.sid, "GET", `/api/admin/customers/${customer.id}`);
    expect(res.status).toBe(200);
    expect(res.body.customer).toMatchObject({
      id: customer.id,
      name: "Olive",
      role: "customer",
      shippingAddress: null,
    });
    expect(res.body.orderCount).toBe(12);
    expect(res.body.recentOrders.map((o: any) => o.id)).toEqual(ids.slice(0, 10));
    expect(res.body.recentOrders[0]).toEqual({
      id: ids[0],
      status: "confirmed",
      totalCents: 1200,
      currency: "EUR",
      createdAt: t - 1000 + 11,
    });
  });

  it("answers an unknown id, or a staff account's id, with 404", async () => {
    const staff = await accountWithSession("staff");
    const admin = await accountWithSession("admin");
    for (const id of ["cus_nope", admin.id]) {
      const res = await as(staff.sid, "GET", `/api/admin/customers/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
  });
});
