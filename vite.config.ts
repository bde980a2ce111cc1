import { defineConfig } from "vite";
import { bundleReport } from "./web/bundle-report";

// Builds the storefront and staff console islands (web/src) into dist/client, which wrangler serves as
// static assets. HTML is rendered by the Worker (src/pages). The page apps (console, account, checkout, order)
// are chunks of their own loaded by the page that mounts them (web/src/client-islands.ts); the build prints
// each chunk's size and fails if the storefront's JS takes any of them in.
export default defineConfig({
  publicDir: "web/public",
  plugins: [
    bundleReport({
      storefrontEntry: "app",
      // What the catalog and product pages load (issue #15: at most 20 KB gzip).
      storefrontBudgetGzip: 20 * 1024,
      forbidden: {
        console: /\/web\/src\/(console\/|islands\/console-app)/,
        account: /\/web\/src\/(account\/|islands\/account-app)/,
        checkout: /\/web\/src\/(checkout\/|islands\/checkout-app)/,
        chart: /\/node_modules\/uplot\//,
      },
    }),
  ],
  build: {
    outDir: "dist/client",
    emptyOutDir: true,
    // No source maps in the build: they would be served publicly with the whole source (SOURCEMAP=1 for debugging).
    sourcemap: process.env.SOURCEMAP === "1",
    // Content-hashed names everywhere; the Worker reads the entry's names from this manifest (src/pages/assets.ts).
    manifest: "asset-manifest.json",
    rollupOptions: {
      // docs: the Try-it forms of /docs (src/pages/api-reference.tsx), loaded by that page only.
      input: { app: "web/src/main.tsx", docs: "web/src/docs/try-it.ts" },
      output: {
        entryFileNames: "assets/[name]-[hash].js",
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
});
