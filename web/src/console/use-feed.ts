import { useEffect, useRef } from "preact/hooks";
import { type FeedEvent, subscribeFeed } from "./feed";

/** Runs `onEvent` for live events of `types` while the component is mounted. */
export function useFeed(types: readonly string[], onEvent: (event: FeedEvent) => void): void {
  // Subscribed once per set of types; events always reach the latest callback.
  const latest = useRef(onEvent);
  latest.current = onEvent;
  const key = types.join(",");
  useEffect(() => subscribeFeed((e) => latest.current(e), key ? key.split(",") : undefined), [key]);
}
