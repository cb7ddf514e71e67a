/**
 * The browser build: dist/browser/blosc-ts.js, one self-contained ES module (fzstd, pako
 * and snappyjs inside), and beside it the worker entry it starts Web Workers from
 * (dist/browser/worker.js, found through `new URL('./worker.js', import.meta.url)` in
 * src/pool/pool.ts) and the Node worker backend (dist/browser/spawn-node.js, loaded the
 * same way when there is no global `Worker`). Run after `tsc` (npm run build): it bundles
 * the compiled dist/ files, so both builds are the same code.
 */
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'browser');
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

/** The licenses of the inlined packages travel in the files that contain their code. */
const inlined = ['fzstd', 'pako', 'snappyjs'].map((name) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
  const license = readFileSync(join(ROOT, 'node_modules', name, 'LICENSE'), 'utf8').trim();
  return `${name} ${pkg.version} (${pkg.license}):\n\n${license}`;
});
const banner = [
  `/*! blosc-ts ${version} browser build. BSD-3-Clause, Copyright (c) 2026 The blosc-ts authors.`,
  ' * Ports C-Blosc, C-Blosc2, FastLZ, bitshuffle, LZ4, Zstandard, python-blosc2 and bloscpack:',
  ' * their notices are in THIRD_PARTY_NOTICES.md of the blosc-ts package. pako also carries',
  " * zlib's license (Zlib, (C) 1995-2013 Jean-loup Gailly and Mark Adler). Contains:",
  ' *',
  ...inlined.join('\n\n').split('\n').map((line) => (line === '' ? ' *' : ` * ${line.replaceAll('*/', '* /')}`)),
  ' */',
].join('\n');

rmSync(OUT, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: {
    'blosc-ts': join(ROOT, 'dist', 'index.js'),
    worker: join(ROOT, 'dist', 'pool', 'worker.js'),
    'spawn-node': join(ROOT, 'dist', 'pool', 'spawn-node.js'),
  },
  outdir: OUT,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  // Node built-ins, imported only by the Node worker backend and reached only where there
  // is no Web Worker (Node), through dynamic imports.
  external: ['node:*'],
  banner: { js: banner },
  legalComments: 'none',
  minify: true,
  logLevel: 'warning',
  metafile: true,
});
if (result.errors.length > 0 || result.warnings.length > 0) process.exit(1);
for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  console.log(`${file}  ${(bytes / 1024).toFixed(0)} KiB`);
}

/**
 * The inspector page (`blosc-ts inspect`): dist/inspector/index.html and app.js, bundled
 * from src/inspector/ (TypeScript: esbuild strips the types; `tsc` checks them). The page
 * imports the library as the browser build beside it, ../browser/blosc-ts.js, so the page
 * and the build are one copy of the code.
 */
const INSPECTOR = join(ROOT, 'dist', 'inspector');
rmSync(INSPECTOR, { recursive: true, force: true });
const libraryAsBrowserBuild = {
  name: 'library-as-browser-build',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: '../browser/blosc-ts.js', external: true }));
  },
};
const page = await esbuild.build({
  entryPoints: { app: join(ROOT, 'src', 'inspector', 'app.ts') },
  outdir: INSPECTOR,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  plugins: [libraryAsBrowserBuild],
  banner: { js: `/*! blosc-ts ${version} inspector. BSD-3-Clause, Copyright (c) 2026 The blosc-ts authors. */` },
  legalComments: 'none',
  minify: true,
  logLevel: 'warning',
  metafile: true,
});
if (page.errors.length > 0 || page.warnings.length > 0) process.exit(1);
copyFileSync(join(ROOT, 'src', 'inspector', 'index.html'), join(INSPECTOR, 'index.html'));
for (const [file, { bytes }] of Object.entries(page.metafile.outputs)) {
  console.log(`${file}  ${(bytes / 1024).toFixed(0)} KiB`);
}
