/**
 * Client-side routes of the account app under /account. Links push history entries and the app re-renders on
 * popstate; paths that leave /account (the shop, the console, an order page) are ordinary page loads.
 */
export const ACCOUNT_BASE = "/account";

export type AccountRoute = "home" | "login" | "signup" | "not-found";

export function routeOf(pathname: string): AccountRoute {
  const rest = pathname.slice(ACCOUNT_BASE.length).replace(/\/+$/, "");
  // The monthly boxes and one box's card form (linked from e-mails) are sections of the account page.
  if (rest === "" || rest === "/subscriptions" || /^\/subscriptions\/[^/]+\/card$/.test(rest)) return "home";
  if (rest === "/login") return "login";
  if (rest === "/signup") return "signup";
  return "not-found";
}

/** Moves to another /account path without a page load (`replace` for redirects: no history entry). */
export function navigate(path: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

/** onClick for an <a href> inside /account (modifier clicks still open a new tab). */
export function linkClick(e: MouseEvent): void {
  const a = e.currentTarget as HTMLAnchorElement;
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute("href") ?? ACCOUNT_BASE);
}

/**
 * Where to go after signing in: `next` when it is a path on this site ("/…" but not "//…", which a browser
 * reads as another host, and no backslash, which some browsers treat as a slash), else the account page.
 * The sign-in and sign-up pages themselves are never a destination.
 */
export function safeNext(next: string | null): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.includes("\\")) return ACCOUNT_BASE;
  // Control characters (a tab or newline inside "/\t/evil.example") are stripped by URL parsers.
  if ([...next].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return ACCOUNT_BASE;
  const { pathname } = new URL(next, "https://shop.invalid");
  if (pathname.startsWith(`${ACCOUNT_BASE}/`) && ["login", "signup"].includes(routeOf(pathname))) return ACCOUNT_BASE;
  return next;
}

/** The sign-in page that comes back to `here` afterwards. */
export function loginPath(here: string): string {
  return `${ACCOUNT_BASE}/login?next=${encodeURIComponent(here)}`;
}
