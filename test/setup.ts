import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll } from "vitest";

// Storage is isolated per test file; migrations are idempotent, so applying them in every file is safe.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS ?? []);

/**
 * Events a test set off are still being consumed when its last assertion passes; tearing the file's runtime
 * down under them fails the run. Wait until the bus is quiet: no new event logged and no new delivery handled
 * across several polls (bounded, so a stuck consumer still lets the file finish).
 */
afterAll(async () => {
  const activity = async () => {
    const row = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM events) AS e, (SELECT count(*) FROM processed_events) AS p, (SELECT count(*) FROM notifications) AS n",
    ).first<{ e: number; p: number; n: number }>();
    return `${row?.e}/${row?.p}/${row?.n}`;
  };
  const deadline = Date.now() + 5_000;
  let last = await activity();
  let quietPolls = 0;
  while (quietPolls < 3 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await activity();
    quietPolls = now === last ? quietPolls + 1 : 0;
    last = now;
  }
});
