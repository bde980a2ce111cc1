/**
 * Which messages a recipient may turn off. Account messages (welcome) and staff alerts are not optional; order
 * updates, marketing (back in stock) and billing can each be turned off per channel. Only marketing e-mail
 * carries a one-click unsubscribe (List-Unsubscribe): order and billing messages are transactional.
 */
import type { MessageKind } from "./notifications";

export const OPTIONAL_KINDS = ["order", "marketing", "billing"] as const;
export type OptionalKind = (typeof OPTIONAL_KINDS)[number];

export function isOptional(kind: string): kind is OptionalKind {
  return (OPTIONAL_KINDS as readonly string[]).includes(kind);
}

/** Kinds whose e-mails carry List-Unsubscribe headers and an unsubscribe link. */
export function hasOneClickUnsubscribe(kind: MessageKind): boolean {
  return kind === "marketing";
}
