/**
 * The customer account at /account: sign in, sign up, and the signed-in person's own page. Client-rendered
 * (the server sends only the never-cached shell); routes change with history.pushState, and the account page
 * sends anyone who is not signed in to the sign-in page with `?next=` pointing back.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import { AccountHome } from "../account/home";
import { LoginPage } from "../account/login";
import { type AccountRoute, loginPath, navigate, routeOf, safeNext } from "../account/router";
import { SignupPage } from "../account/signup";
import type { User } from "../account/types";
import { useHeadingFocus } from "../account/use-heading-focus";
import { fetchMe } from "../lib/api";

type Here = { route: AccountRoute; next: string | null; path: string };

function readLocation(): Here {
  return {
    route: routeOf(location.pathname),
    next: new URLSearchParams(location.search).get("next"),
    path: location.pathname + location.search,
  };
}

function NotFound() {
  const heading = useHeadingFocus();
  return (
    <section aria-labelledby="account-missing-title">
      <h1 id="account-missing-title" tabIndex={-1} ref={heading}>
        Page not found
      </h1>
      <p>
        There is nothing here. Go to <a href="/account">your account</a> or <a href="/">the shop</a>.
      </p>
    </section>
  );
}

export function AccountApp(_: Record<string, never>) {
  const [here, setHere] = useState<Here | null>(null);
  const [me, setMe] = useState<User | null | undefined>(undefined);

  useEffect(() => {
    setHere(readLocation());
    const onPop = () => setHere(readLocation());
    window.addEventListener("popstate", onPop);
    fetchMe()
      .then((r) => setMe(r.user))
      .catch(() => setMe(null));
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const toLogin = useCallback(() => {
    setMe(null);
    navigate(loginPath(location.pathname + location.search + location.hash), { replace: true });
  }, []);

  const route = here?.route;
  useEffect(() => {
    if (me === undefined || !here) return;
    if (me === null && route === "home") navigate(loginPath(here.path), { replace: true });
    // Signed in already: the sign-in and sign-up pages have nothing to do, go where they would have led.
    else if (me && (route === "login" || route === "signup")) location.replace(safeNext(here.next));
  }, [me, here, route]);

  if (!here || me === undefined) return <p aria-busy="true">Loading your account…</p>;
  const body = (() => {
    switch (here.route) {
      case "login":
        return me ? null : <LoginPage next={here.next} />;
      case "signup":
        return me ? null : <SignupPage next={here.next} />;
      case "home":
        return me ? <AccountHome onSignedOut={toLogin} /> : null;
      default:
        return <NotFound />;
    }
  })();
  return (
    <div class="account-app" data-account-app-ready={body ? "1" : undefined}>
      {body ?? <p aria-busy="true">Loading your account…</p>}
    </div>
  );
}
