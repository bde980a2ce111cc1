import { useEffect, useState } from "preact/hooks";
import { fetchMe, type User } from "../lib/api";

/**
 * The header's account links. Pages are cached for everyone, so the server always renders the signed-out
 * "Sign in"; once hydrated, GET /api/me says who is here and the links follow.
 */
export function AccountMenu(_: Record<string, never>) {
  const [user, setUser] = useState<User | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const abort = new AbortController();
    fetchMe(abort.signal)
      .then((me) => setUser(me.user))
      .catch(() => setUser(null))
      .finally(() => !abort.signal.aborted && setReady(true));
    return () => abort.abort();
  }, []);
  return (
    <span class="account-menu" data-ready={ready ? "true" : undefined}>
      {user ? (
        <>
          <a href="/account">My account</a>
          {user.role !== "customer" ? <a href="/admin">Console</a> : null}
        </>
      ) : (
        <a href="/account/login">Sign in</a>
      )}
    </span>
  );
}
