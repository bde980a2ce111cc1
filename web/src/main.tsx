// Browser entry: hydrates every island the server rendered (see web/src/island.tsx).
import { hydrate, render } from "preact";
import { ISLANDS, type IslandName } from "./islands";
import "./styles.css";
import "./console/console.css";
import "./account/account.css";
import "./order/order.css";

for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const name = el.dataset.island as IslandName;
  const Component = ISLANDS[name] as ((props: object) => preact.ComponentChildren) | undefined;
  if (!Component) continue;
  const props = JSON.parse(el.dataset.props ?? "{}");
  if (el.dataset.clientOnly) render(<Component {...props} />, el);
  else hydrate(<Component {...props} />, el);
}
