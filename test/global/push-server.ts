/**
 * Vitest globalSetup (Node side): a local Web Push service (RFC 8030), so the push channel is tested against a
 * real HTTP server. The Worker builds each request for the subscription's https endpoint and, in tests, sends it
 * here with the same path (PUSH_ENDPOINT_OVERRIDE). Tests reach it at `inject("pushServerUrl")`.
 *
 * - `POST /push/<name>` records the request (headers, body as base64) and answers 201 with a Location.
 *   The name scripts failures: `gone-…` gets 410, `missing-…` 404, `flaky<N>-…` 500 for its first N requests,
 *   `down-…` always 500.
 * - `GET /requests?path=/push/<name>` lists what was received at that path.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

type Received = { headers: Record<string, string | string[] | undefined>; body: string };

export default async function setup(project: TestProject) {
  const received = new Map<string, Received[]>();
  let ids = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && url.pathname === "/requests") {
      answer(200, received.get(url.searchParams.get("path") ?? "") ?? []);
      return;
    }
    if (req.method !== "POST" || !url.pathname.startsWith("/push/")) {
      answer(404, { message: "not found" });
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const list = received.get(url.pathname) ?? [];
      list.push({ headers: req.headers, body: Buffer.concat(chunks).toString("base64") });
      received.set(url.pathname, list);
      const name = url.pathname.slice("/push/".length);
      const flaky = /^flaky(\d+)-/.exec(name);
      if (name.startsWith("gone-")) return answer(410, { message: "subscription expired" });
      if (name.startsWith("missing-")) return answer(404, { message: "no such subscription" });
      if (name.startsWith("down-") || (flaky && list.length <= Number(flaky[1]))) {
        return answer(500, { message: "push service unavailable" });
      }
      answer(201, {}, { location: `https://push.example.test/messages/msg_${++ids}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("pushServerUrl", `http://127.0.0.1:${port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

declare module "vitest" {
  export interface ProvidedContext {
    pushServerUrl: string;
  }
}
