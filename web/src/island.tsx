/**
 * Islands: interactive parts of a server-rendered page. The Worker renders `<Island name props>` to HTML
 * (the component's markup inside a marked wrapper); web/src/main.tsx hydrates each wrapper in the browser with
 * the same component and props. Components must render the same on both sides: no `window` at render time
 * (read browser state in effects).
 */
import type { ComponentChildren } from "preact";
import { ISLANDS, type IslandName, type IslandProps } from "./islands";

type Props<N extends IslandName> = {
  name: N;
  props: IslandProps<N>;
  /** Render nothing on the server (a console app that needs the browser); the client renders from scratch. */
  clientOnly?: boolean;
  fallback?: ComponentChildren;
};

export function Island<N extends IslandName>({ name, props, clientOnly, fallback }: Props<N>) {
  const Component = ISLANDS[name] as (p: IslandProps<N>) => ComponentChildren;
  return (
    <div data-island={name} data-props={JSON.stringify(props)} data-client-only={clientOnly ? "1" : undefined}>
      {clientOnly ? fallback : <Component {...props} />}
    </div>
  );
}
