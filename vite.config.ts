import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

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
// static assets. HTML is rendered by the Worker (src/pages).
export default defineConfig({
  publicDir: "web/public",
  plugins: [scalarStandalone()],
  build: {
    outDir: "dist/client",
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: { app: "web/src/main.tsx" },
      output: {
        // Fixed names: the Worker's HTML links /assets/app.js and /assets/app.css without reading a manifest.
        entryFileNames: "assets/[name].js",
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name][extname]",
      },
    },
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
});
