/**
 * The HTML shell of every server-rendered page: head, header with navigation and cart, footer. Vite builds the
 * browser bundle to fixed names (/assets/app.js, /assets/app.css); see vite.config.ts.
 *
 * The shell is the same for everyone: catalog pages are cached and shared, so who is signed in is asked by
 * the AccountMenu island in the browser, never rendered here.
 */
import type { ComponentChildren } from "preact";
import { Island } from "../../web/src/island";
import { TestModeBanner } from "./test-mode";

type Props = { title: string; description?: string; children: ComponentChildren };

export function Layout({ title, description, children }: Props) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Bracelet Shop`}</title>
        {description ? <meta name="description" content={description} /> : null}
        {/* No favicon file: an empty data URL stops the browser asking for /favicon.ico on every page. */}
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/assets/app.css" />
        <script type="module" src="/assets/app.js" />
      </head>
      <body>
        <a class="visually-hidden skip-link" href="#main">
          Skip to content
        </a>
        <TestModeBanner />
        <header class="site-header">
          <a class="brand" href="/">
            Bracelet Shop
          </a>
          <nav aria-label="Main">
            <a href="/">Catalog</a>
            <Island name="AccountMenu" props={{}} />
            <Island name="CartCount" props={{}} />
          </nav>
        </header>
        <main id="main">{children}</main>
        <footer class="site-footer">Handmade bracelets, shipped from our workshop.</footer>
      </body>
    </html>
  );
}
