import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runScheduled, SWEEP_CRON } from "../src/services/workflows/scheduled";
import { sessionCookie, signUp, TEST_PASSWORD, withCookie } from "./auth-helpers";
import { BASE, call, waitFor } from "./helpers";
import { openLive, placeOrder, product, signedIn } from "./order-fixtures";

/** Opens a WebSocket through the Worker and records what arrives and how it closed. */
async function openSocket(path: string, headers: Record<string, string>) {
  const res = await exports.default.fetch(
    new Request(`${BASE}${path}`, { headers: { upgrade: "websocket", ...headers } }),
  );
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket: ${res.status} ${await res.text()}`);
  const messages: unknown[] = [];
  let closedWith: number | null = null;
  ws.addEventListener("message", (e) => {
    messages.push(JSON.parse(String(e.data)));
  });
  ws.addEventListener("close", (e) => {
    closedWith = e.code;
  });
  ws.accept();
  return {
    messages,
    closed: () => waitFor(`${path} to close`, async () => closedWith ?? undefined, 5_000),
    isOpen: () => closedWith === null,
  };
}

async function customerWithOrder() {
  const customer = await signedIn("customer");
  const o = await placeOrder([{ sku: await product(), qty: 1 }], { headers: customer.headers });
  return { customer, o };
}

describe("sockets die with their session", () => {
  it("closes the order socket a customer opened when they log out, and sends nothing on it afterwards", async () => {
    const { customer, o } = await customerWithOrder();
    const mine = await openSocket(`/api/orders/${o.id}/live`, customer.headers);
    const guest = await openLive(o);
    const logout = await call("POST", "/api/auth/logout", { headers: customer.headers });
    expect(logout.status).toBe(204);
    expect(await mine.closed()).toBe(4001);
    const seen = mine.messages.length;
    expect((await call("POST", `/api/orders/${o.id}/cancel`, { headers: o.auth })).status).toBe(200);
    await guest.until(1);
    expect(mine.messages).toHaveLength(seen);
  });

  it("leaves other sessions' sockets open on logout", async () => {
    const { customer, o } = await customerWithOrder();
    const other = await signedIn("staff");
    const staffView = await openSocket(`/api/orders/${o.id}/live`, other.headers);
    const mine = await openSocket(`/api/orders/${o.id}/live`, customer.headers);
    await call("POST", "/api/auth/logout", { headers: customer.headers });
    await mine.closed();
    expect(staffView.isOpen()).toBe(true);
  });

  it("closes every socket of the account when the password changes", async () => {
    const account = await signUp();
    const headers = withCookie(account.sid, { "cf-connecting-ip": account.ip });
    const o = await placeOrder([{ sku: await product(), qty: 1 }], { headers });
    const live = await openSocket(`/api/orders/${o.id}/live`, headers);
    const changed = await call("POST", "/api/auth/password", {
      body: { currentPassword: TEST_PASSWORD, newPassword: "another long passphrase" },
      headers,
    });
    expect(changed.status).toBe(200);
    expect(await live.closed()).toBe(4001);
    // The fresh cookie opens a fresh socket.
    const fresh = sessionCookie(changed);
    expect(fresh).toBeTruthy();
    const again = await openSocket(`/api/orders/${o.id}/live`, withCookie(fresh as string));
    expect(again.isOpen()).toBe(true);
  });

  it("closes a deactivated clerk's console feed and the order sockets it watched as staff", async () => {
    const admin = await signedIn("admin");
    const clerk = await signedIn("staff");
    const { o } = await customerWithOrder();
    const feed = await openSocket("/api/admin/live", clerk.headers);
    const watched = await openSocket(`/api/orders/${o.id}/live`, clerk.headers);
    const adminFeed = await openSocket("/api/admin/live", admin.headers);
    const res = await call("PATCH", `/api/admin/staff/${clerk.id}`, {
      body: { active: false },
      headers: admin.headers,
    });
    expect(res.status).toBe(200);
    expect(await feed.closed()).toBe(4001);
    expect(await watched.closed()).toBe(4001);
    expect(adminFeed.isOpen()).toBe(true);
  });

  it("closes the console feed of a clerk who loses the staff role, and sends no event on it afterwards", async () => {
    const admin = await signedIn("admin");
    const clerk = await signedIn("staff");
    const feed = await openSocket("/api/admin/live", clerk.headers);
    const adminFeed = await openSocket("/api/admin/live", admin.headers);
    await call("PATCH", `/api/admin/staff/${clerk.id}`, { body: { role: "customer" }, headers: admin.headers });
    expect(await feed.closed()).toBe(4001);
    const seen = feed.messages.length;
    await placeOrder([{ sku: await product(), qty: 1 }]);
    await waitFor("the admin's feed to hear of the order", async () =>
      adminFeed.messages.length > 0 ? true : undefined,
    );
    expect(feed.messages).toHaveLength(seen);
    expect((await call("GET", "/api/admin/live", { headers: { ...clerk.headers, upgrade: "websocket" } })).status).toBe(
      403,
    );
  });

  it("closes the sockets of a session that ended without a logout (expiry) on the next sweep", async () => {
    const { customer, o } = await customerWithOrder();
    const live = await openSocket(`/api/orders/${o.id}/live`, customer.headers);
    await env.DB.prepare("DELETE FROM sessions WHERE customer_id = ?").bind(customer.id).run();
    await runScheduled(SWEEP_CRON, env, Date.now());
    expect(await live.closed()).toBe(4001);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM session_sockets WHERE customer_id = ?")
      .bind(customer.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});
