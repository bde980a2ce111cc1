// A small fetch-shaped client over node:http with kept-alive connections. The load generator shares the two
// cores with the Workers it measures; Node's fetch (undici, WHATWG streams) costs several times the CPU per
// request of node:http, and that CPU was taken from the shop and the baseline alike.
import http from "node:http";

/** A pool of kept-alive connections of its own (the flash sale's crowd opens theirs apart from the shared pool). */
export const newAgent = () =>
  new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, maxFreeSockets: 2048 });
/** The pool of every request that names no agent of its own. */
const shared = newAgent();

/**
 * `fetch(url, { method, headers, body })` for the benchmarks: resolves once the whole body has arrived. `agent`:
 * the connections to use (default: the shared pool).
 */
export function request(url, { method = "GET", headers = {}, body, agent = shared } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => resolve(answer(res, Buffer.concat(chunks))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function answer(res, buffer) {
  const raw = res.headers;
  return {
    status: res.statusCode,
    headers: {
      get: (name) => {
        const v = raw[name.toLowerCase()];
        return Array.isArray(v) ? v.join(", ") : (v ?? null);
      },
      getSetCookie: () => raw["set-cookie"] ?? [],
    },
    text: async () => buffer.toString("utf8"),
    json: async () => JSON.parse(buffer.toString("utf8")),
    arrayBuffer: async () => buffer,
  };
}
