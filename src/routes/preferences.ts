/**
 * /api/account/preferences: the signed-in customer's e-mail choices per kind (order updates, marketing such as
 * back in stock, billing). GET → `{email: {order, marketing, billing}}`; PATCH the same shape (any subset).
 */
import { Hono } from "hono";
import * as v from "valibot";
import { OPTIONAL_KINDS } from "../domain/preferences";
import type { AppEnv } from "../http/app-env";
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

export const preferencesApi = new Hono<AppEnv>()
  .use(requireCustomer)
  .get("/", async (c) => c.json({ email: await emailPreferences(c.env, currentUser(c).email) }))
  .patch("/", validate("json", PreferencesSchema), async (c) => {
    const recipient = currentUser(c).email;
    const wanted = c.req.valid("json").email;
    for (const kind of OPTIONAL_KINDS) {
      const enabled = wanted[kind];
      if (enabled !== undefined) await setPreference(c.env, { recipient, kind, channel: "email", enabled });
    }
    return c.json({ email: await emailPreferences(c.env, recipient) });
  });
