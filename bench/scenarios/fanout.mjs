// Scenario 3: N WebSocket viewers on one product; time from a stock change (stamped by the object) to each
// viewer's message, against a bare broadcast from one Durable Object to N hibernating sockets.
import { request } from "../http.mjs";
import { fmt, percentile, pool, treeRssMiB } from "../lib.mjs";

/**
 * Opens `n` sockets (in waves, so the opening itself is not what is measured) and resolves once all are ready:
 * open, and, where the endpoint greets with the current level (`greets`), past that first message — otherwise
 * a late greeting would be counted as the change arriving.
 */
async function openViewers(url, n, { greets = false } = {}) {
  const opened = await pool(n, 100, async () => {
    const ws = new WebSocket(url);
    ws.listeners = [];
    const ready = new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      ws.onerror = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      if (greets) {
        ws.listeners.push(function first() {
          ws.listeners = ws.listeners.filter((l) => l !== first);
          done();
        });
      } else {
        ws.onopen = done;
      }
    });
    ws.onmessage = (e) => {
      for (const l of [...ws.listeners]) l(String(e.data));
    };
    return (await ready) ? ws : null;
  });
  return { sockets: opened.filter(Boolean), failed: opened.filter((ws) => !ws).length };
}

/**
 * Arms every socket for its next matching message, fires `trigger`, and returns each socket's delay (ms) from
 * the moment the change happened in the Durable Object (`at` in the message, same machine clock) to arrival.
 */
async function measure(sockets, trigger, match) {
  const arrivals = sockets.map(
    (ws) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(Number.NaN), 30_000);
        const listener = (data) => {
          if (!match(data)) return;
          clearTimeout(timer);
          ws.listeners = ws.listeners.filter((l) => l !== listener);
          const at = JSON.parse(data).at;
          resolve(typeof at === "number" ? Date.now() - at : Number.NaN);
        };
        ws.listeners.push(listener);
      }),
  );
  await trigger();
  return Promise.all(arrivals);
}

export async function fanout({ shop, baseline, sizes, sku, adminCookie }) {
  const rows = [];
  for (const n of sizes) {
    try {
      rows.push(await oneSize({ shop, baseline, n, sku, adminCookie }));
    } catch (err) {
      // Each viewer costs workerd more than one file descriptor through wrangler dev's proxy; this machine's
      // hard limit (ulimit -Hn) is what stops the largest sizes, and the row says so rather than the run dying.
      rows.push({ viewers: n, "p50 ms": `failed: ${String(err?.cause?.code ?? err?.message ?? err).slice(0, 60)}` });
    }
    await new Promise((r) => setTimeout(r, 3000));
  }
  return { rows };
}

async function oneSize({ shop, baseline, n, sku, adminCookie }) {
  {
    const rssBefore = treeRssMiB(shop.child.pid);
    const { sockets: viewers, failed: shopFailed } = await openViewers(
      `${shop.base.replace("http", "ws")}/api/products/${sku}/live`,
      n,
      {
        greets: true,
      },
    );
    const rssAfter = treeRssMiB(shop.child.pid);
    let round = 0;
    const shopDelays = await measure(
      viewers,
      async () => {
        // Alternate a restock and a count correction so the level stays put across rounds.
        const up = round++ % 2 === 0;
        const res = await request(`${shop.base}/api/admin/inventory/${sku}/adjustments`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie: adminCookie },
          body: JSON.stringify(up ? { delta: 1, reason: "restock" } : { delta: -1, reason: "correction" }),
        });
        await res.arrayBuffer();
      },
      (data) => data.includes('"stock"'),
    );
    for (const ws of viewers) ws.close();
    // Let the closed sockets drain before the baseline's are opened on the same cores.
    await new Promise((r) => setTimeout(r, 3000));

    const { sockets: baseViewers, failed: baseFailed } = await openViewers(
      `${baseline.base.replace("http", "ws")}/live`,
      n,
    );
    const baseDelays = await measure(
      baseViewers,
      async () => {
        const res = await request(`${baseline.base}/broadcast`, {
          method: "POST",
          body: JSON.stringify({ type: "stock", sku, available: 1 }),
        });
        await res.arrayBuffer();
      },
      () => true,
    );
    for (const ws of baseViewers) ws.close();

    const lost = shopDelays.filter((d) => Number.isNaN(d)).length;
    const ok = shopDelays.filter((d) => !Number.isNaN(d));
    const baseOk = baseDelays.filter((d) => !Number.isNaN(d));
    return {
      viewers: n,
      "p50 ms": fmt(percentile(ok, 50)),
      "p99 ms": fmt(percentile(ok, 99)),
      "last ms": fmt(Math.max(...ok)),
      "base p50": fmt(percentile(baseOk, 50)),
      "base p99": fmt(percentile(baseOk, 99)),
      "p99 x base": fmt(percentile(ok, 99) / percentile(baseOk, 99), 2),
      missed: lost,
      "failed to connect (shop/base)": `${shopFailed}/${baseFailed}`,
      "RSS MiB (before→with viewers)": `${fmt(rssBefore, 0)} → ${fmt(rssAfter, 0)}`,
    };
  }
}
