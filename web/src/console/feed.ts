/**
 * The console's live feed, shared by every page: the ConsoleApp holds one WebSocket to /api/admin/live and
 * fans each domain event out to the pages that listen, so a page refreshes itself without a reload.
 */
export type FeedEvent = {
  id: string;
  type: string;
  subject: string;
  occurredAt: number;
  data: Record<string, unknown>;
};

const listeners = new Set<(event: FeedEvent) => void>();

export function publishFeed(event: FeedEvent): void {
  for (const listener of listeners) listener(event);
}

/** Calls `listener` for every live event (optionally only those of `types`). Returns the unsubscribe. */
export function subscribeFeed(listener: (event: FeedEvent) => void, types?: readonly string[]): () => void {
  const wrapped = (event: FeedEvent) => {
    if (!types || types.includes(event.type)) listener(event);
  };
  listeners.add(wrapped);
  return () => listeners.delete(wrapped);
}
