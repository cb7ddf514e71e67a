/**
 * 'blosc-ts/zarr' is browser-safe and lives in its own room: a browser bundle of the built
 * entry needs no Node built-in, and src/zarr/ imports only the core's public entry, the
 * pool's whole-chunk jobs and its own files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

describe('blosc-ts/zarr entry', () => {
  it('bundles for the browser with no Node built-in (esbuild, platform browser, nothing external)', async () => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      stdin: { contents: `export * from ${JSON.stringify(join(ROOT, 'dist', 'zarr.js'))};`, resolveDir: ROOT, loader: 'js' },
      bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent', metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => p.endsWith('dist/zarr/codec.js'))).toBe(true);
    expect(inputs.filter((p) => p.startsWith('node:'))).toEqual([]);
    const text = new TextDecoder().decode(result.outputFiles[0]!.contents);
    expect(text).not.toMatch(/from\s*["']node:/);
  });

  it('src/zarr/ imports only ../index.js, ../pool/whole-chunk.js and its own modules', () => {
    const dir = join(ROOT, 'src', 'zarr');
    const allowed = new Set(['../index.js', '../pool/whole-chunk.js']);
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/from\s+'([^']+)'/g)) {
        const spec = m[1]!;
        expect(spec.startsWith('./') || allowed.has(spec), `${file}: ${spec}`).toBe(true);
      }
    }
    expect(readFileSync(join(ROOT, 'src', 'zarr.ts'), 'utf8')).toContain("from './zarr/index.js'");
  });

  it('package.json exports ./zarr with its types', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; import: string }> };
    expect(pkg.exports['./zarr']).toEqual({ types: './dist/zarr.d.ts', import: './dist/zarr.js' });
  });
});
