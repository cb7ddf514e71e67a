/**
 * What `npm pack` puts in the tarball: the license and third-party notices, the package
 * build and the browser build, typings without `@internal` members, and nothing that points
 * at files the tarball lacks (no source maps: they would point at ../src). Installing it runs
 * no script of ours (no install-time lifecycle script, so nothing to warn about).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

interface PackReport {
  files: { path: string; size: number }[];
}

let files: string[] = [];
beforeAll(() => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  files = (JSON.parse(out) as PackReport[])[0]!.files.map((f) => f.path).sort();
});

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
  license: string;
};

describe('the npm tarball', () => {
  it('holds the license, the notices, the README, both builds and the CLI', () => {
    for (const f of ['LICENSE', 'THIRD_PARTY_NOTICES.md', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts',
      'dist/node.js', 'dist/node.d.ts', 'dist/browser/blosc-ts.js', 'dist/browser/worker.js', 'dist/browser/spawn-node.js',
      'dist/inspector/index.html', 'dist/inspector/app.js']) {
      expect(files, f).toContain(f);
    }
    for (const target of Object.values(pkg.bin)) expect(files).toContain(target.replace(/^\.\//, ''));
    for (const entry of Object.values(pkg.exports)) {
      for (const target of typeof entry === 'string' ? [entry] : Object.values(entry)) {
        expect(files).toContain(target.replace(/^\.\//, ''));
      }
    }
    expect(pkg.license).toBe('BSD-3-Clause');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^BSD 3-Clause License\n\nCopyright \(c\) 2026, The blosc-ts authors/);
  });

  it('has no source maps and no file that names one', () => {
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const naming = files.filter((f) => /\.(?:js|d\.ts)$/.test(f) && readFileSync(join(ROOT, f), 'utf8').includes('sourceMappingURL'));
    expect(naming).toEqual([]);
  });

  it('ships only the build of src/ (nothing from test/ or bench/)', () => {
    expect(files.filter((f) => /^dist\/(?:test|bench|src)\//.test(f))).toEqual([]);
    expect(files.filter((f) => !f.startsWith('dist/')).sort()).toEqual(['LICENSE', 'README.md', 'THIRD_PARTY_NOTICES.md', 'package.json']);
  });

  it('typings carry no @internal member', () => {
    const typings = files.filter((f) => f.endsWith('.d.ts'));
    expect(typings.length).toBeGreaterThan(20);
    expect(typings.filter((f) => readFileSync(join(ROOT, f), 'utf8').includes('@internal'))).toEqual([]);
    // The member marked @internal in the source is really gone from the typings.
    expect(readFileSync(join(ROOT, 'dist', 'schunk', 'remote.d.ts'), 'utf8')).not.toContain('PrefetchedSource');
  });

  it('runs no script when installed', () => {
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts, hook).not.toHaveProperty(hook);
  });

  it('the browser build carries the licenses of the packages inside it', () => {
    for (const file of ['dist/browser/blosc-ts.js', 'dist/browser/worker.js']) {
      const head = readFileSync(join(ROOT, file), 'utf8').slice(0, 8000);
      for (const notice of ['The blosc-ts authors', 'Arjun Barrett', 'Vitaly Puzrin', 'Zhipeng Jia', 'Jean-loup Gailly', 'THIRD_PARTY_NOTICES.md']) {
        expect(head, `${file}: ${notice}`).toContain(notice);
      }
    }
  });
});
