import { useEffect, useRef } from "preact/hooks";

/**
 * Focuses the page's <h1> (rendered with tabIndex -1) when a page of the app appears, so keyboard and screen
 * reader users start at the new content after a client-side navigation instead of on a link that is gone.
 */
export function useHeadingFocus<T extends HTMLElement = HTMLHeadingElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}
