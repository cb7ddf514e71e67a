/**
 * Section: whole-chunk decoding, MB/s of decoded bytes, single thread.
 *
 * Per data set × codec (SHUFFLE, clevel 5, typesize = item size):
 *   - blosc-ts `decompress(chunk, out)` into a preallocated output, for the Blosc1 chunk
 *     (python-blosc) and for the Blosc2 chunk (python-blosc2);
 *   - numcodecs.js 0.3.2 `Blosc.decode(chunk)` of the same Blosc1 chunk (WASM c-blosc 1.18.1,
 *     public API: async, copies its input into the WASM heap and returns a fresh array);
 *   - native C-Blosc2 / C-Blosc 1.x from bench/.data/native.json (measured by datasets.py in
 *     the same run).
 * Every decoder's output is compared with the data set before it is timed; a wrong or
 * failing decode is reported and not timed. The JS decoders of one chunk are timed in
 * alternation (timeInterleaved), so background load affects their ratios less.
 */
import { sameBytes } from './lib/data.mjs';
import { mbps, timeInterleaved } from './lib/timing.mjs';
import { fmtCompressionRatio, fmtMBps, fmtRatio, geomean } from './lib/table.mjs';

/** Decode speed a target asks of blosc-ts relative to numcodecs.js (WASM). */
export const WASM_SPEEDUP_TARGET = 1.5;
/** Issue 18: decoding against native c-blosc2, geomean over the sets and every set. */
export const NATIVE_GEOMEAN_TARGET = 0.7;
export const NATIVE_FLOOR_TARGET = 0.5;
/** Codecs the WASM target applies to. */
export const WASM_TARGET_CODECS = Object.freeze(['lz4', 'blosclz']);

function firstLine(err) {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split('\n')[0];
}

function nativeLookup(native) {
  const map = new Map();
  if (native === null) return map;
  for (const row of native.decode) map.set(`${row.impl}|${row.set}|${row.codec}|${row.format}`, row.mbps);
  return map;
}

/**
 * Check blosc-ts on one chunk (twice into the same preallocated output, as the timed calls
 * do), then return the call to time: { entry } or { error }.
 */
function prepareBloscTs(lib, chunk, raw) {
  let out;
  try {
    const nbytes = typeof lib.chunkInfo === 'function' ? lib.chunkInfo(chunk).nbytes : raw.length;
    if (nbytes !== raw.length) return { error: `chunkInfo says nbytes ${nbytes}, data set has ${raw.length}` };
    out = new Uint8Array(nbytes);
    const result = lib.decompress(chunk, out);
    if (!sameBytes(result, raw)) return { error: 'decoded bytes differ from the data set' };
    out.fill(0);
    const again = lib.decompress(chunk, out);
    if (!sameBytes(again, raw)) return { error: 'second decode into the same output differs from the data set' };
  } catch (err) {
    return { error: firstLine(err) };
  }
  const decompress = lib.decompress;
  return { entry: { fn: () => decompress(chunk, out), isAsync: false } };
}

/** Check numcodecs.js on one chunk, then return the call to time: { entry } or { error }. */
async function prepareWasm(codec, chunk, raw) {
  try {
    const result = await codec.decode(chunk);
    if (!sameBytes(result, raw)) return { error: 'decoded bytes differ from the data set' };
  } catch (err) {
    return { error: firstLine(err) };
  }
  return { entry: { fn: () => codec.decode(chunk), isAsync: true } };
}

/**
 * Run the section.
 * @param {{ data: { sets: Map<string, any>, chunks: any[], native: any },
 *           lib: { decompress: Function, chunkInfo?: Function } | null,
 *           Blosc: any, setMBps: number, timing: object, log: (line: string) => void }} ctx
 * @returns {Promise<{ title: string, tables: object[], targets: object[], notes: string[], results: object[] }>}
 */
export async function runDecodeSection(ctx) {
  const { data, lib, Blosc, setMBps, timing, log } = ctx;
  const native = nativeLookup(data.native);
  const wasm = Blosc === null ? null : Blosc.fromConfig({ id: 'blosc', clevel: 5, cname: 'lz4', shuffle: 1, blocksize: 0 });
  const notes = [];
  const results = [];

  const chunkFor = (set, codec, format) => data.chunks.find((c) => c.set === set && c.codec === codec && c.format === format) ?? null;
  const codecs = [...new Set(data.chunks.map((c) => c.codec))];

  for (const codec of codecs) {
    for (const set of data.sets.values()) {
      const b1 = chunkFor(set.name, codec, 'b1');
      const b2 = chunkFor(set.name, codec, 'b2');
      if (b1 === null) continue;
      const row = {
        set: set.name,
        codec,
        ratioB1: b1.ratio,
        ratioB2: b2?.ratio ?? null,
        tsB1: null,
        tsB2: null,
        wasm: null,
        nativeC2B1: native.get(`c-blosc2|${set.name}|${codec}|b1`) ?? null,
        nativeC1B1: native.get(`c-blosc|${set.name}|${codec}|b1`) ?? null,
        nativeC2B2: native.get(`c-blosc2|${set.name}|${codec}|b2`) ?? null,
        errors: [],
      };
      // Check every decoder first, then time the ones that decode correctly in alternation.
      const candidates = [];
      if (lib !== null) {
        candidates.push(['tsB1', 'blosc-ts Blosc1 chunk', prepareBloscTs(lib, b1.bytes, set.raw)]);
        if (b2 !== null) candidates.push(['tsB2', 'blosc-ts Blosc2 chunk', prepareBloscTs(lib, b2.bytes, set.raw)]);
      }
      if (wasm !== null) candidates.push(['wasm', 'numcodecs.js', await prepareWasm(wasm, b1.bytes, set.raw)]);
      const timed = [];
      for (const [key, what, prepared] of candidates) {
        if ('error' in prepared) {
          row.errors.push(`${what}: ${prepared.error}`);
          notes.push(`${set.name} ${codec} ${what}: ${prepared.error}`);
        } else {
          timed.push([key, prepared.entry]);
        }
      }
      const summaries = await timeInterleaved(timed.map(([, entry]) => entry), timing);
      timed.forEach(([key], k) => {
        row[key] = mbps(set.raw.length, summaries[k].medianMs);
      });
      results.push(row);
      log(
        `  decode ${set.name.padEnd(12)} ${codec.padEnd(8)} blosc-ts b1 ${fmtMBps(row.tsB1).padStart(7)}  ` +
          `b2 ${fmtMBps(row.tsB2).padStart(7)}  WASM ${fmtMBps(row.wasm).padStart(7)}  ` +
          `native ${fmtMBps(row.nativeC2B1).padStart(7)} MB/s`,
      );
    }
  }

  const ratio = (a, b) => (a === null || b === null ? null : a / b);
  const columns = [
    { title: 'set', align: 'left' },
    { title: 'codec', align: 'left' },
    { title: 'ratio b1' },
    { title: 'ratio b2' },
    { title: 'blosc-ts b1' },
    { title: 'blosc-ts b2' },
    { title: 'WASM b1' },
    { title: 'c-blosc2 b1' },
    { title: 'c-blosc b1' },
    { title: 'c-blosc2 b2' },
    { title: 'ts÷WASM' },
    { title: 'ts÷c-blosc2 (b1)' },
    { title: 'ts÷c-blosc2 (b2)' },
    { title: 'ts÷set' },
  ];
  const line = (label, codec, r) => [
    label,
    codec,
    fmtCompressionRatio(r.ratioB1),
    fmtCompressionRatio(r.ratioB2),
    fmtMBps(r.tsB1),
    fmtMBps(r.tsB2),
    fmtMBps(r.wasm),
    fmtMBps(r.nativeC2B1),
    fmtMBps(r.nativeC1B1),
    fmtMBps(r.nativeC2B2),
    fmtRatio(ratio(r.tsB1, r.wasm)),
    fmtRatio(ratio(r.tsB1, r.nativeC2B1)),
    fmtRatio(ratio(r.tsB2, r.nativeC2B2)),
    fmtRatio(ratio(r.tsB1, setMBps)),
  ];
  const rows = [];
  const strong = [];
  for (const codec of codecs) {
    const mine = results.filter((r) => r.codec === codec);
    for (const r of mine) rows.push(line(r.set, codec, r));
    const g = (key) => geomean(mine.map((r) => r[key]));
    const gm = {
      ratioB1: g('ratioB1'),
      ratioB2: g('ratioB2'),
      tsB1: g('tsB1'),
      tsB2: g('tsB2'),
      wasm: g('wasm'),
      nativeC2B1: g('nativeC2B1'),
      nativeC1B1: g('nativeC1B1'),
      nativeC2B2: g('nativeC2B2'),
    };
    // Ratios of geomeans only when every set contributed, so they compare like with like.
    for (const key of ['tsB1', 'tsB2', 'wasm', 'nativeC2B1', 'nativeC1B1', 'nativeC2B2']) {
      if (mine.some((r) => r[key] === null)) gm[key] = null;
    }
    strong.push(rows.length);
    rows.push(line('geomean', codec, gm));
  }

  const targets = [];
  for (const codec of WASM_TARGET_CODECS) {
    const mine = results.filter((r) => r.codec === codec);
    if (mine.length === 0) continue;
    for (const r of mine) {
      const value = ratio(r.tsB1, r.wasm);
      targets.push({
        name: `${codec}+shuffle decode, ${r.set}: blosc-ts ≥ ${WASM_SPEEDUP_TARGET}× numcodecs.js WASM`,
        value: fmtRatio(value),
        pass: value === null ? null : value >= WASM_SPEEDUP_TARGET,
      });
    }
  }

  // Issue 18: each codec + shuffle at least NATIVE_GEOMEAN_TARGET of native C (c-blosc2,
  // same chunk) as a geomean over the sets, no set below NATIVE_FLOOR_TARGET.
  for (const codec of codecs) {
    const mine = results.filter((r) => r.codec === codec);
    for (const [fmt, ts, native] of [['b1', 'tsB1', 'nativeC2B1'], ['b2', 'tsB2', 'nativeC2B2']]) {
      const values = mine.map((r) => ratio(r[ts], r[native]));
      const known = mine.length > 0 && values.every((v) => v !== null);
      const g = known ? geomean(values) : null;
      const low = known ? Math.min(...values) : null;
      const lowSet = known ? mine[values.indexOf(low)].set : '';
      targets.push({
        name: `${codec}+shuffle decode (${fmt}): blosc-ts ≥ ${NATIVE_GEOMEAN_TARGET}× c-blosc2 geomean, no set below ${NATIVE_FLOOR_TARGET}×`,
        value: known ? `geomean ${fmtRatio(g)}, lowest ${fmtRatio(low)} (${lowSet})` : 'n/a',
        pass: known ? g >= NATIVE_GEOMEAN_TARGET && low >= NATIVE_FLOOR_TARGET : null,
      });
    }
  }

  return {
    title: 'Chunk decoding',
    description:
      'MB/s of decoded bytes (10^6 B/s), single thread, 16 MiB chunks, SHUFFLE, clevel 5, typesize = item size. ' +
      'b1 = Blosc1 chunk written by python-blosc (c-blosc 1.x), read by every decoder; b2 = Blosc2 chunk written by python-blosc2. ' +
      'blosc-ts = `decompress(chunk, out)` into a preallocated output; WASM = numcodecs.js 0.3.2 `Blosc.decode(chunk)` ' +
      '(c-blosc 1.18.1, async, fresh output per call); the JS decoders of one chunk are timed in alternation; c-blosc2 / c-blosc = native through python-blosc2 / python-blosc, ' +
      'nthreads 1, preallocated output, timed in Python. ratio = nbytes / cbytes. ' +
      `ts÷set = blosc-ts b1 over \`Uint8Array.prototype.set\` of 16 MiB (${fmtMBps(setMBps)} MB/s in this run).`,
    tables: [{ columns, rows, strong }],
    targets,
    notes,
    results,
  };
}
