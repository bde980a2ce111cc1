import { defineConfig } from "vite";

// Builds the storefront and staff console islands (web/src) into dist/client, which wrangler serves as
// static assets. HTML is rendered by the Worker (src/pages).
export default defineConfig({
  publicDir: "web/public",
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
