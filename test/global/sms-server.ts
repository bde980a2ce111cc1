/**
 * Vitest globalSetup (Node side): a local SMS provider of Twilio's shape, so the SMS adapter is tested against a
 * real HTTP server. Tests reach it at `inject("smsServerUrl")` (TWILIO_API_BASE).
 *
 * - `POST /2010-04-01/Accounts/<sid>/Messages.json` (form-encoded To, From, Body; basic auth) records the request
 *   and answers 201 `{sid}`. A `To` ending in 0500 always gets 500.
 * - `GET /requests?to=<number>` lists what was received for that number (path, headers, form fields).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

type Received = {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  form: Record<string, string>;
};

export default async function setup(project: TestProject) {
  const received = new Map<string, Received[]>();
  let ids = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && url.pathname === "/requests") {
      answer(200, received.get(url.searchParams.get("to") ?? "") ?? []);
      return;
    }
    if (req.method !== "POST" || !/^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(url.pathname)) {
      answer(404, { message: "The requested resource was not found" });
      return;
    }
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      const form = Object.fromEntries(new URLSearchParams(raw));
      const to = form.To ?? "";
      const list = received.get(to) ?? [];
      list.push({ path: url.pathname, headers: req.headers, form });
      received.set(to, list);
      if (to.endsWith("0500")) return answer(500, { message: "provider unavailable" });
      answer(201, { sid: `SM${String(++ids).padStart(32, "0")}`, status: "queued" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("smsServerUrl", `http://127.0.0.1:${port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

declare module "vitest" {
  export interface ProvidedContext {
    smsServerUrl: string;
  }
}
