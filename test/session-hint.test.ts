import { describe, expect, it } from "vitest";
import { accountWithSession, signUp, uniqueEmail, withCookie } from "./auth-helpers";
import { call } from "./helpers";

const cookies = (headers: Headers) => headers.getSetCookie();
const hintOf = (headers: Headers) => cookies(headers).find((c) => c.startsWith("__Host-signed-in="));

describe("the signed-in hint cookie", () => {
  it("comes with the session on signup, readable by the page but saying nothing about who", async () => {
    const res = await call("POST", "/api/auth/signup", {
      body: { email: uniqueEmail(), password: "correct horse battery", name: "Hint" },
      headers: { "cf-connecting-ip": "198.51.100.7" },
    });
    expect(res.status).toBe(201);
    const hint = hintOf(res.headers);
    expect(hint).toMatch(/^__Host-signed-in=1;/);
    expect(hint).toMatch(/; Secure/);
    expect(hint).toMatch(/; Path=\//);
    expect(hint).not.toMatch(/HttpOnly/i);
    expect(cookies(res.headers).find((c) => c.startsWith("__Host-sid="))).toMatch(/HttpOnly/);
  });

  it("goes away on logout", async () => {
    const user = await signUp();
    const res = await call("POST", "/api/auth/logout", { headers: withCookie(user.sid) });
    expect(res.status).toBe(204);
    expect(hintOf(res.headers)).toMatch(/^__Host-signed-in=;.*Max-Age=0/);
  });

  it("is removed when the session it stood for is gone, so the page stops asking /api/me", async () => {
    const res = await call("GET", "/api/me", { headers: { cookie: "__Host-sid=expired-token; __Host-signed-in=1" } });
    expect(res.status).toBe(401);
    expect(hintOf(res.headers)).toMatch(/Max-Age=0/);
    const noSession = await call("GET", "/api/me", { headers: { cookie: "__Host-signed-in=1" } });
    expect(noSession.status).toBe(401);
    expect(hintOf(noSession.headers)).toMatch(/Max-Age=0/);
  });

  it("is given to a live session that does not have it yet", async () => {
    const staff = await accountWithSession("staff");
    const res = await call("GET", "/api/me", { headers: withCookie(staff.sid) });
    expect(res.status).toBe(200);
    expect(hintOf(res.headers)).toMatch(/^__Host-signed-in=1;/);
    const again = await call("GET", "/api/me", {
      headers: withCookie(staff.sid, { cookie: `__Host-sid=${staff.sid}; __Host-signed-in=1` }),
    });
    expect(hintOf(again.headers)).toBeUndefined();
  });

  it("keeps GET /api/me a 401 for a signed-out caller (the contract), with no hint to remove", async () => {
    const res = await call("GET", "/api/me");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
    expect(hintOf(res.headers)).toBeUndefined();
  });
});
