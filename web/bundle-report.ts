/**
 * A Vite plugin that prints what each page downloads and fails the build if the storefront's JS (the `app`
 * entry and its static imports: what every shopper's page loads) contains code of the page apps that must stay
 * in their own chunks (staff console, account, checkout, the chart library), or weighs more than its gzip budget
 * (what the catalog and product pages download).
 */
import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";

type Chunk = {
  type: "chunk";
  fileName: string;
  code: string;
  imports: string[];
  moduleIds: string[];
  isEntry: boolean;
  name: string;
};

export function bundleReport(opts: {
  /** The entry's chunk name (its file name carries a content hash). */
  storefrontEntry: string;
  forbidden: Record<string, RegExp>;
  /** The most the storefront's JS may weigh, gzipped. */
  storefrontBudgetGzip: number;
}): Plugin {
  return {
    name: "bundle-report",
    apply: "build",
    generateBundle(_options, bundle) {
      const chunks = new Map<string, Chunk>();
      for (const item of Object.values(bundle)) if (item.type === "chunk") chunks.set(item.fileName, item as Chunk);
      const staticClosure = (start: Chunk): Chunk[] => {
        const seen = new Map<string, Chunk>();
        const walk = (c: Chunk) => {
          if (seen.has(c.fileName)) return;
          seen.set(c.fileName, c);
          for (const f of c.imports) {
            const next = chunks.get(f);
            if (next) walk(next);
          }
        };
        walk(start);
        return [...seen.values()];
      };
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
      const size = (list: Chunk[]) => list.reduce((n, c) => n + Buffer.byteLength(c.code), 0);
      const lines = ["JS each page loads (the chunk with its static imports, before gzip):"];
      for (const c of [...chunks.values()].sort((a, b) => a.fileName.localeCompare(b.fileName))) {
        const closure = staticClosure(c);
        const label = c.isEntry ? "entry" : "chunk";
        lines.push(
          `  ${label} ${c.fileName.padEnd(44)} ${kb(Buffer.byteLength(c.code)).padStart(9)}  with imports ${kb(size(closure))}`,
        );
      }
      const entry = [...chunks.values()].find((c) => c.isEntry && c.name === opts.storefrontEntry);
      if (!entry) return this.error(`bundle-report: no entry chunk ${opts.storefrontEntry}`);
      const storefront = staticClosure(entry);
      const gzipped = storefront.reduce((n, c) => n + gzipSync(c.code, { level: 9 }).byteLength, 0);
      lines.push(
        `Storefront JS (${entry.fileName} and its static imports): ${kb(size(storefront))}, ${kb(gzipped)} gzip` +
          ` (budget ${kb(opts.storefrontBudgetGzip)} gzip)`,
      );
      console.log(lines.join("\n"));
      const leaks = storefront.flatMap((c) =>
        // Only code counts: the account and order pages' styles stay in app.css, since those pages render on the server.
        c.moduleIds
          .filter((id) => !/\.css($|\?)/.test(id))
          .flatMap((id) =>
            Object.entries(opts.forbidden)
              .filter(([, re]) => re.test(id))
              .map(([what]) => `${what}: ${id}`),
          ),
      );
      if (gzipped > opts.storefrontBudgetGzip) {
        this.error(
          `The storefront's JS is ${kb(gzipped)} gzip, over its budget of ${kb(opts.storefrontBudgetGzip)}: move code behind a dynamic import`,
        );
      }
      if (leaks.length > 0) {
        this.error(`The storefront bundle includes code that belongs in its own chunk:\n  ${leaks.join("\n  ")}`);
      }
    },
  };
}
