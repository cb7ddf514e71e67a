import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress, decompress, writeNpy } from '../../src/index.js';
import { BenchUsageError, benchOptionsFrom, parseTuneOption, runBenchCommand, tuneBloscpackOptions } from '../../src/cli/bench.js';


const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function npyFile(): string {
  const a = new Int32Array(16384);
  for (let i = 0; i < a.length; i++) a[i] = Math.round(100 + 30 * Math.sin(i / 50)) + ((i * 7919) % 5);
  const file = join(dir, 'counts.npy');
  writeFileSync(file, writeNpy({ dtype: '<i4', shape: [a.length], data: new Uint8Array(a.buffer) }));
  return file;
}

function run(argsMap: Map<string, string | true>): { out: string; err: string; status: number } {
  let out = '';
  let err = '';
  const status = runBenchCommand(npyFile(), benchOptionsFrom(argsMap), { out: (s) => (out += s), err: (s) => (err += s) });
  return { out, err, status };
}

describe('blosc-ts bench', () => {
  it('prints a table with a progress line, marks the Pareto front and the pick, and writes an SVG plot', () => {
    const svgPath = join(dir, 'plot.svg');
    const { out, err, status } = run(new Map<string, string | true>([['codecs', 'lz4,zstd'], ['clevels', '1,5'], ['plot', svgPath]]));
    expect(status).toBe(0);
    // Progress: one '\r' update per configuration (2 codecs x 2 levels x 5 pipelines), the last full.
    expect(err.split('\r').length - 1).toBe(20);
    expect(err).toContain(`[${'#'.repeat(30)}] 20/20`);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^codec\s+lvl\s+filters\s+ratio/);
    const rowLines = lines.filter((l) => /^(lz4|zstd)\s/.test(l));
    expect(rowLines.length).toBe(20);
    expect(rowLines.filter((l) => / P.?$/.test(l)).length).toBeGreaterThan(0);
    expect(rowLines.every((l) => /\syes\s/.test(l))).toBe(true);
    expect(out).toContain("tuner's pick: ");
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect((svg.match(/<circle data-role="row/g) ?? []).length).toBe(20);
    const paretoCircles = (svg.match(/<circle data-role="row pareto"/g) ?? []).length;
    expect(paretoCircles).toBe(rowLines.filter((l) => / P.?$/.test(l)).length);
    const poly = /<polyline data-role="pareto"[^>]* points="([^"]+)"/.exec(svg);
    expect(poly).not.toBeNull();
    expect(poly![1]!.split(' ').length).toBe(paretoCircles);
    expect(svg).toContain('data-role="pick"');
    expect(svg).toContain('compression ratio');
    expect(svg).toContain('typesize 4'); // from the .npy dtype
  });

  it('--json gives the rows and the pick', () => {
    const { out } = run(new Map<string, string | true>([['codecs', 'blosclz'], ['clevels', '5'], ['json', true], ['goal', 'ratio']]));
    const j = JSON.parse(out) as { typesize: number; goal: string; rows: { codec: string; pareto: boolean }[]; pick: { options: { codec: string } } };
    expect(j.typesize).toBe(4);
    expect(j.goal).toBe('ratio');
    expect(j.rows.length).toBe(5);
    expect(j.rows.every((r) => r.codec === 'blosclz')).toBe(true);
    expect(j.pick.options.codec).toBe('blosclz');
  });

  it('pack --tune chooses options a Blosc1 chunk can hold', () => {
    const a = new Int32Array(65536);
    for (let i = 0; i < a.length; i++) a[i] = (i * 2654435761) % 37;
    const o = tuneBloscpackOptions(new Uint8Array(a.buffer), 'ratio', 4);
    expect(['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd']).toContain(o.codec);
    expect(['noshuffle', 'shuffle', 'bitshuffle']).toContain(o.shuffle);
    expect(o.clevel).toBeGreaterThanOrEqual(1);
    expect(o.shuffle).not.toBe('noshuffle'); // small int32 values: a shuffle pays
    const chunk = compress(a, { ...o, typesize: 4, format: 'blosc1' });
    expect(Buffer.compare(Buffer.from(decompress(chunk)), Buffer.from(a.buffer))).toBe(0);
  });

  it('parses --tune and refuses bad options', () => {
    expect(parseTuneOption(undefined)).toBeUndefined();
    expect(parseTuneOption('ratio')).toBe('ratio');
    expect(() => parseTuneOption('fast')).toThrow(BenchUsageError);
    expect(() => parseTuneOption(true)).toThrow(BenchUsageError);
    expect(() => benchOptionsFrom(new Map([['clevels', 'x']]))).toThrow(BenchUsageError);
    expect(() => benchOptionsFrom(new Map([['goal', 'fast']]))).toThrow(BenchUsageError);
    expect(() => benchOptionsFrom(new Map([['bogus', '1']]))).toThrow(BenchUsageError);
  });
});
