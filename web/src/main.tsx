// Browser entry: hydrates every island the server rendered (see web/src/island.tsx). Page apps come from their
// own chunks (web/src/client-islands.ts), so this file and what it imports statically are the storefront's JS.
import { hydrate, render } from "preact";
import { type AnyIsland, islandComponent } from "./client-islands";
import "./styles.css";
import "./account/account.css";
import "./order/order.css";

function mount(el: HTMLElement, Component: AnyIsland): void {
  const props = JSON.parse(el.dataset.props ?? "{}");
  if (el.dataset.clientOnly) render(<Component {...props} />, el);
  else hydrate(<Component {...props} />, el);
}

for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const found = islandComponent(el.dataset.island ?? "");
  if (!found) continue;
  if (found instanceof Promise) {
    found.then(
      (Component) => mount(el, Component),
      (err) => console.error("could not load", el.dataset.island, err),
    );
  } else mount(el, found);
}
