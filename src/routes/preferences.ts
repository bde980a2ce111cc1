/**
 * /api/account/preferences: the signed-in customer's choices of channel per kind (order updates, marketing such
 * as back in stock, billing). GET → `{email, push, sms: {order, marketing, billing}, channels}`, where `channels`
 * lists the channels this shop can send on (push needs VAPID keys, SMS a provider); PATCH any subset of
 * `{email, push, sms}` with any subset of kinds.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { channelsFor } from "../adapters/channels/select";
import { OPTIONAL_KINDS } from "../domain/preferences";
import type { AppEnv } from "../http/app-env";
import { doc } from "../http/contract";
import { currentUser, requireCustomer } from "../http/session";
import { validate } from "../http/validate";
import { CUSTOMER_CHANNELS, channelPreferences, setPreference } from "../services/notifications/unsubscribe";

const KindChoices = v.strictObject({
  order: v.optional(v.boolean()),
  marketing: v.optional(v.boolean()),
  billing: v.optional(v.boolean()),
});

export const PreferencesSchema = v.strictObject({
  email: v.optional(KindChoices),
  push: v.optional(KindChoices),
  sms: v.optional(KindChoices),
});

const Kinds = v.looseObject({ order: v.boolean(), marketing: v.boolean(), billing: v.boolean() });
const Preferences = v.looseObject({
  email: Kinds,
  push: Kinds,
  sms: Kinds,
  channels: v.array(v.picklist(CUSTOMER_CHANNELS)),
});

/** Each route's contract for the OpenAPI document (docs/api.md), keyed by method and path. */
const spec = {
  "GET /": doc({
    tag: "account",
    who: "customer",
    summary: "The customer's choices per channel and kind, and the channels this shop offers",
    body: Preferences,
  }),
  "PATCH /": doc({
    tag: "account",
    who: "customer",
    summary: "Turn kinds on or off per channel (any subset of {email, push, sms})",
    body: Preferences,
  }),
};

/** The channels this deployment can send customer messages on (e-mail always: it is the record). */
function offered(env: Env) {
  const channels = channelsFor(env);
  return CUSTOMER_CHANNELS.filter((ch) => ch === "email" || channels[ch]);
}

export const preferencesApi = new Hono<AppEnv>()
  .use(requireCustomer)
  .get("/", spec["GET /"], async (c) =>
    c.json({ ...(await channelPreferences(c.env, currentUser(c).email)), channels: offered(c.env) }),
  )
  .patch("/", spec["PATCH /"], validate("json", PreferencesSchema), async (c) => {
    const recipient = currentUser(c).email;
    const wanted = c.req.valid("json");
    for (const channel of CUSTOMER_CHANNELS) {
      for (const kind of OPTIONAL_KINDS) {
        const enabled = wanted[channel]?.[kind];
        if (enabled !== undefined) await setPreference(c.env, { recipient, kind, channel, enabled });
      }
    }
    return c.json({ ...(await channelPreferences(c.env, recipient)), channels: offered(c.env) });
  });
