/** Shared helpers for suites that drive the Worker through its real fetch handler. */
import { exports } from "cloudflare:workers";

export const BASE = "http://localhost";

export type JsonResponse<T = unknown> = { status: number; headers: Headers; body: T };

/** Calls the Worker with a JSON body (when given) and parses the JSON answer. */
export async function call<T = any>(
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; raw?: string } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (HTML page, 304): keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** Polls `check` until it returns a value other than undefined, failing loudly after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A signed-in person of `role` without going through the login route: inserts the customer and a session
 * row and returns the Cookie header value (and the customer id) to send.
 */
export async function sessionFor(
  role: "customer" | "staff" | "admin",
  opts: { email?: string; name?: string } = {},
): Promise<{ cookie: string; id: string; email: string }> {
  const { env } = await import("cloudflare:workers");
  const { sha256Hex, randomToken, newId } = await import("../src/lib/ids");
  const id = newId("cus");
  const email = opts.email ?? `${role}-${crypto.randomUUID()}@example.com`;
  const token = randomToken(32);
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO customers (id, email, name, role, password_hash, active, created_at, updated_at) VALUES (?, ?, ?, ?, 'x', 1, ?, ?)",
    ).bind(id, email, opts.name ?? role, role, now, now),
    env.DB.prepare(
      "INSERT INTO sessions (id_hash, customer_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
    ).bind(await sha256Hex(token), id, now, now + 86_400_000, now),
  ]);
  return { cookie: `__Host-sid=${token}`, id, email };
}
