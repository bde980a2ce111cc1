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
      storefrontEntry: "assets/app.js",
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
