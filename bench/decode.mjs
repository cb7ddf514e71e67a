/**
 * Section: whole-chunk decoding, MB/s of decoded bytes, single thread.
 *
 * Per data set × codec (SHUFFLE, clevel 5, typesize = item size):
 *   - blosc-ts `decompress(chunk, out)` into a preallocated output, for the Blosc1 chunk
 *     (python-blosc) and for the Blosc2 chunk (python-blosc2);
 *   - numcodecs.js 0.3.2 `Blosc.decode(chunk)` of the same Blosc1 chunk (WASM c-blosc 1.18.1,
 *     public API: async, copies its input into the WASM heap and returns a fresh array);
 *   - native C-Blosc2 (Blosc1 and Blosc2 chunks) and C-Blosc 1.x (Blosc1 chunks) through
 *     python-blosc2 / python-blosc, nthreads 1, into a preallocated numpy array: a Python
 *     process kept alive for the section (bench/decode.py) times one call per request.
 * Every decoder's output is compared with the data set before it is timed (the native ones
 * by decode.py, which also reports each chunk's SHA-256, compared here with the bytes the JS
 * decoders read); a wrong or failing decode is reported and not timed. All decoders of one
 * chunk, JS and native, are timed in the same rounds (timeInterleaved, the native calls as
 * selfTimed entries: their sample is the time Python measured around its call), so
 * background load falls on both sides alike and the ratios to C do not move with it.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sameBytes, sha256 } from './lib/data.mjs';
import { roundEntry, spawnRoundServer } from './lib/round-server.mjs';
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

/** The native columns: [row key, label, implementation, chunk format]. */
const NATIVE_COLUMNS = Object.freeze([
  ['nativeC2B1', 'c-blosc2 b1', 'c-blosc2', 'b1'],
  ['nativeC1B1', 'c-blosc b1', 'c-blosc', 'b1'],
  ['nativeC2B2', 'c-blosc2 b2', 'c-blosc2', 'b2'],
]);

/**
 * The native decoders (bench/decode.py, a round server over the chunks datasets.py wrote
 * into `dataDir`): { alive, prepare(impl, chunk), stop, close } or null, with the reason pushed
 * to `notes`. `prepare` returns the selfTimed call of one native decode ({ entry }) or why
 * it cannot be timed ({ error }).
 */
async function startNativeDecoders({ python, dataDir, data, notes, log }) {
  if (data.referenceChunks.length === 0) {
    notes.push('c-blosc2 / c-blosc columns n/a: the chunks were not written by python-blosc / python-blosc2 in this run, so there is no native decoder to time.');
    return null;
  }
  const script = join(dirname(fileURLToPath(import.meta.url)), 'decode.py');
  log(`$ ${python} ${script} ${dataDir}`);
  const server = spawnRoundServer(python, [script, dataDir]);
  let ready;
  try {
    ready = JSON.parse(await server.next());
  } catch (err) {
    server.close();
    notes.push(`c-blosc2 / c-blosc columns n/a: ${python} bench/decode.py failed (${firstLine(err)}); python3 with blosc==1.11.4, blosc2==4.14.1 and numpy is needed (fixtures/requirements.txt).`);
    return null;
  }
  let alive = true;
  return {
    /** False once a request failed: the remaining rows have no native columns (one note says why). */
    alive: () => alive,
    prepare(impl, chunk) {
      const request = `${impl} ${chunk.set} ${chunk.codec} ${chunk.format}`;
      const served = ready.chunks[`${chunk.set} ${chunk.codec} ${chunk.format}`];
      if (served === undefined || !served.impls.includes(impl)) return { error: `bench/decode.py has no ${impl} decoder for this chunk` };
      if (served.sha256 !== sha256(chunk.bytes)) return { error: 'bench/decode.py read other bytes than this chunk (SHA-256 differs)' };
      return { entry: roundEntry(server, request) };
    },
    /** After a failed request: no further native calls in this run. */
    stop() {
      alive = false;
      server.close();
    },
    close() {
      server.close();
    },
  };
}

/**
 * Check blosc-ts on one chunk (twice into `out`, the preallocated output the timed calls
 * write), then return the call to time: { entry } or { error }.
 */
function prepareBloscTs(lib, chunk, raw, out) {
  try {
    const nbytes = typeof lib.chunkInfo === 'function' ? lib.chunkInfo(chunk).nbytes : raw.length;
    if (nbytes !== raw.length) return { error: `chunkInfo says nbytes ${nbytes}, data set has ${raw.length}` };
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
 * @param {{ data: { sets: Map<string, any>, chunks: any[], referenceChunks: any[] },
 *           lib: { decompress: Function, chunkInfo?: Function } | null,
 *           Blosc: any, setMBps: number, timing: object, log: (line: string) => void,
 *           python: string, native: boolean, dataDir: string }} ctx
 * @returns {Promise<{ title: string, tables: object[], targets: object[], notes: string[], results: object[] }>}
 */
export async function runDecodeSection(ctx) {
  const { data, lib, Blosc, setMBps, timing, log, python, dataDir } = ctx;
  const wasm = Blosc === null ? null : Blosc.fromConfig({ id: 'blosc', clevel: 5, cname: 'lz4', shuffle: 1, blocksize: 0 });
  const notes = [];
  const results = [];
  if (!ctx.native) notes.push('c-blosc2 / c-blosc columns n/a: native timing was switched off (--no-native).');
  const native = ctx.native ? await startNativeDecoders({ python, dataDir, data, notes, log }) : null;
  try {
    await decodeRows({ data, lib, wasm, native, timing, log, notes, results });
  } finally {
    native?.close();
  }
  return sectionOf({ data, results, notes, native, setMBps });
}

/** Time every chunk's decoders in the same rounds: one row per data set × codec into `results`. */
async function decodeRows({ data, lib, wasm, native, timing, log, notes, results }) {
  // Each round in a fresh (seeded) order: no decoder always runs right after the same one
  // (after numcodecs.js, whose 16 MiB outputs the collection before the next call frees, or
  // after a call that left the same output array in cache).
  const rounds = { ...timing, shuffle: true };
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
        nativeC2B1: null,
        nativeC1B1: null,
        nativeC2B2: null,
        errors: [],
      };
      // Check every decoder first, then time the ones that decode correctly in the same rounds.
      const candidates = [];
      if (lib !== null) {
        // One output for both chunks, as decode.py has one numpy array for all its calls.
        const out = new Uint8Array(set.raw.length);
        candidates.push(['tsB1', 'blosc-ts Blosc1 chunk', prepareBloscTs(lib, b1.bytes, set.raw, out)]);
        if (b2 !== null) candidates.push(['tsB2', 'blosc-ts Blosc2 chunk', prepareBloscTs(lib, b2.bytes, set.raw, out)]);
      }
      if (wasm !== null) candidates.push(['wasm', 'numcodecs.js', await prepareWasm(wasm, b1.bytes, set.raw)]);
      if (native !== null && native.alive()) {
        for (const [key, label, impl, format] of NATIVE_COLUMNS) {
          const chunk = format === 'b1' ? b1 : b2;
          if (chunk !== null) candidates.push([key, label, native.prepare(impl, chunk)]);
        }
      }
      let timed = [];
      for (const [key, what, prepared] of candidates) {
        if ('error' in prepared) {
          row.errors.push(`${what}: ${prepared.error}`);
          notes.push(`${set.name} ${codec} ${what}: ${prepared.error}`);
        } else {
          timed.push([key, prepared.entry]);
        }
      }
      let summaries;
      try {
        summaries = await timeInterleaved(timed.map(([, entry]) => entry), rounds);
      } catch (err) {
        // Only the native calls reach another process; when one fails, the round server is
        // given up for the rest of the run and this row is timed again without it.
        if (native === null || !timed.some(([, entry]) => entry.selfTimed === true)) throw err;
        native.stop();
        notes.push(`${set.name} ${codec}: bench/decode.py failed (${firstLine(err)}); native columns n/a from this row on.`);
        timed = timed.filter(([, entry]) => entry.selfTimed !== true);
        summaries = await timeInterleaved(timed.map(([, entry]) => entry), rounds);
      }
      timed.forEach(([key], k) => {
        row[key] = mbps(set.raw.length, summaries[k].medianMs);
      });
      results.push(row);
      log(
        `  decode ${set.name.padEnd(12)} ${codec.padEnd(8)} blosc-ts b1 ${fmtMBps(row.tsB1).padStart(7)}  ` +
          `b2 ${fmtMBps(row.tsB2).padStart(7)}  WASM ${fmtMBps(row.wasm).padStart(7)}  ` +
          `c-blosc2 b1 ${fmtMBps(row.nativeC2B1).padStart(7)}  b2 ${fmtMBps(row.nativeC2B2).padStart(7)}  ` +
          `c-blosc b1 ${fmtMBps(row.nativeC1B1).padStart(7)} MB/s`,
      );
    }
  }
}

/** The section's tables, targets and description from the timed rows. */
function sectionOf({ data, results, notes, native, setMBps }) {
  const codecs = [...new Set(data.chunks.map((c) => c.codec))];
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
  // Native cells say n/a when no native decoder ran in this run (the notes say why).
  const nativeMBps = (v) => (native === null ? 'n/a' : fmtMBps(v));
  const nativeRatio = (v) => (native === null ? 'n/a' : fmtRatio(v));
  const line = (label, codec, r) => [
    label,
    codec,
    fmtCompressionRatio(r.ratioB1),
    fmtCompressionRatio(r.ratioB2),
    fmtMBps(r.tsB1),
    fmtMBps(r.tsB2),
    fmtMBps(r.wasm),
    nativeMBps(r.nativeC2B1),
    nativeMBps(r.nativeC1B1),
    nativeMBps(r.nativeC2B2),
    fmtRatio(ratio(r.tsB1, r.wasm)),
    nativeRatio(ratio(r.tsB1, r.nativeC2B1)),
    nativeRatio(ratio(r.tsB2, r.nativeC2B2)),
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
      'blosc-ts = `decompress(chunk, out)` into a preallocated output (one for the b1 and b2 chunks of a row, as on the native side); WASM = numcodecs.js 0.3.2 `Blosc.decode(chunk)` ' +
      '(c-blosc 1.18.1, async, fresh output per call); c-blosc2 / c-blosc = native ' +
      `${native === null ? '(not measured in this run: see the notes) ' : ''}` +
      'through python-blosc2 `decompress2(chunk, dst=out, nthreads=1)` / python-blosc `decompress_ptr(chunk, out)` into a preallocated numpy array, nthreads 1, ' +
      'wall time of the call measured in a Python process kept alive for the section (bench/decode.py, one call per request). ' +
      'All decoders of one chunk, JS and native, are timed in the same rounds: each round runs each of them once, in a fresh (seeded) order, ' +
      'after the same forced collection, and every column is the median of its own samples under the same warm-up and repeat rule, ' +
      'so load from other processes falls on both sides alike. ratio = nbytes / cbytes. ' +
      `ts÷set = blosc-ts b1 over \`Uint8Array.prototype.set\` of 16 MiB (${fmtMBps(setMBps)} MB/s in this run).`,
    tables: [{ columns, rows, strong }],
    targets,
    notes,
    results,
  };
}
