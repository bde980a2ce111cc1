/**
 * The staff actions on one order (POST /api/admin/orders/:id/<action>) as typed calls: each answers the
 * order's staff view, or throws the ApiFailure of its refusal. Used by the order page and the fraud review.
 */
import type { InferRequestType } from "hono/client";
import { client, read } from "../../lib/api";
import type { OrderDetail, StaffAction } from "./model";

const route = client.api.admin.orders[":id"];

/** What each action sends: `undefined` is a bodyless POST (a refund without a body refunds everything left). */
export type ActionBody = {
  ship: InferRequestType<typeof route.ship.$post>["json"];
  deliver: undefined;
  approve: InferRequestType<typeof route.approve.$post>["json"];
  reject: InferRequestType<typeof route.reject.$post>["json"];
  cancel: undefined;
  refund: InferRequestType<typeof route.refund.$post>["json"] | undefined;
};

export function staffAction<A extends StaffAction>(
  id: string,
  action: A,
  body: ActionBody[A],
  headers: Record<string, string> = {},
): Promise<OrderDetail> {
  const param = { id: encodeURIComponent(id) };
  const b = body as ActionBody[StaffAction];
  switch (action as StaffAction) {
    case "ship":
      return read(route.ship.$post({ param, json: b as ActionBody["ship"] }, { headers }));
    case "deliver":
      return read(route.deliver.$post({ param }, { headers }));
    case "approve":
      return read(route.approve.$post({ param, json: b as ActionBody["approve"] }, { headers }));
    case "reject":
      return read(route.reject.$post({ param, json: b as ActionBody["reject"] }, { headers }));
    case "cancel":
      return read(route.cancel.$post({ param }, { headers }));
    case "refund":
      // hc sends no body for `json: undefined`: the server then refunds everything left.
      return read(route.refund.$post({ param, json: b as NonNullable<ActionBody["refund"]> }, { headers }));
  }
}
