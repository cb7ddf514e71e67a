/**
 * The inspector page (dist/inspector/) in headless Chromium: committed fixtures of every
 * kind opened through the file and folder inputs and through the range-capable server of
 * `blosc-ts inspect`; header values and chunk counts checked against what the library (and
 * python's manifests) say; index sliders moved and the drawn plane's pixels compared with
 * the python-written .npy data; a corrupt chunk and a corrupt frame show their BloscError
 * while the rest stays browsable; a remote array opens by reading only its header,
 * trailer, offsets and the chunks of the plane drawn. Screenshots go to a temporary
 * directory (INSPECTOR_SHOTS names another; INSPECTOR_README_SHOT writes the README's).
 * Without a usable Chromium the test skips visibly, except under CI=true where it fails.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startInspectServer, type InspectServer } from '../../src/cli/inspect.js';
import { bloscpack, CFrame, chunkInfo, MemorySource, NDArray, parseNpy } from '../../src/index.js';
import { FIXTURES, ROOT } from '../helpers.js';
import { chromiumUnusable, inCI, launchChromium, loadPlaywright, type BrowserContext } from '../runtimes/chromium.js';

type Page = Awaited<ReturnType<BrowserContext['newPage']>>;

const playwright = await loadPlaywright();
const why = chromiumUnusable(playwright, join('dist', 'inspector', 'index.html'));
const HERE = join(ROOT, 'test', 'inspector');
const SHOTS = process.env.INSPECTOR_SHOTS ?? join(tmpdir(), 'blosc-ts-inspector-shots');

interface Shown {
  state: string;
  kind: string;
  fields: Record<string, string>;
  nchunks: number;
  specials: string[];
  errors: string[];
}

async function shown(page: Page): Promise<Shown> {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 30_000 });
  return page.evaluate(() => {
    const fields: Record<string, string> = {};
    document.querySelectorAll('#header-fields tr[data-field], #pipeline tr[data-field], #metalayers tr[data-field], #vlmeta tr[data-field]').forEach((tr) => {
      fields[(tr as HTMLElement).dataset.field!] = tr.querySelector('td')?.textContent ?? '';
    });
    const specials: string[] = [];
    document.querySelectorAll('#chunk-map .cell[data-special]').forEach((c) => specials.push((c as HTMLElement).dataset.special!));
    const errors: string[] = [];
    document.querySelectorAll('#errors .error').forEach((e) => errors.push(e.textContent ?? ''));
    return {
      state: document.body.dataset.state ?? '',
      kind: document.getElementById('kind')?.textContent ?? '',
      fields,
      nchunks: Number(document.getElementById('chunk-totals')?.dataset.nchunks ?? NaN),
      specials,
      errors,
    };
  });
}

/** Click chunk `i` in the map and return the text of its detail. */
async function chunkDetail(page: Page, i: number): Promise<{ text: string; blocks: number; errors: string[] }> {
  await page.click(`#chunk-map .cell[data-index="${i}"]`);
  await page.waitForFunction((k) => {
    const d = document.getElementById('chunk-detail')!;
    return d.dataset.chunk === String(k) && d.dataset.state === 'ready';
  }, i, { timeout: 30_000 });
  return page.evaluate(() => {
    const d = document.getElementById('chunk-detail')!;
    const errors: string[] = [];
    d.querySelectorAll('.error').forEach((e) => errors.push(e.textContent ?? ''));
    return { text: d.textContent ?? '', blocks: d.querySelectorAll('#blocks tr[data-block]').length, errors };
  });
}

/** Wait for the plane at `lo` (the first index of every axis) to be drawn; its canvas pixels in gray. */
async function planePixels(page: Page, lo: number[], vmin: number, vmax: number): Promise<number[]> {
  await page.waitForFunction((key) => document.getElementById('plane')?.dataset.key === key && document.body.dataset.plane === 'ready', JSON.stringify(lo), { timeout: 30_000 });
  await page.selectOption('#colormap', 'gray');
  await page.fill('#vmin', String(vmin));
  await page.fill('#vmax', String(vmax));
  return page.evaluate(() => {
    const c = document.getElementById('plane') as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const out: number[] = [];
    for (let i = 0; i < data.length; i += 4) out.push(data[i]!);
    return out;
  });
}

async function moveSlider(page: Page, axis: number, value: number): Promise<void> {
  await page.$eval(`input[data-axis="${axis}"]`, (el, v) => {
    (el as HTMLInputElement).value = String(v);
    el.dispatchEvent(new Event('input'));
  }, value);
}

function gray(values: ArrayLike<number>, vmin: number, vmax: number): number[] {
  return Array.from(values, (v) => Math.round(Math.max(0, Math.min(1, (v - vmin) / (vmax - vmin))) * 255));
}

function maxDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Values of a python-written .npy (little-endian numeric dtypes used here). */
function npyValues(path: string): { shape: readonly number[]; values: Float64Array } {
  const npy = parseNpy(new Uint8Array(readFileSync(path)));
  const dv = new DataView(npy.data.buffer, npy.data.byteOffset, npy.data.byteLength);
  const n = npy.shape.reduce((p, x) => p * x, 1);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    values[i] = npy.dtype === '<f4' ? dv.getFloat32(i * 4, true) : npy.dtype === '<u2' ? dv.getUint16(i * 2, true) : npy.dtype === '<i2' ? dv.getInt16(i * 2, true) : NaN;
  }
  return { shape: npy.shape, values };
}

function planeOf(values: Float64Array, shape: readonly number[], lead: number[]): Float64Array {
  const rows = shape[shape.length - 2]!;
  const cols = shape[shape.length - 1]!;
  let offset = 0;
  for (let a = 0; a < lead.length; a++) offset = offset * shape[a]! + lead[a]!;
  return values.subarray(offset * rows * cols, (offset + 1) * rows * cols);
}

function range(v: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    lo = Math.min(lo, v[i]!);
    hi = Math.max(hi, v[i]!);
  }
  return [lo, hi];
}

describe('inspector page (headless Chromium)', () => {
  if (why !== null) {
    if (inCI) {
      it('Chromium runs in CI', () => {
        throw new Error(`${why}: .ci/run installs it`);
      });
    } else {
      console.warn(`[skip] inspector page: ${why}`);
      it.skip(`inspector page (${why})`, () => undefined);
    }
    return;
  }

  let work = '';
  let server: InspectServer;
  let context: BrowserContext | null = null;
  let page: Page;
  let big: { frame: CFrame; bytes: Uint8Array; arr: NDArray } | null = null;
  const pageErrors: string[] = [];
  afterEach(() => {
    // Uncaught exceptions in the page: every failure must be shown in it, never thrown.
    expect(pageErrors.splice(0)).toEqual([]);
  });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'blosc-ts-inspector-'));
    mkdirSync(SHOTS, { recursive: true });
    const files = join(work, 'files');
    mkdirSync(files);
    for (const f of ['frames/zstd.u8.meta-vlmeta.b2frame', 'frames/lz4.u32.zeros-chunk.b2frame', 'frames/variable-chunks.v3.b2frame', 'ndarray/f4.3d.blosclz.b2nd', 'ndarray/u2.4d.b2nd', 'bloscpack/files/bytes.lz4.crc32.multichunk.blp']) {
      cpSync(join(FIXTURES, f), join(files, f.split('/').pop()!));
    }
    cpSync(join(HERE, 'fixtures', 'v3.zarr'), join(files, 'v3.zarr'), { recursive: true });
    // A remote array of 64 chunks: the plane drawn first touches 16 of them.
    const data = new Float32Array(16 * 256 * 256).map((_, i) => Math.round(Math.sin((i & 255) / 19) * Math.cos(((i >> 8) & 255) / 23) * (i & 0x8000 ? 100 : 20)) + (i >> 16) * 5);
    const arr = NDArray.fromTypedArray(data, { shape: [16, 256, 256], chunks: [4, 64, 64], blocks: [1, 32, 32], codec: 'zstd', clevel: 5 });
    const bytes = arr.toFrame();
    writeFileSync(join(files, 'big.b2nd'), bytes);
    big = { frame: CFrame.open(new MemorySource(bytes)), bytes, arr };
    server = await startInspectServer(files, { distDir: join(ROOT, 'dist') });
    context = await launchChromium(playwright!, join(work, 'profile'));
    if (context !== null) {
      page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (e) => pageErrors.push(String(e)));
    }
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
    console.log(`inspector screenshots: ${SHOTS}`);
  });

  const base = (): string => server.url.replace(/\?.*$/, '');
  const openInput = async (selector: string, path: string): Promise<Shown> => {
    await page.goto(base());
    await page.setInputFiles(selector, path);
    return shown(page);
  };
  const openUrl = async (rel: string): Promise<Shown> => {
    await page.goto(`${base()}?url=${encodeURIComponent(`/file/${rel}`)}`);
    return shown(page);
  };
  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  it('opens Blosc1 and Blosc2 chunks through the file input, with their blocks', async (ctx) => {
    if (context === null) return ctx.skip();
    for (const rel of ['chunks/b1/b1.lz4.shuffle.ts4.cl5.n3000.poisson.t1.bs100.bin', 'chunks/b2/b2.zstd.shuffle.ts8.cl5.n21840.smooth.t4.split-auto.bs4096.bin']) {
      const path = join(FIXTURES, rel);
      const info = chunkInfo(new Uint8Array(readFileSync(path)));
      const s = await openInput('#file', path);
      expect(s.state).toBe('ready');
      expect(s.kind).toContain(rel.startsWith('chunks/b1') ? 'Blosc1 chunk' : 'Blosc2 chunk');
      expect(s.fields.typesize).toBe(String(info.typesize));
      expect(s.fields.nblocks).toBe(String(info.nblocks));
      expect(s.fields.codec).toBe(`${info.codec} (id ${info.codecId})`);
      expect(s.nchunks).toBe(1);
      const d = await chunkDetail(page, 0);
      expect(d.errors).toEqual([]);
      expect(d.blocks).toBe(info.nblocks);
      expect(d.text).toContain(`decodes to ${info.nbytes} bytes`);
    }
    await shot('chunk');
  }, 120_000);

  it('shows a frame: header, metalayers, vlmeta, special chunks (file input and range server)', async (ctx) => {
    if (context === null) return ctx.skip();
    const manifest = JSON.parse(readFileSync(join(FIXTURES, 'frames', 'manifest.json'), 'utf8')) as { files: { path: string; nchunks: number; typesize: number; nbytes: number; vlmeta: Record<string, unknown>; metalayers: Record<string, string>; chunks: { special: number }[] }[] };
    for (const [name, via] of [['zstd.u8.meta-vlmeta.b2frame', 'input'], ['lz4.u32.zeros-chunk.b2frame', 'url'], ['variable-chunks.v3.b2frame', 'url']] as const) {
      const m = manifest.files.find((f) => f.path === `frames/${name}`)!;
      const s = via === 'input' ? await openInput('#file', join(FIXTURES, 'frames', name)) : await openUrl(name);
      expect(s.state).toBe('ready');
      expect(s.kind).toContain('contiguous frame');
      expect(s.fields.nchunks).toBe(String(m.nchunks));
      expect(s.fields.typesize).toBe(String(m.typesize));
      expect(s.fields.nbytes).toContain(`(${m.nbytes} B)`);
      expect(s.nchunks).toBe(m.nchunks);
      expect(s.specials.length).toBe(m.chunks.filter((c) => c.special !== 0).length);
      for (const k of [...Object.keys(m.metalayers), ...Object.keys(m.vlmeta)]) expect(s.fields[k], k).toBeDefined();
      if (name.startsWith('zstd')) {
        // The same file dropped on the page.
        await page.goto(base());
        await page.evaluate(async ([bytes, fileName]) => {
          const dt = new DataTransfer();
          dt.items.add(new File([new Uint8Array(bytes)], fileName));
          document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        }, [Array.from(readFileSync(join(FIXTURES, 'frames', name))), name] as const);
        const dropped = await shown(page);
        expect(dropped.state).toBe('ready');
        expect(dropped.fields.nchunks).toBe(String(m.nchunks));
        expect(dropped.fields).toEqual(s.fields);
        expect(s.fields.str).toBe('"héllo wörld"');
        expect(s.fields.int).toBe('42');
        expect(s.fields.codec).toContain('zstd');
      } else if (name.startsWith('lz4')) {
        expect(s.specials).toEqual(['zeros']);
        await shot('frame-url');
      } else {
        // Variable-size chunks: their sizes come from their headers, so the totals are whole.
        expect(s.fields.chunksize).toBe('variable');
        const totals = (await page.textContent('#chunk-totals'))!;
        expect(totals).toContain(`(${m.nbytes} B) →`);
        expect(totals).not.toContain('known only once read');
      }
    }
  }, 120_000);

  it('shows a bloscpack file and a sparse frame folder', async (ctx) => {
    if (context === null) return ctx.skip();
    const blpPath = join(FIXTURES, 'bloscpack', 'files', 'bytes.lz4.crc32.multichunk.blp');
    const verified = bloscpack.verifyBytes(new Uint8Array(readFileSync(blpPath)));
    let s = await openInput('#file', blpPath);
    expect(s.kind).toContain('bloscpack');
    expect(s.fields.checksum).toBe(verified.info.header.checksum);
    expect(s.fields.nchunks).toBe(String(verified.chunks.length));
    expect(s.nchunks).toBe(verified.chunks.length);
    expect((await chunkDetail(page, verified.chunks.length - 1)).text).toContain(`decodes to ${verified.chunks.at(-1)!.nbytes} bytes`);

    const sparse = join(FIXTURES, 'frames', 'sparse.b2frame');
    const frames = JSON.parse(readFileSync(join(FIXTURES, 'frames', 'manifest.json'), 'utf8')) as { files: { path: string; nchunks: number; chunks: { special: number }[] }[] };
    const m = frames.files.find((f) => f.path === 'frames/sparse.b2frame')!;
    s = await openInput('#folder', sparse);
    expect(s.state).toBe('ready');
    expect(s.kind).toContain('sparse frame');
    expect(s.fields['frame type']).toBe('sparse');
    expect(s.nchunks).toBe(m.nchunks);
    expect(s.specials.length).toBe(m.chunks.filter((c) => c.special !== 0).length);
    const d = await chunkDetail(page, m.chunks.findIndex((c) => c.special === 0));
    expect(d.errors).toEqual([]);
    expect(d.text).toContain('decodes to');
    await shot('sparse');
  }, 120_000);

  it('draws planes of b2nd arrays, and redraws them when a slider moves', async (ctx) => {
    if (context === null) return ctx.skip();
    // 3-D, opened through the range server; one slider.
    let s = await openUrl('f4.3d.blosclz.b2nd');
    expect(s.kind).toContain('b2nd array');
    const f4 = npyValues(join(FIXTURES, 'ndarray', 'f4.3d.blosclz.npy'));
    expect(await page.textContent('#array-fields')).toContain('[9, 10, 11]');
    expect(await page.locator('input.axis-slider').count()).toBe(1);
    await moveSlider(page, 0, 5);
    const p5 = planeOf(f4.values, f4.shape, [5]);
    await page.waitForFunction(() => document.getElementById('plane')?.dataset.key === '[5,0,0]' && document.body.dataset.plane === 'ready');
    // The automatic range is the plane's.
    const [lo, hi] = range(p5);
    expect(Number(await page.inputValue('#vmin'))).toBeCloseTo(lo, 4);
    expect(Number(await page.inputValue('#vmax'))).toBeCloseTo(hi, 4);
    expect(maxDiff(await planePixels(page, [5, 0, 0], lo, hi), gray(p5, lo, hi))).toBeLessThanOrEqual(1);
    // The value under the pointer.
    await page.locator('#plane').scrollIntoViewIfNeeded();
    const box = (await page.locator('#plane').boundingBox())!;
    await page.locator('#plane').hover({ position: { x: (box.width * 7.5) / 11, y: (box.height * 2.5) / 10 } });
    expect(await page.textContent('#pointer-value')).toBe(`[5, 2, 7] = ${p5[2 * 11 + 7]}`);

    // 4-D through the file input: two sliders.
    s = await openInput('#file', join(FIXTURES, 'ndarray', 'u2.4d.b2nd'));
    expect(s.fields.b2nd).toContain('shape [5, 6, 7, 3]');
    const u2 = npyValues(join(FIXTURES, 'ndarray', 'u2.4d.npy'));
    await moveSlider(page, 0, 3);
    await moveSlider(page, 1, 4);
    const p34 = planeOf(u2.values, u2.shape, [3, 4]);
    expect(maxDiff(await planePixels(page, [3, 4, 0, 0], 0, 65535), gray(p34, 0, 65535))).toBeLessThanOrEqual(1);
    const [a, b] = range(p34);
    await page.click('#autorange');
    await page.selectOption('#colormap', 'gray');
    expect(maxDiff(await planePixels(page, [3, 4, 0, 0], a, b), gray(p34, a, b))).toBeLessThanOrEqual(1);
    await shot('b2nd-4d');
  }, 120_000);

  it('plots 1-D arrays as a line, with the value under the pointer', async (ctx) => {
    if (context === null) return ctx.skip();
    const s = await openInput('#file', join(FIXTURES, 'ndarray', 'i4.1d.lz4.b2nd'));
    expect(s.fields.b2nd).toContain('shape [1000]');
    await page.waitForFunction(() => document.getElementById('plot')?.dataset.key === '[0]' && document.body.dataset.plane === 'ready');
    expect(await page.isHidden('#plane')).toBe(true);
    const npy = parseNpy(new Uint8Array(readFileSync(join(FIXTURES, 'ndarray', 'i4.1d.lz4.npy'))));
    const values = new Int32Array(npy.data.slice().buffer);
    const [lo, hi] = range(values);
    expect(Number(await page.inputValue('#vmin'))).toBe(lo);
    expect(Number(await page.inputValue('#vmax'))).toBe(hi);
    // The line is drawn: bluish (antialiased) pixels on the white plot, in most of its columns.
    const columns = await page.evaluate(() => {
      const c = document.getElementById('plot') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 230 && d[i + 2]! > d[i]!) seen.add((i / 4) % c.width);
      return seen.size / c.width;
    });
    expect(columns).toBeGreaterThan(0.5);
    await page.locator('#plot').scrollIntoViewIfNeeded();
    const box = (await page.locator('#plot').boundingBox())!;
    await page.locator('#plot').hover({ position: { x: box.width * 0.5005, y: box.height / 2 } });
    const text = (await page.textContent('#pointer-value'))!;
    const m = /^\[(\d+)\] = (-?\d+)$/.exec(text);
    expect(m, text).not.toBeNull();
    expect(Number(m![2])).toBe(values[Number(m![1])]);
    expect(Math.abs(Number(m![1]) - 500)).toBeLessThanOrEqual(2);
    await shot('line-1d');
  }, 120_000);

  it('shows zarr v2 (folder input) and v3 (over HTTP) arrays with Blosc chunks', async (ctx) => {
    if (context === null) return ctx.skip();
    let s = await openInput('#folder', join(HERE, 'fixtures', 'v2.zarr'));
    expect(s.state).toBe('ready');
    expect(s.kind).toContain('zarr v2 array');
    expect(s.fields.shape).toBe('[20, 30]');
    expect(s.nchunks).toBe(12);
    expect(s.specials).toEqual(['missing']);
    // a[r, c] = (30 r + c) * 3 - 500, and the fill value 7 where chunk (1, 1) is missing.
    const expected = new Float64Array(600).map((_, i) => {
      const r = Math.floor(i / 30);
      const c = i % 30;
      return r >= 8 && r < 16 && c >= 8 && c < 16 ? 7 : i * 3 - 500;
    });
    expect(maxDiff(await planePixels(page, [0, 0], -500, 1297), gray(expected, -500, 1297))).toBeLessThanOrEqual(1);
    const d = await chunkDetail(page, 0);
    expect(d.text).toContain('Blosc1');
    expect(d.text).toContain('lz4');

    s = await openUrl('v3.zarr/');
    expect(s.state).toBe('ready');
    expect(s.kind).toContain('zarr v3 array');
    expect(s.fields.dtype).toBe('float32 (<f4)');
    expect(s.fields.attributes).toBe('{"units":"K"}');
    expect(s.nchunks).toBe(18);
    await moveSlider(page, 0, 2);
    const v3 = new Float64Array(120).map((_, n) => Math.fround(Math.sin(Math.floor(n / 10) / 3) * 10 + (n % 10) * 0.5 + 2 * 100));
    expect(maxDiff(await planePixels(page, [2, 0, 0], 190, 212), gray(v3, 190, 212))).toBeLessThanOrEqual(1);
    await shot('zarr-v3');
  }, 120_000);

  it('shows where a corrupt chunk and a corrupt frame fail, and the rest stays browsable', async (ctx) => {
    if (context === null) return ctx.skip();
    const original = new Uint8Array(readFileSync(join(FIXTURES, 'frames', 'blosclz.f64.bitshuffle.b2frame')));
    const frame = CFrame.open(new MemorySource(original));
    const loc = frame.chunkLocation(2);
    if (loc.kind !== 'data') throw new Error('chunk 2 is not stored data');
    const bad = original.slice();
    // bstarts[0] of chunk 2 pointing far outside the chunk.
    new DataView(bad.buffer).setInt32(loc.offset + 32, 0x7fff_0000, true);
    writeFileSync(join(work, 'corrupt-chunk.b2frame'), bad);
    const s = await openInput('#file', join(work, 'corrupt-chunk.b2frame'));
    expect(s.state).toBe('ready');
    expect(s.nchunks).toBe(frame.nchunks);
    const broken = await chunkDetail(page, 2);
    expect(broken.errors.length).toBeGreaterThan(0);
    expect(broken.errors.join('\n')).toMatch(/BloscError \w+ \(-\d+\)/);
    expect(broken.errors.join('\n')).toContain('bstarts');
    expect(await page.getAttribute('#chunk-map .cell[data-index="2"]', 'class')).toContain('corrupt');
    await shot('corrupt-chunk');
    const fine = await chunkDetail(page, 0);
    expect(fine.errors).toEqual([]);
    expect(fine.text).toContain('decodes to 8192 bytes');

    writeFileSync(join(work, 'truncated.b2frame'), original.subarray(0, original.length - 40));
    const t = await openInput('#file', join(work, 'truncated.b2frame'));
    expect(t.state).toBe('error');
    expect(t.errors.join('\n')).toMatch(/opening: BloscError \w+/);
  }, 120_000);

  it('works offline once loaded, and asks for nothing but its own files', async (ctx) => {
    if (context === null) return ctx.skip();
    // One 2 MiB chunk, decoded whole once the network is gone.
    const data = new Float64Array(512 * 512).map((_, i) => Math.round(Math.cos((i & 511) / 40) * Math.sin((i >> 9) / 30) * 1000));
    const arr = NDArray.fromTypedArray(data, { shape: [512, 512], chunks: [512, 512], blocks: [64, 512] });
    writeFileSync(join(work, 'one-chunk.b2nd'), arr.toFrame());
    const requests: string[] = [];
    const onRequest = (r: { method(): string; url(): string }): void => void requests.push(`${r.method()} ${r.url()}`);
    page.on('request', onRequest);
    try {
      await page.goto(base());
      await context!.setOffline(true);
      await page.setInputFiles('#file', join(work, 'one-chunk.b2nd'));
      const s = await shown(page);
      expect(s.state).toBe('ready');
      const [lo, hi] = range(data);
      expect(maxDiff(await planePixels(page, [0, 0], lo, hi), gray(data, lo, hi))).toBeLessThanOrEqual(1);
      expect(await page.textContent('#plane-stats')).toContain('1 chunk(s) decoded whole');
    } finally {
      await context!.setOffline(false);
      page.off('request', onRequest);
    }
    const origin = new URL(base()).origin;
    expect(requests.filter((r) => !r.startsWith(`GET ${origin}/inspector/`) && !r.startsWith(`GET ${origin}/browser/`))).toEqual([]);
  }, 120_000);

  it('says when a server lacks range support or CORS', async (ctx) => {
    if (context === null) return ctx.skip();
    const body = new Uint8Array(readFileSync(join(FIXTURES, 'frames', 'blosclz.f64.bitshuffle.b2frame')));
    const large = new Uint8Array(2 << 20);
    large.set(body);
    // Another origin (port): one server allows CORS but ignores Range, the other sends no CORS headers.
    const other = createServer((req, res) => {
      const cors = req.url!.startsWith('/cors/');
      const headers: Record<string, string> = cors ? { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Range' } : {};
      if (req.method === 'OPTIONS') {
        res.writeHead(204, headers).end();
        return;
      }
      const data = cors ? large : body;
      res.writeHead(200, { ...headers, 'Content-Length': String(data.length), 'Content-Type': 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : data);
    });
    await new Promise<void>((done) => other.listen(0, '127.0.0.1', () => done()));
    const port = (other.address() as { port: number }).port;
    try {
      await page.goto(`${base()}?url=${encodeURIComponent(`http://127.0.0.1:${port}/cors/big.b2frame`)}`);
      let s = await shown(page);
      expect(s.state).toBe('error');
      expect(s.errors.join('\n')).toContain('No range support');
      await page.goto(`${base()}?url=${encodeURIComponent(`http://127.0.0.1:${port}/plain/x.b2frame`)}`);
      s = await shown(page);
      expect(s.state).toBe('error');
      expect(s.errors.join('\n')).toContain('CORS');
      await shot('no-cors');
    } finally {
      other.closeAllConnections();
      await new Promise((done) => other.close(done));
    }
  }, 120_000);

  it('opens a remote array by reading its header, trailer, offsets and the chunks of one plane', async (ctx) => {
    if (context === null || big === null) return ctx.skip();
    const before = server.served.bytes;
    const s = await openUrl('big.b2nd');
    expect(s.kind).toContain('b2nd array');
    expect(s.nchunks).toBe(64);
    await page.waitForFunction(() => document.getElementById('plane')?.dataset.key === '[0,0,0]' && document.body.dataset.plane === 'ready', null, { timeout: 30_000 });
    const fetched = server.served.bytes - before;
    const h = big.frame.header;
    const metadata = h.headerLen + (h.frameLen - h.headerLen - h.cbytes);
    // Plane 0 lies in chunks 0..15 of the 4 × 4 × 4 grid.
    let chunks = 0;
    for (let i = 0; i < 16; i++) {
      const loc = big.frame.chunkLocation(i);
      if (loc.kind === 'data') chunks += loc.span;
    }
    expect(fetched).toBeGreaterThanOrEqual(chunks);
    // The opener's first reads (32 bytes to recognise the file, the 87-byte fixed header, the 25-byte tail) overlap the rest.
    expect(fetched).toBeLessThanOrEqual(metadata + chunks + 32 + 87 + 25);
    expect(fetched).toBeLessThan(h.frameLen / 3);
    console.log(`remote b2nd: ${h.frameLen} bytes, ${fetched} fetched to show header, chunk map and plane 0 (${metadata} of metadata, ${chunks} of 16 chunks)`);
    // One block per chunk and plane row band: 4 blocks of 16 in each of the 16 chunks.
    expect(await page.textContent('#plane-stats')).toContain('from 16 chunk(s): 64 block(s) decoded one by one, 0 chunk(s) decoded whole');
    const expected = big.arr.slice([0]);
    const values = new Float32Array(expected.data.buffer, expected.data.byteOffset, expected.data.byteLength / 4);
    const [lo, hi] = range(values);
    expect(maxDiff(await planePixels(page, [0, 0, 0], lo, hi), gray(values, lo, hi))).toBeLessThanOrEqual(1);
    await page.selectOption('#colormap', 'viridis');
    await page.click('#autorange');
    if (process.env.INSPECTOR_README_SHOT !== undefined) {
      await page.setViewportSize({ width: 1000, height: 800 });
      await page.screenshot({ path: process.env.INSPECTOR_README_SHOT, fullPage: true });
    }
    await page.click('#chunk-map .cell[data-index="5"]');
    await page.waitForFunction(() => document.getElementById('chunk-detail')?.dataset.state === 'ready');
    await shot('remote-b2nd');
  }, 120_000);
});
