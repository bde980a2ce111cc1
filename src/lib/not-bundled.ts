/**
 * Stands in for packages the Worker must not bundle (wrangler.toml `[alias]`). hono-openapi converts schemas
 * through @standard-community/standard-json, which `import()`s a converter for each schema library it knows;
 * esbuild inlines every such import it can resolve, and zod is installed (by other tools), so 725 KB of zod
 * would ride in the Worker although every schema here is valibot. Importing this fails, as a missing package
 * would, and standard-json turns that into its own "missing dependency" error.
 */
throw new Error("not bundled into the Worker: the shop's schemas are valibot (wrangler.toml [alias])");
