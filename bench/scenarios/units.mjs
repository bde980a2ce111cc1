// Scenario 0: what each platform step costs on this machine, measured on the baseline Worker (closed loop, 50
// connections): a bare request, a call to an existing Durable Object, a D1 write and read, a queue message sent
// and consumed, and a call that creates a new Durable Object. The shop's figures are sums of these steps plus
// its own JavaScript; bench/README.md counts the steps of a checkout and of a refusal.
import { request } from "../http.mjs";
import { closedLoop, fmt, measureCpu } from "../lib.mjs";

const STEPS = [
  { path: "/static", method: "GET", what: "a request answered with a constant JSON body" },
  { path: "/take", method: "POST", what: "+ one call to an existing object (one SQLite update)" },
  { path: "/write", method: "POST", what: "+ one D1 insert" },
  { path: "/read", method: "GET", what: "+ one D1 read" },
  { path: "/queue", method: "POST", what: "+ one queue message, sent and consumed" },
  { path: "/fresh", method: "POST", what: "+ one call that creates a new object" },
];

export async function units({ baseline, durationMs }) {
  const measured = [];
  for (const step of STEPS) {
    const run = await measureCpu(
      baseline.child.pid,
      () =>
        closedLoop({
          connections: 50,
          durationMs,
          warmup: 20,
          request: () => request(`${baseline.base}${step.path}`, { method: step.method }),
        }),
      { settleMs: 3_000 },
    );
    const answered = Object.values(run.result.statuses).reduce((a, b) => a + b, 0) + 20;
    measured.push({ ...step, rps: run.result.rps, cpuMs: run.cpuMs / answered });
  }
  const bare = measured[0]?.cpuMs ?? 0;
  return {
    rows: measured.map((m, i) => ({
      step: `${m.method} ${m.path}`,
      what: m.what,
      "req/s": fmt(m.rps, 0),
      "CPU ms / request": fmt(m.cpuMs, 2),
      "CPU ms of the step": i === 0 ? "" : fmt(m.cpuMs - bare, 2),
    })),
    raw: measured,
  };
}
