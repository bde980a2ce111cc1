/**
 * /api/auth: signup, login, logout and password change; /api/me: who is signed in. Sessions are cookies
 * (`__Host-sid`) backed by D1 rows; every successful signup or login issues a new session id.
 */
import { Hono } from "hono";
import { newEvent, outboxInserts, publish } from "../adapters/event-bus";
import {
  findAccountByEmail,
  findAccountById,
  insertAccount,
  isEmailTakenError,
  publicUser,
  setPasswordHash,
} from "../db/accounts";
import { getDb } from "../db/client";
import { ChangePasswordSchema, LoginSchema, SignupSchema } from "../domain/accounts";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { ApiError } from "../http/errors";
import { limitAuthAttempt } from "../http/rate-limit";
import { clearSessionCookie, currentUser, requireCustomer, setSessionCookie } from "../http/session";
import { validate } from "../http/validate";
import { newId } from "../lib/ids";
import { hashPassword, needsRehash, verifyDummy, verifyPassword } from "../services/accounts/passwords";
import { closeSessionSockets } from "../services/accounts/session-sockets";
import { newSession, revokeAllSessions, revokeSession, sessionInsert } from "../services/accounts/sessions";
import { UserEnvelope } from "./shapes";

const INVALID_CREDENTIALS = "The email or password is not right";

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "POST /signup": doc({
    tag: "auth",
    who: "anyone",
    summary: "Create a customer account and sign in",
    ok: 201,
    body: UserEnvelope,
    errors: { 409: "email_taken", 429: "rate_limited" },
  }),
  "POST /login": doc({
    tag: "auth",
    who: "anyone",
    summary: "Sign in (rate-limited per email and IP)",
    body: UserEnvelope,
    errors: { 401: "invalid_credentials", 429: "rate_limited" },
  }),
  "POST /logout": doc({ tag: "auth", who: "anyone", summary: "Sign out (revokes the session)", ok: 204 }),
  "POST /password": doc({
    tag: "auth",
    who: "customer",
    summary: "Change password (revokes every other session)",
    body: UserEnvelope,
    errors: { 429: "rate_limited" },
  }),
  "GET /": doc({ tag: "auth", who: "customer", summary: "The signed-in person", body: UserEnvelope }),
};

export const auth = new Hono<AppEnv>()
  .post("/signup", spec["POST /signup"], validate("json", SignupSchema), async (c) => {
    const { email, password, name } = c.req.valid("json");
    await limitAuthAttempt(c, email);
    const db = getDb(c.env.DB);
    // A friendly answer for the common case; the unique index settles a race between two signups.
    if (await findAccountByEmail(db, email)) throw new ApiError("email_taken", "An account with this email exists");
    const now = Date.now();
    const id = newId("cus");
    const passwordHash = await hashPassword(password);
    const session = await newSession(id, now, c.req.header("user-agent"));
    const events = [newEvent("UserSignedUp", `customer:${id}`, { customerId: id, email, name }, now)];
    const previous = c.get("sessionIdHash");
    try {
      await db.batch([
        insertAccount(db, { id, email, name, role: "customer", passwordHash, createdAt: now, updatedAt: now }),
        sessionInsert(db, session),
        ...outboxInserts(db, events),
        ...(previous ? [revokeSession(db, previous)] : []),
      ]);
    } catch (err) {
      if (isEmailTakenError(err)) throw new ApiError("email_taken", "An account with this email exists");
      throw err;
    }
    await publish(c.env, events);
    if (previous) await closeSessionSockets(c.env, { sessionHashes: [previous] });
    setSessionCookie(c, session.token);
    return c.json({ user: { id, email, name, role: "customer" as const } }, 201);
  })
  .post("/login", spec["POST /login"], validate("json", LoginSchema), async (c) => {
    const { email, password } = c.req.valid("json");
    await limitAuthAttempt(c, email);
    const db = getDb(c.env.DB);
    const account = await findAccountByEmail(db, email);
    // Missing and deactivated accounts cost the same hashing work as a wrong password: no timing oracle.
    const ok = account?.active ? await verifyPassword(password, account.passwordHash) : await verifyDummy(password);
    if (!account || !ok) throw new ApiError("invalid_credentials", INVALID_CREDENTIALS);
    const now = Date.now();
    const session = await newSession(account.id, now, c.req.header("user-agent"));
    const previous = c.get("sessionIdHash");
    const rehash = needsRehash(account.passwordHash)
      ? [setPasswordHash(db, { id: account.id, passwordHash: await hashPassword(password), now })]
      : [];
    await db.batch([sessionInsert(db, session), ...rehash, ...(previous ? [revokeSession(db, previous)] : [])]);
    if (previous) await closeSessionSockets(c.env, { sessionHashes: [previous] });
    setSessionCookie(c, session.token);
    return c.json({ user: publicUser(account) }, 200);
  })
  .post("/logout", spec["POST /logout"], async (c) => {
    const idHash = c.get("sessionIdHash");
    if (idHash) {
      const db = getDb(c.env.DB);
      await db.batch([revokeSession(db, idHash)]);
      // Before answering: once the browser sees the logout done, its sockets are closed too.
      await closeSessionSockets(c.env, { sessionHashes: [idHash] });
    }
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  .post("/password", spec["POST /password"], requireCustomer, validate("json", ChangePasswordSchema), async (c) => {
    const user = currentUser(c);
    const { currentPassword, newPassword } = c.req.valid("json");
    // A stolen session must not become an unlimited password-guessing oracle.
    await limitAuthAttempt(c, user.email);
    const db = getDb(c.env.DB);
    const account = await findAccountById(db, user.id);
    if (!account || !(await verifyPassword(currentPassword, account.passwordHash))) {
      throw new ApiError("validation_failed", "The current password is not right", [
        { path: "currentPassword", message: "The current password is not right" },
      ]);
    }
    const now = Date.now();
    const session = await newSession(account.id, now, c.req.header("user-agent"));
    await db.batch([
      setPasswordHash(db, { id: account.id, passwordHash: await hashPassword(newPassword), now }),
      revokeAllSessions(db, account.id),
      sessionInsert(db, session),
    ]);
    // Every session's sockets close, this browser's too: its page reconnects with the fresh cookie.
    await closeSessionSockets(c.env, { customerId: account.id });
    setSessionCookie(c, session.token);
    return c.json({ user: publicUser(account) }, 200);
  });

/** GET /api/me: the signed-in person, or 401. */
export const me = new Hono<AppEnv>().get("/", spec["GET /"], (c) => c.json({ user: publicUser(currentUser(c)) }, 200));
