/**
 * Islands: interactive parts of a server-rendered page. The Worker renders `<Island name props>` to HTML
 * (the component's markup inside a marked wrapper); web/src/main.tsx hydrates each wrapper in the browser with
 * the same component and props. Components must render the same on both sides: no `window` at render time
 * (read browser state in effects).
 */
import type { ComponentChildren } from "preact";
import type { IslandName, IslandProps } from "./islands";
import { SERVER_ISLANDS, type ServerIslandName } from "./islands/server";

type Props<N extends IslandName> = {
  name: N;
  props: IslandProps<N>;
  fallback?: ComponentChildren;
} & (N extends ServerIslandName
  ? {
      /** Render nothing on the server (an app that needs the browser); the client renders from scratch. */
      clientOnly?: boolean;
    }
  : // Only the storefront's islands are in the Worker's bundle (./islands/server): the others render client-side.
    { clientOnly: true });

export function Island<N extends IslandName>({ name, props, clientOnly, fallback }: Props<N>) {
  const Component = clientOnly
    ? null
    : (SERVER_ISLANDS[name as ServerIslandName] as unknown as (p: IslandProps<N>) => ComponentChildren);
  return (
    <div data-island={name} data-props={JSON.stringify(props)} data-client-only={clientOnly ? "1" : undefined}>
      {Component ? <Component {...props} /> : fallback}
    </div>
  );
}
