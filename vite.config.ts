import { defineConfig } from "vite";

// Builds the storefront and staff console islands (web/src) into dist/client, which wrangler serves as
// static assets. HTML is rendered by the Worker (src/pages).
export default defineConfig({
  publicDir: "web/public",
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
