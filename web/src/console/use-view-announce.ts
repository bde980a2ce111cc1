import { useEffect, useRef } from "preact/hooks";

/**
 * Makes a console view change something a screen reader notices: the document title names the view, and after a
 * client-side switch (not on the first load) focus moves to the view's first heading, which may render only once
 * the view's data arrives, so it is awaited for a moment.
 */
export function useViewAnnounce(label: string | undefined, viewKey: string) {
  const container = useRef<HTMLDivElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (!label) return;
    document.title = `${label} · Console · Bracelet Shop`;
    if (first.current) {
      first.current = false;
      return;
    }
    const root = container.current;
    if (!root) return;
    const focusHeading = () => {
      const heading = root.querySelector<HTMLElement>("h1, h2");
      if (!heading) return false;
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus();
      return true;
    };
    if (focusHeading()) return;
    const observer = new MutationObserver(() => focusHeading() && observer.disconnect());
    observer.observe(root, { childList: true, subtree: true });
    const stop = setTimeout(() => observer.disconnect(), 3_000);
    return () => {
      observer.disconnect();
      clearTimeout(stop);
    };
  }, [label, viewKey]);
  return container;
}
