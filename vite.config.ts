import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { bundleReport } from "./web/bundle-report";

/**
 * Scalar's standalone script for /docs, copied from node_modules into the build (the content security policy
 * allows scripts from our own origin only, so it cannot come from a CDN). The Worker links SCALAR_SCRIPT.
 */
function scalarStandalone(): Plugin {
  // The package's `browser` entry; not in its `exports`, so named by path.
  const file = fileURLToPath(new URL("node_modules/@scalar/api-reference/dist/browser/standalone.js", import.meta.url));
  return {
    name: "scalar-standalone",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "assets/scalar/standalone.js", source: readFileSync(file) });
    },
  };
}

// Builds the storefront and staff console islands (web/src) into dist/client, which wrangler serves as
// static assets. HTML is rendered by the Worker (src/pages). The page apps (console, account, checkout, order)
// are chunks of their own loaded by the page that mounts them (web/src/client-islands.ts); the build prints
// each chunk's size and fails if the storefront's JS takes any of them in.
export default defineConfig({
  publicDir: "web/public",
  plugins: [
    scalarStandalone(),
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
      input: { app: "web/src/main.tsx" },
      output: {
        entryFileNames: "assets/[name]-[hash].js",
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
});
