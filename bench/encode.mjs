/**
 * Section: whole-chunk compression, MB/s of uncompressed bytes, single thread.
 *
 * Per data set × codec (SHUFFLE, clevel 5, typesize = item size):
 *   - blosc-ts `compress(src, { format: 'blosc1' })` (the chunk c-blosc 1.x writes) and
 *     `compress(src, { format: 'blosc2' })` (the chunk c-blosc2 writes); each output is
 *     decoded with `decompress` and compared with the data set, then compared byte for byte
 *     with the chunk python-blosc / python-blosc2 wrote in this run;
 *   - numcodecs.js 0.3.2 `Blosc.encode(src)` (WASM c-blosc 1.18.1, async, copies its input
 *     into the WASM heap; its typesize is fixed at 4 whatever the data, so its ratio is its
 *     own and reported apart); its output is decoded by numcodecs.js and compared too;
 *   - native c-blosc (`blosc.compress`) and c-blosc2 (`blosc2.compress2`, nthreads 1) from
 *     bench/.data/native.json (measured by datasets.py in the same run).
 * A writer whose chunk does not decode back to the data set is reported and not timed. The
 * JS writers of one data set × codec are timed in alternation (timeInterleaved); the
 * checking call is their warm-up.
 */
import { ENCODE_CODECS, sameBytes } from './lib/data.mjs';
import { mbps, timeInterleaved } from './lib/timing.mjs';
import { fmtCompressionRatio, fmtMBps, fmtRatio, geomean } from './lib/table.mjs';

/** Compression speed a target asks of blosc-ts relative to numcodecs.js (WASM). */
export const WASM_ENCODE_SPEEDUP_TARGET = 1.5;
/** Codecs the WASM and native targets apply to. */
export const WASM_ENCODE_TARGET_CODECS = Object.freeze(['lz4', 'blosclz']);
/**
 * Blosc1 compression speed asked of blosc-ts relative to numcodecs.js (WASM), per codec
 * (issue 18): LZ4 and BloscLZ as above, zstd 1.5×, zlib 1×. Their native targets live
 * where each is measured (zstd: the codec-level section, bench/codecs.mjs).
 */
export const WASM_ENCODE_SPEEDUP_TARGETS = Object.freeze({ lz4: WASM_ENCODE_SPEEDUP_TARGET, blosclz: WASM_ENCODE_SPEEDUP_TARGET, zstd: 1.5, zlib: 1 });
/** Compression speed a target asks of blosc-ts relative to the native writer of each format (issue 18). */
export const NATIVE_ENCODE_TARGET = 0.5;

const CLEVEL = 5;

function firstLine(err) {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split('\n')[0];
}

function nativeLookup(native) {
  const map = new Map();
  if (native === null || !Array.isArray(native.encode)) return map;
  for (const row of native.encode) map.set(`${row.impl}|${row.set}|${row.codec}|${row.format}`, row.mbps);
  return map;
}

/**
 * Compress with blosc-ts once, check the chunk decodes to the data set, and compare it with
 * the python-written reference. Returns { entry, cbytes, identical } or { error }.
 */
function prepareBloscTs(lib, set, codec, format, reference) {
  const options = { codec, clevel: CLEVEL, typesize: set.itemsize, shuffle: 'shuffle', format };
  let chunk;
  try {
    chunk = lib.compress(set.raw, options);
    if (!(chunk instanceof Uint8Array)) return { error: 'compress did not return a Uint8Array' };
    if (!sameBytes(lib.decompress(chunk), set.raw)) return { error: 'chunk does not decode back to the data set' };
  } catch (err) {
    return { error: firstLine(err) };
  }
  const compress = lib.compress;
  const raw = set.raw;
  return {
    entry: { fn: () => compress(raw, options), isAsync: false },
    cbytes: chunk.length,
    identical: reference === null ? null : sameBytes(chunk, reference.bytes),
  };
}

/** Encode with numcodecs.js once and check it decodes back. Returns { entry, cbytes } or { error }. */
async function prepareWasm(encoder, raw) {
  let cbytes;
  try {
    const chunk = await encoder.encode(raw);
    cbytes = chunk.length;
    if (!sameBytes(await encoder.decode(chunk), raw)) return { error: 'chunk does not decode back to the data set' };
  } catch (err) {
    return { error: firstLine(err) };
  }
  return { entry: { fn: () => encoder.encode(raw), isAsync: true }, cbytes };
}

const sameText = (value) => (value === null ? '–' : value ? 'yes' : 'no');

/**
 * Run the section.
 * @param {{ data: { sets: Map<string, any>, referenceChunks: any[], native: any },
 *           lib: { compress?: Function, decompress: Function } | null,
 *           Blosc: any, timing: object, log: (line: string) => void }} ctx
 * @returns {Promise<{ title: string, description: string, tables: object[], targets: object[], notes: string[], results: object[] }>}
 */
export async function runEncodeSection(ctx) {
  const { data, Blosc, timing, log } = ctx;
  const lib = ctx.lib !== null && typeof ctx.lib.compress === 'function' ? ctx.lib : null;
  const native = nativeLookup(data.native);
  const notes = [];
  const results = [];
  if (ctx.lib !== null && lib === null) notes.push('blosc-ts does not export compress(): no blosc-ts compression rows.');

  const referenceFor = (set, codec, format) =>
    (data.referenceChunks ?? []).find((c) => c.set === set && c.codec === codec && c.format === format) ?? null;

  for (const codec of ENCODE_CODECS) {
    const wasm = Blosc === null ? null : Blosc.fromConfig({ id: 'blosc', clevel: CLEVEL, cname: codec, shuffle: 1, blocksize: 0 });
    for (const set of data.sets.values()) {
      const refB1 = referenceFor(set.name, codec, 'b1');
      const refB2 = referenceFor(set.name, codec, 'b2');
      const n = set.raw.length;
      const row = {
        set: set.name,
        codec,
        ratioB1: null,
        ratioB2: null,
        sameB1: null,
        sameB2: null,
        ratioWasm: null,
        tsB1: null,
        tsB2: null,
        wasm: null,
        nativeC1B1: native.get(`c-blosc|${set.name}|${codec}|b1`) ?? null,
        nativeC2B2: native.get(`c-blosc2|${set.name}|${codec}|b2`) ?? null,
        nativeRatioB1: refB1 === null ? null : n / refB1.bytes.length,
        nativeRatioB2: refB2 === null ? null : n / refB2.bytes.length,
        errors: [],
      };
      const candidates = [];
      if (lib !== null) {
        candidates.push(['tsB1', 'blosc-ts blosc1', prepareBloscTs(lib, set, codec, 'blosc1', refB1)]);
        candidates.push(['tsB2', 'blosc-ts blosc2', prepareBloscTs(lib, set, codec, 'blosc2', refB2)]);
      }
      if (wasm !== null) candidates.push(['wasm', 'numcodecs.js', await prepareWasm(wasm, set.raw)]);
      const timed = [];
      for (const [key, what, prepared] of candidates) {
        if ('error' in prepared) {
          row.errors.push(`${what}: ${prepared.error}`);
          notes.push(`compress ${set.name} ${codec} ${what}: ${prepared.error}`);
          continue;
        }
        timed.push([key, prepared.entry]);
        if (key === 'tsB1') {
          row.ratioB1 = n / prepared.cbytes;
          row.sameB1 = prepared.identical;
        } else if (key === 'tsB2') {
          row.ratioB2 = n / prepared.cbytes;
          row.sameB2 = prepared.identical;
        } else {
          row.ratioWasm = n / prepared.cbytes;
        }
      }
      // The checking call above was each writer's warm-up.
      const summaries = await timeInterleaved(
        timed.map(([, entry]) => entry),
        { ...timing, warmups: 0 },
      );
      timed.forEach(([key], k) => {
        row[key] = mbps(n, summaries[k].medianMs);
      });
      results.push(row);
      log(
        `  compress ${set.name.padEnd(12)} ${codec.padEnd(8)} blosc-ts b1 ${fmtMBps(row.tsB1).padStart(6)} (= ${sameText(row.sameB1)})  ` +
          `b2 ${fmtMBps(row.tsB2).padStart(6)} (= ${sameText(row.sameB2)})  WASM ${fmtMBps(row.wasm).padStart(6)}  ` +
          `c-blosc ${fmtMBps(row.nativeC1B1).padStart(6)}  c-blosc2 ${fmtMBps(row.nativeC2B2).padStart(6)} MB/s`,
      );
    }
  }

  const ratio = (a, b) => (a === null || b === null ? null : a / b);
  const columns = [
    { title: 'set', align: 'left' },
    { title: 'codec', align: 'left' },
    { title: 'ratio b1' },
    { title: 'b1 = python-blosc' },
    { title: 'ratio b2' },
    { title: 'b2 = python-blosc2' },
    { title: 'ratio WASM (typesize 4)' },
    { title: 'blosc-ts b1' },
    { title: 'blosc-ts b2' },
    { title: 'WASM' },
    { title: 'c-blosc b1' },
    { title: 'c-blosc2 b2' },
    { title: 'ts b1÷WASM' },
    { title: 'ts÷c-blosc (b1)' },
    { title: 'ts÷c-blosc2 (b2)' },
  ];
  const line = (label, codec, r, same1, same2) => [
    label,
    codec,
    fmtCompressionRatio(r.ratioB1),
    same1,
    fmtCompressionRatio(r.ratioB2),
    same2,
    fmtCompressionRatio(r.ratioWasm),
    fmtMBps(r.tsB1),
    fmtMBps(r.tsB2),
    fmtMBps(r.wasm),
    fmtMBps(r.nativeC1B1),
    fmtMBps(r.nativeC2B2),
    fmtRatio(ratio(r.tsB1, r.wasm)),
    fmtRatio(ratio(r.tsB1, r.nativeC1B1)),
    fmtRatio(ratio(r.tsB2, r.nativeC2B2)),
  ];
  const rows = [];
  const strong = [];
  const keys = ['ratioB1', 'ratioB2', 'ratioWasm', 'tsB1', 'tsB2', 'wasm', 'nativeC1B1', 'nativeC2B2'];
  const countSame = (mine, key) => {
    const known = mine.filter((r) => r[key] !== null);
    return known.length === 0 ? '–' : `${known.filter((r) => r[key]).length}/${known.length}`;
  };
  for (const codec of ENCODE_CODECS) {
    const mine = results.filter((r) => r.codec === codec);
    if (mine.length === 0) continue;
    for (const r of mine) rows.push(line(r.set, codec, r, sameText(r.sameB1), sameText(r.sameB2)));
    const gm = {};
    // Geomeans only when every set contributed, so their ratios compare like with like.
    for (const key of keys) gm[key] = mine.some((r) => r[key] === null) ? null : geomean(mine.map((r) => r[key]));
    strong.push(rows.length);
    rows.push(line('geomean', codec, gm, countSame(mine, 'sameB1'), countSame(mine, 'sameB2')));
  }

  const targets = [];
  for (const [codec, wanted] of Object.entries(WASM_ENCODE_SPEEDUP_TARGETS)) {
    for (const r of results.filter((x) => x.codec === codec)) {
      const value = ratio(r.tsB1, r.wasm);
      targets.push({
        name: `${codec}+shuffle compress, ${r.set}: blosc-ts ≥ ${wanted}× numcodecs.js WASM`,
        value: fmtRatio(value),
        pass: value === null ? null : value >= wanted,
      });
    }
  }

  // Each format against its native writer (c-blosc for Blosc1, c-blosc2 for Blosc2), every set.
  for (const codec of WASM_ENCODE_TARGET_CODECS) {
    for (const r of results.filter((x) => x.codec === codec)) {
      for (const [fmt, ts, c, cname] of [['b1', r.tsB1, r.nativeC1B1, 'c-blosc'], ['b2', r.tsB2, r.nativeC2B2, 'c-blosc2']]) {
        const value = ratio(ts, c);
        targets.push({
          name: `${codec}+shuffle compress ${fmt}, ${r.set}: blosc-ts ≥ ${NATIVE_ENCODE_TARGET}× ${cname}`,
          value: fmtRatio(value),
          pass: value === null ? null : value >= NATIVE_ENCODE_TARGET,
        });
      }
    }
  }

  const differing = results.filter((r) => r.sameB1 === false || r.sameB2 === false);
  if (differing.length > 0) {
    const which = differing.map((r) => `${r.set} ${r.codec}${r.sameB1 === false ? ' b1' : ''}${r.sameB2 === false ? ' b2' : ''}`);
    notes.push(`blosc-ts chunks that decode back to the data set but differ from the python-written chunk: ${which.join('; ')}.`);
  }

  return {
    title: 'Chunk compression',
    description:
      'MB/s of uncompressed bytes (10^6 B/s), single thread, 16 MiB chunks, SHUFFLE, clevel 5, typesize = item size. ' +
      "blosc-ts b1 / b2 = `compress(src, { format: 'blosc1' | 'blosc2' })`; every chunk it writes is decoded with `decompress` " +
      'and compared with the data set before timing, then compared byte for byte with the chunk python-blosc (b1) / python-blosc2 (b2) ' +
      'wrote from the same data in this run (columns "= python-blosc(2)"; when yes, the ratio is also the native writer\'s). ' +
      'WASM = numcodecs.js 0.3.2 `Blosc.encode(src)` (c-blosc 1.18.1, async, fresh output per call); it fixes typesize at 4 whatever ' +
      'the data, so its chunks differ and its ratio is shown apart. The JS writers of one row are timed in alternation; the checking ' +
      'call is their warm-up. c-blosc b1 = `blosc.compress` (python-blosc, `set_nthreads(1)`), c-blosc2 b2 = ' +
      '`blosc2.compress2(..., nthreads=1)` (python-blosc2), timed in Python with the same rule, each returning a fresh bytes object. ' +
      'ratio = nbytes / cbytes. ts b1÷WASM compares the same Blosc1 format; ts÷c-blosc (b1) and ts÷c-blosc2 (b2) compare each format with its native writer.',
    tables: [{ columns, rows, strong }],
    targets,
    notes,
    results,
  };
}
