// Shared pieces of the benchmarks: servers started on loopback, load loops, percentiles, tables.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { wranglerSpawn } from "../scripts/wrangler.mjs";
import { request } from "./http.mjs";

export async function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `wrangler dev`'s local observability (on by default) streams a trace of every request, D1 query and object
 * call to a collector Worker that stores them: about an eighth of the shop's CPU in a `perf` profile of a
 * checkout, and it switches on the span wrappers in D1's client. Production has no such collector (Workers
 * Logs run outside the Worker's thread), so benchmarks run without it, the baseline as well as the shop.
 */
export const DEV_ONLY_OFF = { X_LOCAL_OBSERVABILITY: "false" };

/**
 * Where a benchmark keeps its local D1 and Durable Object state: memory (tmpfs) when the machine has it. On
 * this VM's disk every SQLite commit is an fsync through the hypervisor (a tenth of a checkout's CPU, kernel
 * and libc, in `perf`); production storage is not this disk. Both servers of a run use it.
 */
export function stateRoot() {
  return existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
}

/**
 * Where the shop's e-mail goes under the bench. `wrangler dev` simulates the `send_email` binding locally, and the
 * simulation is heavy: for each message it builds and parses the MIME text for its local explorer, stores it in
 * a Durable Object of its own and writes two temp files and a log line through wrangler's Node process, all of it
 * in the workerd processes the bench reads CPU from. A checkout sends two e-mails; an A/B of the same code with
 * and without the simulation measured it at 6–9 ms of a 40–54 ms checkout (bench/README.md, round seven).
 * Production has none of it: the binding is a call to Cloudflare's e-mail service. So the shop sends its e-mail
 * through its HTTP provider adapter (`EMAIL_PROVIDER = "resend"`, src/adapters/channels/email-http.ts) to this
 * sink, which answers as the provider does: one subrequest per message, what an e-mail provider costs the
 * Worker. Returns the `--var`s that point the shop at it.
 */
export async function emailSink() {
  // In a thread of its own, as a provider is a machine of its own: on the load generator's event loop, a sale's
  // thousand sockets delayed its answers by seconds, and the queue batch waiting on them held every payment
  // behind it (`wrangler dev` runs one queue batch at a time).
  const thread = new Worker(SINK_THREAD, { eval: true });
  const port = await new Promise((resolve, reject) => {
    thread.once("message", resolve);
    thread.once("error", reject);
  });
  return {
    vars: { EMAIL_PROVIDER: "resend", EMAIL_API_URL: `http://127.0.0.1:${port}`, EMAIL_API_KEY: "bench" },
    close: () => thread.terminate(),
  };
}

const SINK_THREAD = `
const { parentPort } = require("node:worker_threads");
const { createServer } = require("node:http");
let received = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    received++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id: "bench-" + received }));
  });
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
`;

/** Starts `wrangler dev` for a config on a free loopback port and waits until `readyPath` answers. */
export async function startDev({ config, persist, readyPath = "/", label, vars = {} }) {
  const port = await freePort();
  const args = ["dev", "--port", String(port), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"];
  if (config) args.push("--config", config);
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  if (persist) args.push("--persist-to", persist);
  const child = wranglerSpawn(args, { stdio: ["ignore", "pipe", "pipe"], env: DEV_ONLY_OFF });
  let log = "";
  child.stdout.on("data", (d) => {
    log += d;
  });
  child.stderr.on("data", (d) => {
    log += d;
  });
  const base = `http://127.0.0.1:${port}`;
  // Generous: on a busy 2-core machine, building and starting workerd can take minutes.
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      const res = await fetch(base + readyPath);
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${label} did not start:\n${log.slice(-2000)}`);
    }
    await sleep(250);
  }
  const direct = await directBase(child.pid, port, readyPath);
  return {
    /** The Worker itself, past wrangler's dev proxy (which production does not have); `base` if not found. */
    base: direct ?? base,
    /** Through wrangler's dev proxy, as a browser on `wrangler dev` reaches it. */
    proxied: base,
    child,
    log: () => log,
    stop: async () => {
      child.kill("SIGTERM");
      await sleep(500);
    },
  };
}

/**
 * `wrangler dev` answers on its port through a proxy Worker in a second workerd process, which buffers requests
 * across reloads and costs about as much CPU per request as a small Worker. Production has no such hop, so the
 * benchmarks talk to the user Worker's own socket: a listening port of a workerd under `wrangler dev`, other
 * than the public one, that answers `readyPath` with 200. Null when none is found (then the proxy is used).
 */
async function directBase(rootPid, publicPort, readyPath) {
  const inodes = new Map();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A") inodes.set(f[9], Number.parseInt(f[1].split(":")[1], 16));
    }
  }
  const ports = [];
  for (const pid of treePids(rootPid)) {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, "utf8").startsWith("workerd")) continue;
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        const port = m && inodes.get(m[1]);
        if (port && port !== publicPort && !ports.includes(port)) ports.push(port);
      }
    } catch {
      // exited, or not ours to read
    }
  }
  for (const port of ports) {
    try {
      const res = await request(`http://127.0.0.1:${port}${readyPath}`);
      if (res.status === 200) return `http://127.0.0.1:${port}`;
    } catch {
      // not an HTTP listener
    }
  }
  return null;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const median = (values) => percentile(values, 50);

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight; returns the results in order. */
export async function pool(n, concurrency, task) {
  const results = new Array(n);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, concurrency) }, async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Closed-loop load: `connections` loops each send `request()` back to back for `durationMs`. Returns
 * requests/s, latency percentiles (ms) and every latency, status counts and how many answers carried
 * `X-Cache: HIT`.
 */
export async function closedLoop({ connections, durationMs, request, warmup = 200 }) {
  for (let i = 0; i < warmup; i++) await (await request()).arrayBuffer();
  const latencies = [];
  const statuses = {};
  let hits = 0;
  let errors = 0;
  const end = performance.now() + durationMs;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const res = await request();
          await res.arrayBuffer();
          latencies.push(performance.now() - t0);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.headers.get("x-cache") === "HIT") hits++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return {
    requests: latencies.length,
    seconds,
    latencies,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    statuses,
    hitRatio: latencies.length ? hits / latencies.length : 0,
    errors,
  };
}

/** Resident memory (MiB) of a process and all its descendants (wrangler → workerd). */
export function treeRssMiB(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const kids = execFileSync("pgrep", ["-P", String(pids[i])], { encoding: "utf8" })
        .split("\n")
        .filter(Boolean);
      pids.push(...kids.map(Number));
    } catch {
      // no children
    }
  }
  let kb = 0;
  for (const p of pids) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) kb += Number(m[1]);
    } catch {
      // exited
    }
  }
  return kb / 1024;
}

export const fmt = (n, digits = 1) =>
  typeof n === "number" && Number.isFinite(n) ? n.toFixed(digits) : n === undefined ? "" : String(n);

/** A scenario's table as aligned text (terminal) and GitHub Markdown (results file). */
export function renderTable(title, columns, rows) {
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? "")));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (vals) => vals.map((v, i) => v.padEnd(widths[i])).join("  ");
  const text = [`\n${title}`, line(columns), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join(
    "\n",
  );
  const md = [
    `### ${title}`,
    "",
    `| ${columns.join(" | ")} |`,
    `| ${columns.map(() => "---").join(" | ")} |`,
    ...cells.map((r) => `| ${r.join(" | ")} |`),
    "",
  ].join("\n");
  return { text, md };
}

/** Every pid in the process tree under `pid` (itself included). */
export function treePids(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const kids = execFileSync("pgrep", ["-P", String(pids[i])], { encoding: "utf8" })
        .split("\n")
        .filter(Boolean);
      pids.push(...kids.map(Number));
    } catch {
      // no children
    }
  }
  return pids;
}

/** Clock ticks per second of /proc's utime/stime (USER_HZ; 100 on Linux). */
const TICKS_PER_S = 100;

/**
 * CPU time (ms, user + system, all threads) consumed so far by the `workerd` processes under `rootPid`: the
 * Worker, every Durable Object, the local D1 and the queue all run in them. Read from /proc/<pid>/stat.
 */
export function workerdCpuMs(rootPid) {
  let ticks = 0;
  for (const p of treePids(rootPid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      // comm is in parentheses and may hold spaces; the fields after it are space-separated.
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      if (!comm.startsWith("workerd")) continue;
      const fields = stat.slice(close + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      // exited
    }
  }
  return (ticks * 1000) / TICKS_PER_S;
}

/**
 * Measures the workerd CPU a piece of work costs, including the background work it wakes (queue consumers,
 * outbox flushes): reads the counter before, runs `work`, then waits until the processes are idle again
 * (two consecutive 250 ms windows under 20 ms of CPU, at most `settleMs`) before reading it again.
 */
export async function measureCpu(rootPid, work, { settleMs = 10_000 } = {}) {
  const before = workerdCpuMs(rootPid);
  const result = await work();
  const deadline = performance.now() + settleMs;
  let quiet = 0;
  let last = workerdCpuMs(rootPid);
  while (quiet < 2 && performance.now() < deadline) {
    await sleep(250);
    const now = workerdCpuMs(rootPid);
    quiet = now - last < 20 ? quiet + 1 : 0;
    last = now;
  }
  return { result, cpuMs: last - before, settled: quiet >= 2 };
}

const runStart = performance.now();
/** One progress line (seconds since the run started), so a long run is never silent. */
export function progress(message) {
  console.log(`[${((performance.now() - runStart) / 1000).toFixed(1).padStart(6)} s] ${message}`);
}
