/**
 * The tuner on the command line: `bench FILE` (table, JSON, SVG plot), `compress --tune`
 * and `pack --tune`, each checked against the library's own answer and read back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bloscpack, chunkInfo, decompress, SChunk } from '../../src/index.js';
import { bytesEqual, ROOT } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-cli-tune-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string): string => join(dir, name);

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Small int32 counts: a shuffle pays, and the codecs differ in ratio. */
const counts = new Int32Array(1 << 18).map((_, i) => Math.round(40 + 30 * Math.sin(i / 300) + ((i * 2654435761) >>> 28)));
const bytes = new Uint8Array(counts.buffer);
writeFileSync(p('counts.i4'), bytes);

describe('bench', () => {
  it('prints a row per configuration as JSON and writes the plot', () => {
    const r = cli('bench', p('counts.i4'), '--typesize', '4', '--codecs', 'lz4,zstd', '--clevels', '1,5', '--json', '--plot', p('plot.svg'));
    expect(r.stderr).toMatch(/\d+\/\d+/); // the progress line
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { typesize: number; rows: { codec: string; clevel: number; ratio: number; roundTrip?: boolean; pareto: boolean }[] };
    expect(out.typesize).toBe(4);
    expect(new Set(out.rows.map((x) => x.codec))).toEqual(new Set(['lz4', 'zstd']));
    expect(new Set(out.rows.map((x) => x.clevel))).toEqual(new Set([1, 5]));
    expect(out.rows.some((x) => x.pareto)).toBe(true);
    for (const row of out.rows) expect(row.ratio).toBeGreaterThan(1);
    const svg = readFileSync(p('plot.svg'), 'utf8');
    expect(svg.startsWith('<svg') || svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('</svg>');
  });

  it('names a missing file, and a bad goal is a usage error', () => {
    const missing = cli('bench', p('nothing.bin'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('nothing.bin');
    const bad = cli('bench', p('counts.i4'), '--goal', 'fast');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(2);
  });
});

describe('--tune', () => {
  it('compress --tune ratio says what it chose, and the chunk holds it', () => {
    const r = cli('compress', p('counts.i4'), p('counts.bl'), '--typesize', '4', '--tune', 'ratio');
    expect(r.status).toBe(0);
    const m = /^tuned \(ratio\): (\w+) clevel (\d)/.exec(r.stderr);
    expect(m).not.toBeNull();
    const chunk = new Uint8Array(readFileSync(p('counts.bl')));
    expect(chunkInfo(chunk).codec).toBe(m![1]); // a Blosc2 header has no clevel to check
    expect(bytesEqual(decompress(chunk), bytes)).toBe(true);
    // Tuned for ratio, the chunk is at least as small as the plain default (blosclz 5 + shuffle).
    const plain = cli('compress', p('counts.i4'), p('plain.bl'), '--typesize', '4');
    expect(plain.status).toBe(0);
    expect(chunk.length).toBeLessThanOrEqual(readFileSync(p('plain.bl')).length);
  });

  it('compress --tune to a frame tunes on the first chunk', () => {
    const r = cli('compress', p('counts.i4'), p('counts.b2frame'), '--typesize', '4', '--chunksize', '256K', '--tune', 'balanced');
    expect(r.status).toBe(0);
    const m = /^tuned \(balanced\): (\w+) clevel (\d)/.exec(r.stderr);
    expect(m).not.toBeNull();
    const schunk = SChunk.open(new Uint8Array(readFileSync(p('counts.b2frame'))));
    expect(schunk.nchunks).toBe(4);
    expect(chunkInfo(schunk.getChunk(0)).codec).toBe(m![1]);
    expect(bytesEqual(schunk.getSlice(), bytes)).toBe(true);
  });

  it('pack --tune chooses the Blosc1 options of every chunk', () => {
    const r = cli('pack', p('counts.i4'), p('counts.blp'), '--typesize', '4', '--chunk-size', '256K', '--tune', 'ratio');
    expect(r.status).toBe(0);
    const m = /tuned \(ratio\): (\w+) clevel (\d) (\w+)/.exec(r.stderr);
    expect(m).not.toBeNull();
    const blp = new Uint8Array(readFileSync(p('counts.blp')));
    const unpacked = bloscpack.unpackBytes(blp);
    expect(bytesEqual(unpacked.data, bytes)).toBe(true);
    // Every chunk is a Blosc1 chunk of the chosen codec. A Blosc1 header names the stream
    // format only, which LZ4HC shares with LZ4 (c-blosc's BLOSC_LZ4_FORMAT), so an lz4hc
    // choice reads back as lz4.
    expect(unpacked.chunks).toHaveLength(4);
    const expectedCodec = m![1] === 'lz4hc' ? 'lz4' : m![1];
    for (const c of unpacked.chunks) {
      const info = chunkInfo(blp.subarray(c.position, c.position + c.cbytes));
      expect(info.version).toBe(2);
      expect(info.codec).toBe(expectedCodec);
    }
    const u = cli('unpack', p('counts.blp'), p('back.i4'));
    expect(u.status).toBe(0);
    expect(bytesEqual(new Uint8Array(readFileSync(p('back.i4'))), bytes)).toBe(true);
    expect(cli('pack', p('counts.i4'), p('x.blp'), '--tune', 'best').status).toBe(2);
  });
});
