/**
 * Vitest globalSetup (Node side): a local HTTP e-mail provider of Resend's shape, so the HTTP e-mail adapter
 * is tested against a real server rather than a mock of our code. Tests reach it at `inject("mailServerUrl")`.
 *
 * - `POST /emails` records the request and answers `{id}`. Recipients script failures by their local part:
 *   `flaky<N>-…@…` gets 500 for its first N requests, `down-…@…` always gets 500.
 * - `GET /requests?to=<address>` lists what was received for that recipient (headers and JSON body).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

/** `seq` counts every request the server received, across recipients, so tests can check sending order. */
type Received = { seq: number; headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> };

export default async function setup(project: TestProject) {
  const received = new Map<string, Received[]>();
  let ids = 0;
  let seq = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && url.pathname === "/requests") {
      send(200, received.get(url.searchParams.get("to") ?? "") ?? []);
      return;
    }
    if (req.method !== "POST" || url.pathname !== "/emails") {
      send(404, { message: "not found" });
      return;
    }
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      const body = JSON.parse(raw) as { to?: string[] };
      const to = body.to?.[0] ?? "";
      const list = received.get(to) ?? [];
      list.push({ seq: ++seq, headers: req.headers, body });
      received.set(to, list);
      const local = to.split("@")[0] ?? "";
      const flaky = /^flaky(\d+)-/.exec(local);
      if (local.startsWith("down-") || (flaky && list.length <= Number(flaky[1]))) {
        send(500, { message: "provider unavailable" });
        return;
      }
      send(200, { id: `em_${++ids}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("mailServerUrl", `http://127.0.0.1:${port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

declare module "vitest" {
  export interface ProvidedContext {
    mailServerUrl: string;
  }
}
