/**
 * Section: codec-level rows for zstd and LZ4HC, single thread, 16 MiB chunks, SHUFFLE,
 * typesize = item size.
 *
 * zstd decoding (the zstd+shuffle Blosc2 chunk python-blosc2 wrote at clevel 5, the same
 * chunk for every Blosc2 reader):
 *   - blosc-ts `decompress(chunk, out)` with its own zstd decoder (the default);
 *   - blosc-ts `decompress(chunk, out)` with fzstd swapped in behind the zstd id
 *     (`replaceBuiltinCodec(zstdFzstdCodec)`, from codecs/zstd-fzstd.js next to the library);
 *     each timed call first installs its decoder (a Map.set), so the two alternate fairly;
 *   - numcodecs.js 0.3.2 `Blosc.decode(chunk)` (WASM c-blosc 1.18.1) of the Blosc1 zstd chunk
 *     python-blosc wrote from the same data (it cannot read Blosc2 chunks);
 *   - native c-blosc2 through python-blosc2 (nthreads 1), from native.json.
 *   Every decoder's output is compared with the data set before it is timed; the JS
 *   decoders of one chunk are timed in alternation.
 *
 * Compression (Blosc2 chunks, `compress(src, { codec, clevel, format: 'blosc2' })`):
 *   - zstd at Blosc clevels 1, 3, 5, 9 (zstd levels 1, 5, 9, 22) and LZ4HC at clevels 5, 9,
 *     against the chunks python-blosc2 wrote at the same clevel (`codec_chunks` in
 *     manifest.json; sizes compared, bytes compared) and its speed (`codec_encode` in
 *     native.json). Every chunk blosc-ts writes is decoded and compared with the data set
 *     before it is timed; the checking call is the warm-up. Target rows (issue 18): per
 *     codec and clevel, the geomean over the sets of blosc-ts ÷ c-blosc2 against
 *     NATIVE_CODEC_ENCODE_TARGET (the lowest set named beside it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { sameBytes } from './lib/data.mjs';
import { mbps, timeInterleaved } from './lib/timing.mjs';
import { fmtCompressionRatio, fmtMBps, fmtPercent, fmtRatio, geomean } from './lib/table.mjs';

/** Decode speed asked of our zstd decoder relative to fzstd, on every data set. */
export const FZSTD_SPEEDUP_TARGET = 3;
/** Decode speed asked of our zstd decoder relative to numcodecs.js (WASM), on every data set. */
export const ZSTD_WASM_SPEEDUP_TARGET = 1;
/** Largest relative size difference to the native chunk, per codec. */
export const SIZE_TOLERANCE = Object.freeze({ zstd: 0.1, lz4hc: 0.03 });
/** Blosc clevels of the compression rows, per codec. */
export const CODEC_LEVELS = Object.freeze({ zstd: Object.freeze([1, 3, 5, 9]), lz4hc: Object.freeze([5, 9]) });
/** Compression speed asked of blosc-ts relative to c-blosc2 (nthreads 1), geomean over the sets, per codec and clevel. */
export const NATIVE_CODEC_ENCODE_TARGET = Object.freeze({ zstd: 0.4, lz4hc: 0.6 });

/** Warm-up per zstd decoder before timing (see timeInterleaved's warmupMs). */
const ZSTD_DECODE_WARMUP_MS = 1500;
const ZSTD_ID = 5;

function firstLine(err) {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split('\n')[0];
}

/** The zstd level Blosc passes to libzstd for a clevel (zstd_wrap_compress: 2·clevel − 1, 22 at 9). */
function zstdLevel(clevel) {
  return clevel >= 9 ? 22 : 2 * clevel - 1;
}

function readBytes(path) {
  const buf = readFileSync(path);
  const out = new Uint8Array(buf.length);
  out.set(buf);
  return out;
}

/** The python-blosc2 codec-level chunks listed in manifest.json, with their bytes. */
function loadCodecChunks(dataDir) {
  const path = join(dataDir, 'manifest.json');
  if (!existsSync(path)) return [];
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(manifest.codec_chunks)) return [];
  return manifest.codec_chunks
    .filter((c) => existsSync(join(dataDir, c.file)))
    .map((c) => ({ set: c.set, codec: c.codec, clevel: c.clevel, bytes: readBytes(join(dataDir, c.file)) }));
}

/** Check one decoder on a chunk (twice into the same output); returns { entry } or { error }. */
function prepareDecode(install, decompress, chunk, raw) {
  const out = new Uint8Array(raw.length);
  try {
    install();
    if (!sameBytes(decompress(chunk, out), raw)) return { error: 'decoded bytes differ from the data set' };
    out.fill(0);
    if (!sameBytes(decompress(chunk, out), raw)) return { error: 'second decode into the same output differs from the data set' };
  } catch (err) {
    return { error: firstLine(err) };
  }
  return {
    entry: {
      fn: () => {
        install();
        return decompress(chunk, out);
      },
      isAsync: false,
    },
  };
}

async function prepareWasmDecode(codec, chunk, raw) {
  try {
    if (!sameBytes(await codec.decode(chunk), raw)) return { error: 'decoded bytes differ from the data set' };
  } catch (err) {
    return { error: firstLine(err) };
  }
  return { entry: { fn: () => codec.decode(chunk), isAsync: true } };
}

/** Compress once, check the chunk decodes to the data set; returns { entry, chunk } or { error }. */
function prepareEncode(mod, set, codec, clevel) {
  const options = { codec, clevel, typesize: set.itemsize, shuffle: 'shuffle', format: 'blosc2' };
  let chunk;
  try {
    chunk = mod.compress(set.raw, options);
    if (!(chunk instanceof Uint8Array)) return { error: 'compress did not return a Uint8Array' };
    if (!sameBytes(mod.decompress(chunk), set.raw)) return { error: 'chunk does not decode back to the data set' };
  } catch (err) {
    return { error: firstLine(err) };
  }
  const compress = mod.compress;
  const raw = set.raw;
  return { entry: { fn: () => compress(raw, options), isAsync: false }, chunk };
}

/**
 * Run the section.
 * @param {{ data: { sets: Map<string, any>, chunks: any[], native: any }, libPath: string, dataDir: string,
 *           Blosc: any, timing: object, log: (line: string) => void }} ctx
 */
export async function runCodecSection(ctx) {
  const { data, libPath, dataDir, Blosc, timing, log } = ctx;
  const notes = [];
  const targets = [];
  const ratio = (a, b) => (a === null || b === null ? null : a / b);

  let mod = null;
  if (libPath !== null && existsSync(libPath)) {
    try {
      mod = await import(pathToFileURL(libPath).href);
    } catch (err) {
      notes.push(`codec rows: cannot import ${libPath} (${firstLine(err)}).`);
    }
  }
  let fzstdCodec = null;
  let ownZstd = null;
  // Our decoder with its JavaScript sequence loop only (setZstdWasmEnabled(false)), for a column of its own.
  let setZstdWasm = null;
  if (mod !== null) {
    const wasmPath = join(dirname(libPath), 'codecs', 'zstd', 'sequences-wasm.js');
    try {
      setZstdWasm = (await import(pathToFileURL(wasmPath).href)).setZstdWasmEnabled ?? null;
    } catch (err) {
      notes.push(`zstd "ours, JS loop" column missing: cannot import ${wasmPath} (${firstLine(err)}).`);
    }
  }
  if (mod !== null && typeof mod.replaceBuiltinCodec === 'function' && typeof mod.getCodec === 'function') {
    ownZstd = mod.getCodec(ZSTD_ID) ?? null;
    const fzstdPath = join(dirname(libPath), 'codecs', 'zstd-fzstd.js');
    try {
      fzstdCodec = (await import(pathToFileURL(fzstdPath).href)).zstdFzstdCodec ?? null;
    } catch (err) {
      notes.push(`fzstd rows missing: cannot import ${fzstdPath} (${firstLine(err)}).`);
    }
  }

  // --- zstd decoding -------------------------------------------------------------------------
  const decodeResults = [];
  const nativeDecode = new Map();
  for (const row of data.native?.decode ?? []) nativeDecode.set(`${row.impl}|${row.set}|${row.codec}|${row.format}`, row.mbps);
  const wasm = Blosc === null ? null : Blosc.fromConfig({ id: 'blosc', clevel: 5, cname: 'zstd', shuffle: 1, blocksize: 0 });
  const chunkFor = (set, format) => data.chunks.find((c) => c.set === set && c.codec === 'zstd' && c.format === format) ?? null;
  for (const set of data.sets.values()) {
    const b2 = chunkFor(set.name, 'b2');
    const b1 = chunkFor(set.name, 'b1');
    const row = {
      set: set.name,
      ratio: b2?.ratio ?? null,
      ours: null,
      oursJs: null,
      fzstd: null,
      wasm: null,
      native: nativeDecode.get(`c-blosc2|${set.name}|zstd|b2`) ?? null,
    };
    const candidates = [];
    if (mod !== null && b2 !== null && ownZstd !== null) {
      const replace = mod.replaceBuiltinCodec;
      const useWasm = (on) => setZstdWasm?.(on);
      const own = (wasmLoop) => () => {
        replace(ownZstd);
        useWasm(wasmLoop);
      };
      candidates.push(['ours', 'blosc-ts (own zstd)', prepareDecode(own(true), mod.decompress, b2.bytes, set.raw)]);
      if (setZstdWasm !== null) candidates.push(['oursJs', 'blosc-ts (own zstd, JS loop)', prepareDecode(own(false), mod.decompress, b2.bytes, set.raw)]);
      useWasm(true);
      if (fzstdCodec !== null) {
        candidates.push(['fzstd', 'blosc-ts (fzstd)', prepareDecode(() => replace(fzstdCodec), mod.decompress, b2.bytes, set.raw)]);
      }
    }
    if (wasm !== null && b1 !== null) candidates.push(['wasm', 'numcodecs.js', await prepareWasmDecode(wasm, b1.bytes, set.raw)]);
    const timed = [];
    for (const [key, what, prepared] of candidates) {
      if ('error' in prepared) notes.push(`zstd decode ${set.name} ${what}: ${prepared.error}`);
      else timed.push([key, prepared.entry]);
    }
    // Warmed up in alternation for a while first: our decoder's code is optimized after a
    // few dozen calls here, and rare paths met later cost a deoptimization or two.
    const summaries = await timeInterleaved(timed.map(([, entry]) => entry), { ...timing, warmupMs: ZSTD_DECODE_WARMUP_MS });
    timed.forEach(([key], k) => {
      row[key] = mbps(set.raw.length, summaries[k].medianMs);
    });
    if (ownZstd !== null) mod.replaceBuiltinCodec(ownZstd);
    setZstdWasm?.(true);
    decodeResults.push(row);
    log(
      `  zstd decode ${set.name.padEnd(12)} ours ${fmtMBps(row.ours).padStart(6)}  JS loop ${fmtMBps(row.oursJs).padStart(6)}  fzstd ${fmtMBps(row.fzstd).padStart(6)}  ` +
        `WASM ${fmtMBps(row.wasm).padStart(6)}  c-blosc2 ${fmtMBps(row.native).padStart(6)} MB/s  ours÷fzstd ${fmtRatio(ratio(row.ours, row.fzstd))}`,
    );
  }
  const decodeLine = (label, r) => [
    label,
    fmtCompressionRatio(r.ratio),
    fmtMBps(r.ours),
    fmtMBps(r.oursJs),
    fmtMBps(r.fzstd),
    fmtMBps(r.wasm),
    fmtMBps(r.native),
    fmtRatio(ratio(r.ours, r.fzstd)),
    fmtRatio(ratio(r.ours, r.wasm)),
    fmtRatio(ratio(r.ours, r.native)),
  ];
  const decodeRows = decodeResults.map((r) => decodeLine(r.set, r));
  const gm = {};
  for (const key of ['ratio', 'ours', 'oursJs', 'fzstd', 'wasm', 'native']) {
    gm[key] = decodeResults.some((r) => r[key] === null) ? null : geomean(decodeResults.map((r) => r[key]));
  }
  const decodeStrong = [decodeRows.length];
  decodeRows.push(decodeLine('geomean', gm));
  for (const r of decodeResults) {
    const vsFzstd = ratio(r.ours, r.fzstd);
    targets.push({
      name: `zstd+shuffle decode (b2), ${r.set}: our zstd ≥ ${FZSTD_SPEEDUP_TARGET}× fzstd`,
      value: fmtRatio(vsFzstd),
      pass: vsFzstd === null ? null : vsFzstd >= FZSTD_SPEEDUP_TARGET,
    });
  }
  for (const r of decodeResults) {
    const vsWasm = ratio(r.ours, r.wasm);
    targets.push({
      name: `zstd+shuffle decode, ${r.set}: our zstd (b2) ≥ numcodecs.js WASM (b1)`,
      value: fmtRatio(vsWasm),
      pass: vsWasm === null ? null : vsWasm >= ZSTD_WASM_SPEEDUP_TARGET,
    });
  }

  // --- compression at several clevels --------------------------------------------------------
  const references = loadCodecChunks(dataDir);
  if (references.length === 0) notes.push('codec rows: no codec_chunks in manifest.json (older datasets.py?): no native sizes.');
  const nativeEncode = new Map();
  for (const row of data.native?.codec_encode ?? []) nativeEncode.set(`${row.set}|${row.codec}|${row.clevel}`, row.mbps);
  const encodeResults = [];
  const canCompress = mod !== null && typeof mod.compress === 'function';
  for (const [codec, levels] of Object.entries(CODEC_LEVELS)) {
    for (const clevel of levels) {
      for (const set of data.sets.values()) {
        const reference = references.find((c) => c.set === set.name && c.codec === codec && c.clevel === clevel) ?? null;
        const n = set.raw.length;
        const row = {
          set: set.name,
          codec,
          clevel,
          cbytes: null,
          nativeCbytes: reference === null ? null : reference.bytes.length,
          same: null,
          ours: null,
          native: nativeEncode.get(`${set.name}|${codec}|${clevel}`) ?? null,
        };
        if (canCompress) {
          const prepared = prepareEncode(mod, set, codec, clevel);
          if ('error' in prepared) {
            notes.push(`compress ${set.name} ${codec} clevel ${clevel}: ${prepared.error}`);
          } else {
            row.cbytes = prepared.chunk.length;
            row.same = reference === null ? null : sameBytes(prepared.chunk, reference.bytes);
            // The checking call was the warm-up.
            const [summary] = await timeInterleaved([prepared.entry], { ...timing, warmups: 0 });
            row.ours = mbps(n, summary.medianMs);
          }
        }
        encodeResults.push(row);
        log(
          `  compress ${codec.padEnd(5)} clevel ${clevel} ${set.name.padEnd(12)} ratio ${fmtCompressionRatio(ratio(n, row.cbytes)).padStart(5)} ` +
            `(native ${fmtCompressionRatio(ratio(n, row.nativeCbytes)).padStart(5)})  blosc-ts ${fmtMBps(row.ours).padStart(6)}  ` +
            `c-blosc2 ${fmtMBps(row.native).padStart(6)} MB/s`,
        );
      }
    }
  }
  const sizeDiff = (r) => (r.cbytes === null || r.nativeCbytes === null ? null : r.cbytes / r.nativeCbytes - 1);
  const signedPercent = (d) => (d === null ? '–' : `${d >= 0 ? '+' : '−'}${fmtPercent(Math.abs(d) * 100)}`);
  const sameText = (value) => (value === null ? '–' : value ? 'yes' : 'no');
  const encodeColumns = [
    { title: 'codec', align: 'left' },
    { title: 'clevel' },
    { title: 'codec level' },
    { title: 'set', align: 'left' },
    { title: 'ratio blosc-ts' },
    { title: 'ratio c-blosc2' },
    { title: 'size vs c-blosc2' },
    { title: '= python-blosc2' },
    { title: 'blosc-ts MB/s' },
    { title: 'c-blosc2 MB/s' },
    { title: 'ts÷c-blosc2' },
  ];
  const encodeRows = [];
  const encodeStrong = [];
  for (const [codec, levels] of Object.entries(CODEC_LEVELS)) {
    for (const clevel of levels) {
      const mine = encodeResults.filter((r) => r.codec === codec && r.clevel === clevel);
      const level = codec === 'zstd' ? String(zstdLevel(clevel)) : String(clevel);
      for (const r of mine) {
        encodeRows.push([
          codec,
          clevel,
          level,
          r.set,
          fmtCompressionRatio(ratio(setBytes(data, r.set), r.cbytes)),
          fmtCompressionRatio(ratio(setBytes(data, r.set), r.nativeCbytes)),
          signedPercent(sizeDiff(r)),
          sameText(r.same),
          fmtMBps(r.ours),
          fmtMBps(r.native),
          fmtRatio(ratio(r.ours, r.native)),
        ]);
      }
      const g = (key) => (mine.some((r) => r[key] === null) ? null : geomean(mine.map((r) => r[key])));
      const known = mine.filter((r) => r.same !== null);
      encodeStrong.push(encodeRows.length);
      encodeRows.push([
        codec,
        clevel,
        level,
        'geomean',
        '',
        '',
        '',
        known.length === 0 ? '–' : `${known.filter((r) => r.same).length}/${known.length}`,
        fmtMBps(g('ours')),
        fmtMBps(g('native')),
        fmtRatio(ratio(g('ours'), g('native'))),
      ]);
    }
  }
  for (const [codec, levels] of Object.entries(CODEC_LEVELS)) {
    const wanted = NATIVE_CODEC_ENCODE_TARGET[codec];
    for (const clevel of levels) {
      const mine = encodeResults.filter((r) => r.codec === codec && r.clevel === clevel);
      const complete = mine.length > 0 && mine.every((r) => r.ours !== null && r.native !== null);
      const value = complete ? geomean(mine.map((r) => r.ours / r.native)) : null;
      let lowest = null;
      if (complete) for (const r of mine) if (lowest === null || r.ours / r.native < lowest.ours / lowest.native) lowest = r;
      targets.push({
        name: `${codec}+shuffle compress (b2) clevel ${clevel}: blosc-ts ≥ ${wanted}× c-blosc2, geomean of the sets`,
        value: value === null ? '–' : `${fmtRatio(value)} (lowest ${lowest.set} ${fmtRatio(lowest.ours / lowest.native)})`,
        pass: value === null ? null : value >= wanted,
      });
    }
  }
  for (const r of encodeResults) {
    const tolerance = SIZE_TOLERANCE[r.codec];
    const d = sizeDiff(r);
    targets.push({
      name: `${r.codec}+shuffle compress clevel ${r.clevel}, ${r.set}: size within ${Math.round(tolerance * 100)}% of c-blosc2`,
      value: signedPercent(d),
      pass: d === null ? null : Math.abs(d) <= tolerance,
    });
  }

  return {
    title: 'Codec level: zstd and LZ4HC',
    description:
      'zstd decoding: MB/s of decoded bytes (10^6 B/s), single thread, of the zstd+shuffle Blosc2 chunk python-blosc2 wrote at clevel 5 ' +
      '(16 MiB, typesize = item size). ours = blosc-ts `decompress(chunk, out)` with its own zstd decoder (sequences decoded and executed ' +
      'by the WebAssembly loop of src/codecs/zstd/sequences-wasm.ts, Huffman literals by src/codecs/zstd/huffman-wasm.ts, tables in TypeScript); JS loop = the same with ' +
      '`setZstdWasmEnabled(false)` (all TypeScript); fzstd = the same call with ' +
      'fzstd 0.1.1 behind the zstd id (`replaceBuiltinCodec(zstdFzstdCodec)`); WASM = numcodecs.js 0.3.2 `Blosc.decode` of the Blosc1 ' +
      'zstd chunk python-blosc wrote from the same data (c-blosc 1.18.1 reads Blosc1 only; async, fresh output per call); c-blosc2 = native ' +
      'through python-blosc2, nthreads 1. The JS decoders of one chunk are timed in alternation, each output compared with the data set first, ' +
      `after ${ZSTD_DECODE_WARMUP_MS / 1000} s of warm-up calls each, also in alternation (throughput once the JIT has settled).`,
    tables: [
      {
        caption: 'zstd decoding, MB/s',
        columns: [
          { title: 'set', align: 'left' },
          { title: 'ratio' },
          { title: 'ours' },
          { title: 'JS loop' },
          { title: 'fzstd' },
          { title: 'WASM b1' },
          { title: 'c-blosc2' },
          { title: 'ours÷fzstd' },
          { title: 'ours÷WASM' },
          { title: 'ours÷c-blosc2' },
        ],
        rows: decodeRows,
        strong: decodeStrong,
      },
      {
        caption:
          'Compression of Blosc2 chunks (SHUFFLE, typesize = item size) by blosc-ts `compress(src, { codec, clevel, format: \'blosc2\' })` ' +
          'and by python-blosc2 `compress2(..., nthreads=1)` at the same clevel (zstd level = 2·clevel − 1, 22 at clevel 9); MB/s of uncompressed bytes. ' +
          'Every blosc-ts chunk is decoded and compared with the data set before timing, then compared with the python-blosc2 chunk. ' +
          'size vs c-blosc2 = blosc-ts cbytes ÷ c-blosc2 cbytes − 1.',
        columns: encodeColumns,
        rows: encodeRows,
        strong: encodeStrong,
      },
    ],
    targets,
    notes,
    results: { decode: decodeResults, encode: encodeResults },
  };
}

/** Size of the named data set. */
function setBytes(data, name) {
  return data.sets.get(name)?.raw.length ?? null;
}
