/** The shapes the account pages read from /api (docs/accounts.md): the routes' own answers. */
import type { AnswerOf, client, User } from "../lib/api";

export type { User };

/** GET /api/account/profile. */
export type Profile = AnswerOf<typeof client.api.account.profile.$get>["profile"];

/** A saved shipping address, as the profile holds it. */
export type Address = NonNullable<Profile["shippingAddress"]>;

export type Plan = AnswerOf<typeof client.api.plans.$get>["plans"][number];

export type Subscription = AnswerOf<typeof client.api.subscriptions.$get>["subscriptions"][number];
