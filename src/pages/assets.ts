/**
 * The browser bundle's file names. Vite names every built file by its content hash (so a browser may keep it a
 * year: web/public/_headers marks /assets/* immutable) and writes a manifest of them; the pages read the names
 * from that manifest, fetched once per isolate from the static assets. HTML itself stays revalidated.
 *
 * `build` (the entry's hash) is part of the cache key of cached pages, so a page cached before a deploy is never
 * served with links to files that deploy removed.
 */

/** Where vite.config.ts writes the manifest, inside the assets directory. */
export const MANIFEST_PATH = "/asset-manifest.json";
const ENTRY = "web/src/main.tsx";
/** The /docs page's own script (its Try-it forms): a second entry, loaded by that page only. */
const DOCS_ENTRY = "web/src/docs/try-it.ts";

export type EntryAssets = { js: string; css: readonly string[]; build: string; docs: string };

/** Before the manifest is read, or when nothing was built (a bare `vitest run`): unhashed names, build "dev". */
const UNBUILT: EntryAssets = { js: "/assets/app.js", css: ["/assets/app.css"], build: "dev", docs: "/assets/docs.js" };

let current: EntryAssets = UNBUILT;
let loading: Promise<void> | null = null;

type ManifestChunk = { file: string; css?: string[] };

/** Reads the manifest once per isolate; a failure leaves the unhashed names and is retried by the next request. */
export function loadAssets(assets: Fetcher): Promise<void> {
  loading ??= (async () => {
    const res = await assets.fetch(new Request(`https://assets.invalid${MANIFEST_PATH}`));
    if (!res.ok) {
      loading = null;
      return;
    }
    const manifest = (await res.json()) as Record<string, ManifestChunk>;
    const entry = manifest[ENTRY];
    if (!entry) return;
    current = {
      js: `/${entry.file}`,
      css: (entry.css ?? []).map((f) => `/${f}`),
      build: entry.file.replace(/^.*-([\w-]+)\.js$/, "$1"),
      docs: manifest[DOCS_ENTRY] ? `/${manifest[DOCS_ENTRY].file}` : UNBUILT.docs,
    };
  })().catch(() => {
    loading = null;
  });
  return loading;
}

/** The storefront entry's script, its stylesheets, the build id and the /docs script, as the manifest names them. */
export const entryAssets = (): EntryAssets => current;
