import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { subscriptions } from "../src/db/schema";
import { newId } from "../src/lib/ids";
import { accountWithSession, withCookie } from "./auth-helpers";
import { call } from "./helpers";

const json = (sid: string) => withCookie(sid, { origin: "http://localhost" });

describe("/api/admin/plans", () => {
  it("lets an admin create a plan that shoppers then see, reprice it and take it off sale", async () => {
    const admin = await accountWithSession("admin");
    const created = await call("POST", "/api/admin/plans", {
      body: { name: "Gem of the month", description: "One stone bracelet a month", priceCents: 2490 },
      headers: json(admin.sid),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Gem of the month", priceCents: 2490, currency: "EUR", active: true });
    const id = created.body.id as string;
    expect(id).toMatch(/^plan_[a-z0-9_]+$/);

    const onSale = await call("GET", "/api/plans");
    expect(onSale.body.plans).toContainEqual(expect.objectContaining({ id, priceCents: 2490 }));

    const repriced = await call("PATCH", `/api/admin/plans/${id}`, {
      body: { priceCents: 2690 },
      headers: json(admin.sid),
    });
    expect(repriced.body).toMatchObject({ id, priceCents: 2690 });
    await call("PATCH", `/api/admin/plans/${id}`, { body: { active: false }, headers: json(admin.sid) });
    const after = await call("GET", "/api/plans");
    expect(after.body.plans.map((p: { id: string }) => p.id)).not.toContain(id);
    const all = await call("GET", "/api/admin/plans", { headers: json(admin.sid) });
    expect(all.body.plans).toContainEqual(expect.objectContaining({ id, active: false }));
  });

  it("refuses staff and customers", async () => {
    for (const role of ["staff", "customer"] as const) {
      const who = await accountWithSession(role);
      const res = await call("POST", "/api/admin/plans", {
        body: { name: "X", priceCents: 100 },
        headers: json(who.sid),
      });
      expect(res.status, role).toBe(403);
    }
  });

  it("rejects a bad price and a taken id with the stable codes", async () => {
    const admin = await accountWithSession("admin");
    const bad = await call("POST", "/api/admin/plans", {
      body: { name: "X", priceCents: 0 },
      headers: json(admin.sid),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    const id = `plan_${crypto.randomUUID().slice(0, 8)}`;
    const first = await call("POST", "/api/admin/plans", {
      body: { id, name: "X", priceCents: 100 },
      headers: json(admin.sid),
    });
    expect(first.status).toBe(201);
    const again = await call("POST", "/api/admin/plans", {
      body: { id, name: "Y", priceCents: 100 },
      headers: json(admin.sid),
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("conflict");
  });

  it("deletes a plan nobody subscribed to and keeps one with subscriptions (409 conflict)", async () => {
    const admin = await accountWithSession("admin");
    const customer = await accountWithSession("customer");
    const make = async (name: string) =>
      (await call("POST", "/api/admin/plans", { body: { name, priceCents: 1000 }, headers: json(admin.sid) })).body
        .id as string;
    const unused = await make("Unused");
    const used = await make("Used");
    const now = Date.now();
    await getDb(env.DB)
      .insert(subscriptions)
      .values({
        id: newId("sub"),
        customerId: customer.id,
        planId: used,
        status: "active",
        currentPeriodStart: now,
        currentPeriodEnd: now + 30 * 86_400_000,
        createdAt: now,
      });
    expect((await call("DELETE", `/api/admin/plans/${unused}`, { headers: json(admin.sid) })).status).toBe(204);
    const refused = await call("DELETE", `/api/admin/plans/${used}`, { headers: json(admin.sid) });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("conflict");
    expect((await call("DELETE", `/api/admin/plans/${unused}`, { headers: json(admin.sid) })).status).toBe(404);
  });
});
