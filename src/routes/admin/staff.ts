/**
 * /api/admin/staff (admins): the back-office accounts, inviting new ones (an account with an initial password
 * the admin hands over) and changing any account's role or active flag. Deactivating an account revokes its
 * sessions at once; role changes apply on the account's next request.
 */
import { Hono } from "hono";
import {
  accountView,
  findAccountByEmail,
  insertAccount,
  isEmailTakenError,
  listStaff,
  updateAccount,
} from "../../db/accounts";
import { getDb } from "../../db/client";
import { AccountPatchSchema, checkAccountChange, StaffCreateSchema } from "../../domain/accounts";
import type { AppEnv } from "../../http/app-env";
import { doc } from "../../http/contract";
import { ApiError } from "../../http/errors";
import { currentUser, requirePermission } from "../../http/session";
import { validate } from "../../http/validate";
import { newId } from "../../lib/ids";
import { hashPassword } from "../../services/accounts/passwords";
import { closeSessionSockets } from "../../services/accounts/session-sockets";
import { revokeAllSessions } from "../../services/accounts/sessions";
import { AccountEnvelope, StaffList } from "../shapes";

const REFUSALS = {
  self_demotion: "You cannot take away your own admin role",
  self_deactivation: "You cannot deactivate your own account",
} as const;

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /": doc({ tag: "admin", who: "admin", summary: "Staff and admin accounts", body: StaffList }),
  "POST /": doc({
    tag: "admin",
    who: "admin",
    summary: "Invite (create) a staff account",
    ok: 201,
    body: AccountEnvelope,
    errors: { 409: "email_taken" },
  }),
  "PATCH /:id": doc({
    tag: "admin",
    who: "admin",
    summary: "Change role, deactivate",
    body: AccountEnvelope,
    errors: { 404: "No such account", 409: "conflict" },
  }),
};

export const adminStaff = new Hono<AppEnv>()
  .use(requirePermission("staff:manage"))
  .get("/", spec["GET /"], async (c) => c.json({ staff: await listStaff(getDb(c.env.DB)) }, 200))
  .post("/", spec["POST /"], validate("json", StaffCreateSchema), async (c) => {
    const { email, name, role, password } = c.req.valid("json");
    const db = getDb(c.env.DB);
    if (await findAccountByEmail(db, email)) throw new ApiError("email_taken", "An account with this email exists");
    const now = Date.now();
    const values = {
      id: newId("cus"),
      email,
      name,
      role,
      passwordHash: await hashPassword(password),
      createdAt: now,
      updatedAt: now,
    };
    try {
      const [row] = await insertAccount(db, values);
      return c.json({ account: accountView(row!) }, 201);
    } catch (err) {
      if (isEmailTakenError(err)) throw new ApiError("email_taken", "An account with this email exists");
      throw err;
    }
  })
  .patch("/:id", spec["PATCH /:id"], validate("json", AccountPatchSchema), async (c) => {
    const id = c.req.param("id");
    const change = c.req.valid("json");
    const decision = checkAccountChange(currentUser(c).id, id, change);
    if (!decision.ok) throw new ApiError("invalid_state", REFUSALS[decision.reason], { reason: decision.reason });
    const db = getDb(c.env.DB);
    const update = updateAccount(db, { id, change, now: Date.now() });
    // Deactivation and the revocation commit together: no window where a deactivated account's cookie works.
    const [rows] = change.active === false ? await db.batch([update, revokeAllSessions(db, id)]) : [await update];
    const row = rows[0];
    if (!row) throw new ApiError("not_found", "No such account");
    // A deactivated account, or one whose role changed, keeps no socket its old rights opened (a demoted
    // clerk's console feed, orders it watched as staff); its pages reconnect under the new role if allowed.
    if (change.active === false || change.role !== undefined) await closeSessionSockets(c.env, { customerId: id });
    return c.json({ account: accountView(row) }, 200);
  });
