/**
 * The HTML shell of every server-rendered page: head, header with navigation and cart, footer. The browser
 * bundle's content-hashed file names come from Vite's manifest (src/pages/assets.ts).
 *
 * The shell is the same for everyone: catalog pages are cached and shared, so who is signed in is asked by
 * the AccountMenu island in the browser, never rendered here.
 */
import type { ComponentChildren } from "preact";
import { Island } from "../../web/src/island";
import { entryAssets } from "./assets";
import { TestModeBanner } from "./test-mode";

type Props = { title: string; description?: string; children: ComponentChildren };

export function Layout({ title, description, children }: Props) {
  const assets = entryAssets();
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Bracelet Shop`}</title>
        {description ? <meta name="description" content={description} /> : null}
        {/* No favicon file: an empty data URL stops the browser asking for /favicon.ico on every page. */}
        <link rel="icon" href="data:," />
        {assets.css.map((href) => (
          <link key={href} rel="stylesheet" href={href} />
        ))}
        <script type="module" src={assets.js} />
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
            <a href="/subscribe">Monthly boxes</a>
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
