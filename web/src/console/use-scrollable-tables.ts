import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";

/**
 * On a phone, console tables wider than the screen scroll sideways inside their own box (console.css). A box
 * that scrolls must be reachable by keyboard (WCAG 2.1.1; axe's scrollable-region-focusable), so each table that
 * overflows now gets `tabindex="0"` (arrow keys then scroll it), and loses it when it fits again. Views render
 * their tables whenever their data arrives, so the check runs after every change under `root` and on resize.
 */
export function useScrollableTables(root: RefObject<HTMLElement | null>, active: boolean): void {
  useEffect(() => {
    const el = root.current;
    if (!active || !el) return;
    let frame = 0;
    const mark = () => {
      frame = 0;
      for (const table of el.querySelectorAll<HTMLElement>("table.data")) {
        if (table.scrollWidth > table.clientWidth + 1) table.tabIndex = 0;
        else table.removeAttribute("tabindex");
      }
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(mark);
    };
    // Only added or removed nodes and text: the tabindex written by `mark` is an attribute and does not loop.
    const observer = new MutationObserver(schedule);
    observer.observe(el, { childList: true, subtree: true, characterData: true });
    window.addEventListener("resize", schedule);
    schedule();
    return () => {
      observer.disconnect();
      window.removeEventListener("resize", schedule);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [root, active]);
}
