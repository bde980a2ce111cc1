/**
 * Background work a Durable Object runs at most once at a time (flushing its outbox, draining a task queue):
 * a call while it runs returns that run and asks for one more pass after it, so work recorded meanwhile is
 * never left behind and two passes never interleave across an await.
 */
export function singleFlight(pass: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await pass();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}
