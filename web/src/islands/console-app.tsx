/**
 * The staff console at /admin: a client-rendered app (server sends only the shell) guarded by role. It holds
 * the one live feed socket, shows alerts as they arrive, and routes between the sections.
 */
import { useEffect, useState } from "preact/hooks";
import { type FeedEvent, publishFeed } from "../console/feed";
import { CONSOLE_BASE, linkClick } from "../console/router";
import { SECTIONS } from "../console/sections";
import { useScrollableTables } from "../console/use-scrollable-tables";
import { useViewAnnounce } from "../console/use-view-announce";
import { fetchMe, type User } from "../lib/api";
import { useLive } from "../lib/live";

type Alert = { id: string; text: string };

const ALERTING: Record<string, (e: FeedEvent) => string> = {
  OrderPlaced: (e) => `New order ${String(e.data.orderId).slice(-8)}`,
  LowStock: (e) => `Low stock: ${String(e.data.sku)} (${String(e.data.available)} left)`,
  OutOfStock: (e) => `Sold out: ${String(e.data.sku)}`,
  FraudCheckCompleted: (e) =>
    e.data.decision === "review" ? `Order ${String(e.data.orderId).slice(-8)} needs review` : "",
};

function currentPath(): string[] {
  return location.pathname.slice(CONSOLE_BASE.length).split("/").filter(Boolean);
}

export function ConsoleApp(_: Record<string, never>) {
  const [me, setMe] = useState<User | null | undefined>(undefined);
  const [path, setPath] = useState<string[]>(() => (typeof location === "undefined" ? [] : currentPath()));
  const [alerts, setAlerts] = useState<Alert[]>([]);

  useEffect(() => {
    fetchMe()
      .then((r) => setMe(r.user))
      .catch(() => setMe(null));
    const onPop = () => setPath(currentPath());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const staff = me && me.role !== "customer";
  const live = useLive(staff ? "/api/admin/live" : null, (msg) => {
    const m = msg as { type?: string; event?: FeedEvent };
    if (m.type !== "event" || !m.event) return;
    publishFeed(m.event);
    const text = ALERTING[m.event.type]?.(m.event);
    if (text) {
      const id = m.event.id;
      setAlerts((a) => [{ id, text }, ...a].slice(0, 5));
      setTimeout(() => setAlerts((a) => a.filter((x) => x.id !== id)), 8_000);
    }
  });

  const sections = SECTIONS.filter((s) => !s.adminOnly || me?.role === "admin");
  // A link to a section this account may not open, or to none at all, says so instead of showing another view.
  const requested = path[0] === undefined ? undefined : SECTIONS.find((s) => s.slug === path[0]);
  const refused = requested && !sections.includes(requested) ? requested : undefined;
  const unknown = path[0] !== undefined && !requested;
  const active = refused || unknown ? undefined : (requested ?? sections[0]);
  const title = refused ? `${refused.label} is for admins` : unknown ? "No such console page" : active?.label;
  const viewRef = useViewAnnounce(staff ? title : undefined, path.join("/"));
  useScrollableTables(viewRef, Boolean(staff));

  if (me === undefined) return <p aria-busy="true">Loading the console…</p>;
  if (me === null) {
    return (
      <p>
        Please <a href={`/account/login?next=${encodeURIComponent(CONSOLE_BASE)}`}>sign in</a> with a staff account.
      </p>
    );
  }
  if (!staff)
    return (
      <p>
        This console is for store staff. <a href="/account">Go to your account</a>.
      </p>
    );

  return (
    <div class="console" data-console-ready="1" data-live={live === "open" ? "1" : "0"}>
      <nav class="console-nav" aria-label="Console">
        {sections.map((s) => (
          <a
            key={s.slug}
            href={`${CONSOLE_BASE}/${s.slug}`}
            aria-current={s === active ? "page" : undefined}
            onClick={linkClick}
          >
            {s.label}
          </a>
        ))}
        <span class="muted live-dot" title={`Live updates: ${live}`}>
          {live === "open" ? "● live" : "○ reconnecting"}
        </span>
      </nav>
      <div class="console-alerts" aria-live="polite">
        {alerts.map((a) => (
          <p key={a.id} class="alert">
            {a.text}
          </p>
        ))}
      </div>
      <div class="console-page" ref={viewRef}>
        {active ? (
          <active.Page path={path.slice(1)} />
        ) : (
          <section aria-labelledby="console-refused-title" data-console-refused={refused ? "admin-only" : "unknown"}>
            <h1 id="console-refused-title">{title}</h1>
            <p>
              {refused
                ? `You are signed in as ${me.name}, a staff account. Only admins can open ${refused.label}; ask an admin if you need something changed there.`
                : `There is no console page at ${location.pathname}.`}
            </p>
            <p>
              <a href={`${CONSOLE_BASE}/${sections[0]?.slug ?? ""}`} onClick={linkClick}>
                Go to {sections[0]?.label ?? "the console"}
              </a>
            </p>
          </section>
        )}
      </div>
    </div>
  );
}
