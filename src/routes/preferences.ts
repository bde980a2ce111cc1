/**
 * /api/account/preferences: the signed-in customer's e-mail choices per kind (order updates, marketing such as
 * back in stock, billing). GET → `{email: {order, marketing, billing}}`; PATCH the same shape (any subset).
 */
import { Hono } from "hono";
import * as v from "valibot";
import { OPTIONAL_KINDS } from "../domain/preferences";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { currentUser, requireCustomer } from "../http/session";
import { validate } from "../http/validate";
import { emailPreferences, setPreference } from "../services/unsubscribe";

export const PreferencesSchema = v.strictObject({
  email: v.strictObject({
    order: v.optional(v.boolean()),
    marketing: v.optional(v.boolean()),
    billing: v.optional(v.boolean()),
  }),
});

const Preferences = v.looseObject({
  email: v.looseObject({ order: v.boolean(), marketing: v.boolean(), billing: v.boolean() }),
});

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /": doc({
    tag: "account",
    who: "customer",
    summary: "The customer's e-mail choices per kind: {email:{order, marketing, billing}}",
    body: Preferences,
  }),
  "PATCH /": doc({
    tag: "account",
    who: "customer",
    summary: "Turn e-mail kinds on or off (any subset)",
    body: Preferences,
  }),
};

export const preferencesApi = new Hono<AppEnv>()
  .use(requireCustomer)
  .get("/", spec["GET /"], async (c) => c.json({ email: await emailPreferences(c.env, currentUser(c).email) }))
  .patch("/", spec["PATCH /"], validate("json", PreferencesSchema), async (c) => {
    const recipient = currentUser(c).email;
    const wanted = c.req.valid("json").email;
    for (const kind of OPTIONAL_KINDS) {
      const enabled = wanted[kind];
      if (enabled !== undefined) await setPreference(c.env, { recipient, kind, channel: "email", enabled });
    }
    return c.json({ email: await emailPreferences(c.env, recipient) });
  });
