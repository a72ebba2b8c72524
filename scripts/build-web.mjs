// Builds the web portals (web/) into dist/web: one esbuild bundle per page, and the static HTML and CSS beside it.
// Everything a page needs is served by the product itself: no fonts, scripts or styles come from the internet.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'web');
fs.rmSync(out, { recursive: true, force: true });
fs.cpSync(path.join(root, 'web', 'public'), out, { recursive: true });
const started = Date.now();
const result = await build({
  entryPoints: { voter: 'web/src/voter/main.tsx', manage: 'web/src/voter/manage-main.tsx', staff: 'web/src/staff/main.tsx' },
  absWorkingDir: root,
  outdir: path.join(out, 'assets'),
  bundle: true,
  format: 'esm',
  splitting: true,
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith('.js')).reduce((n, [, o]) => n + o.bytes, 0);
console.log(`web: built ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length} scripts (${(bytes / 1024).toFixed(0)} KiB) into dist/web in ${Date.now() - started} ms`);
