/** Client-side navigation inside /admin: links push history entries; the app re-renders on popstate. */
export const CONSOLE_BASE = "/admin";

export function navigate(path: string): void {
  history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

/** onClick for an <a href> that should stay inside the single-page console (modifier clicks open a tab). */
export function linkClick(e: MouseEvent): void {
  const a = e.currentTarget as HTMLAnchorElement;
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute("href") ?? CONSOLE_BASE);
}
