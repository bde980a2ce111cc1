/**
 * Baseline Worker for bench/: each route is the least work its shop counterpart could possibly do.
 * - GET /static: a constant JSON body the size of a catalog page (the catalog cache-hit floor).
 * - POST /order: one Durable Object call (a SQLite counter decrement) + one D1 insert (order creation floor).
 * - POST /order-with-object: /order plus one call that creates a new object, as the shop creates one OrderFlow per
 *   order (DESIGN.md): the floor of order creation for that design.
 * - POST /take: one Durable Object call and nothing else (the floor for a refused order: one stock call).
 * - GET /read: one D1 read (the floor for the console overview, which answers from one D1 batch).
 * - GET /live + POST /broadcast: hibernating WebSockets on one object and a bare broadcast (fan-out floor).
 * - POST /write, /queue, /fresh: one D1 insert, one queue message (sent, then consumed by a handler that acks it),
 *   one call to a Durable Object that did not exist: what each platform step costs here (the "units" scenario).
 */
import { DurableObject } from "cloudflare:workers";

type Env = {
  DB: D1Database;
  COUNTER: DurableObjectNamespace<Counter>;
  ROOM: DurableObjectNamespace<Room>;
  FRESH: DurableObjectNamespace<Fresh>;
  EVENTS: Queue;
};

const STATIC_BODY = JSON.stringify({
  items: Array.from({ length: 12 }, (_, i) => ({
    sku: `BR-${String(i + 1).padStart(3, "0")}`,
    name: `Bracelet number ${i + 1}`,
    description: "A handmade bracelet with a description about as long as the real catalog's ones are, give or take.",
    material: "stone",
    colour: "blue",
    priceCents: 4200,
    currency: "EUR",
    imageUrl: `/images/BR-${String(i + 1).padStart(3, "0")}.svg`,
    available: 10,
    lowStock: false,
  })),
  nextCursor: "eyJrIjoiQnJhY2VsZXQgbnVtYmVyIDEyIiwicyI6IkJSLTAxMiJ9",
});

export class Counter extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS stock (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
    ctx.storage.sql.exec("INSERT OR IGNORE INTO stock (id, n) VALUES (1, 1000000000)");
  }

  take(): number {
    return this.ctx.storage.sql.exec<{ n: number }>("UPDATE stock SET n = n - 1 WHERE id = 1 RETURNING n").one().n;
  }
}

/** A new object per call: what creating an object costs (the shop creates one OrderFlow per order). */
export class Fresh extends DurableObject<Env> {
  touch(): number {
    this.ctx.storage.kv.put("created", Date.now());
    return 1;
  }
}

export class Room extends DurableObject<Env> {
  override async fetch(): Promise<Response> {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** Sends `message` (with the moment of sending as `at`, as the shop's stock messages carry) to every socket. */
  broadcast(message: string): number {
    const sockets = this.ctx.getWebSockets();
    const stamped = JSON.stringify({ ...JSON.parse(message), at: Date.now() });
    for (const ws of sockets) ws.send(stamped);
    return sockets.length;
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    ws.close(code, "bye");
  }
}

let tableReady: Promise<unknown> | null = null;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/static") {
      return new Response(STATIC_BODY, { headers: { "content-type": "application/json" } });
    }
    if (url.pathname === "/order" && request.method === "POST") {
      tableReady ??= env.DB.exec("CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, at INTEGER NOT NULL)");
      await tableReady;
      const left = await env.COUNTER.getByName("sku").take();
      const id = crypto.randomUUID();
      await env.DB.prepare("INSERT INTO orders (id, at) VALUES (?, ?)").bind(id, Date.now()).run();
      return Response.json({ id, left }, { status: 201 });
    }
    if (url.pathname === "/order-with-object" && request.method === "POST") {
      tableReady ??= env.DB.exec("CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, at INTEGER NOT NULL)");
      await tableReady;
      const left = await env.COUNTER.getByName("sku").take();
      const id = crypto.randomUUID();
      await env.FRESH.getByName(id).touch();
      await env.DB.prepare("INSERT INTO orders (id, at) VALUES (?, ?)").bind(id, Date.now()).run();
      return Response.json({ id, left }, { status: 201 });
    }
    if (url.pathname === "/take" && request.method === "POST") {
      const left = await env.COUNTER.getByName("sku").take();
      return Response.json({ left }, { status: 409 });
    }
    if (url.pathname === "/write" && request.method === "POST") {
      tableReady ??= env.DB.exec("CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, at INTEGER NOT NULL)");
      await tableReady;
      await env.DB.prepare("INSERT INTO orders (id, at) VALUES (?, ?)").bind(crypto.randomUUID(), Date.now()).run();
      return Response.json({ ok: true });
    }
    if (url.pathname === "/queue" && request.method === "POST") {
      await env.EVENTS.send({ id: crypto.randomUUID(), type: "Bench", data: { n: 1 } }, { contentType: "json" });
      return Response.json({ ok: true });
    }
    if (url.pathname === "/fresh" && request.method === "POST") {
      return Response.json({ n: await env.FRESH.getByName(crypto.randomUUID()).touch() });
    }
    if (url.pathname === "/read") {
      const row = await env.DB.prepare("SELECT count(*) AS n FROM sqlite_master").first<{ n: number }>();
      return Response.json({ tables: row?.n ?? 0 });
    }
    if (url.pathname === "/live") return env.ROOM.getByName("room").fetch(request);
    if (url.pathname === "/broadcast" && request.method === "POST") {
      const sent = await env.ROOM.getByName("room").broadcast(await request.text());
      return Response.json({ sent });
    }
    return new Response("not found", { status: 404 });
  },
  async queue(batch) {
    for (const message of batch.messages) message.ack();
  },
} satisfies ExportedHandler<Env>;
