/**
 * 405 for a path that exists under other methods: Hono answers any unmatched method with its not-found
 * handler, so the handler asks this table which methods the path does have. Built once from the app's
 * route list (middleware, registered as ALL, is left out).
 */
type RouteInfo = { method: string; path: string };

type Compiled = { method: string; pattern: RegExp };

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

function compile(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) => {
      if (segment === "*") return ".*";
      if (segment.startsWith(":")) return "[^/]+";
      return escapeRegExp(segment);
    })
    .join("/");
  return new RegExp(`^${source}/?$`);
}

export function methodTable(routes: readonly RouteInfo[]): (path: string) => string[] {
  let compiled: Compiled[] | null = null;
  return (path) => {
    compiled ??= routes.filter((r) => r.method !== "ALL").map((r) => ({ method: r.method, pattern: compile(r.path) }));
    const methods = new Set(compiled.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}
