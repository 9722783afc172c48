// Bundles the built CLI (dist/src/cli/run.js) into dist/bundle/cli/: a command line that
// answers at once. Node 20 loads ES modules one file at a time (kysely alone is 263 files,
// 130 ms), so the unbundled CLI spent most of its start resolving and reading files; bundled,
// `urls` starts in about 2.5× a bare `node -e 0` instead of 6×. Each command stays a chunk of
// its own, loaded when it runs, so `urls` still never loads Koa or nodemailer.
//
// Kept out of the bundle: better-sqlite3 (a native addon) and zod, which drivers import through
// dist/src/drivers/api.js: one zod for the engine and its drivers. dist/bundle/cli/ is two
// folders under dist/, as dist/src/drivers/ is, so the registry's `../../drivers` is dist/drivers.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/run.js'],
  outdir: 'dist/bundle/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'zod'],
  // Bundled CommonJS packages (pino, koa, …) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});
