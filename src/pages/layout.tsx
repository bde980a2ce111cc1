/**
 * The HTML shell of every server-rendered page: head, header with navigation and cart, footer. Vite builds the
 * browser bundle to fixed names (/assets/app.js, /assets/app.css); see vite.config.ts.
 */
import type { ComponentChildren } from "preact";
import { Island } from "../../web/src/island";
import type { SessionUser } from "../http/app-env";

type Props = { title: string; description?: string; user?: SessionUser | null; children: ComponentChildren };

export function Layout({ title, description, user, children }: Props) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Bracelet Shop`}</title>
        {description ? <meta name="description" content={description} /> : null}
        <link rel="stylesheet" href="/assets/app.css" />
        <script type="module" src="/assets/app.js" />
      </head>
      <body>
        <a class="visually-hidden" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <a class="brand" href="/">
            Bracelet Shop
          </a>
          <nav aria-label="Main">
            <a href="/">Catalog</a>
            {user ? <a href="/account">My account</a> : <a href="/account/login">Sign in</a>}
            {user && user.role !== "customer" ? <a href="/admin">Console</a> : null}
            <Island name="CartCount" props={{}} />
          </nav>
        </header>
        <main id="main">{children}</main>
        <footer class="site-footer">Handmade bracelets, shipped from our workshop.</footer>
      </body>
    </html>
  );
}
