// Runtime smoke check, run by Node, Deno and Bun alike against the built package:
// decode a chunk python-blosc2 wrote, round-trip chunks, read a python-written frame from a
// file, pack/unpack a bloscpack file on disk, and do the same with worker threads
// (nthreads 2: this runtime's workers). Prints one JSON line.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chunkInfo, compress, compressAsync, decompress, decompressAsync, decompressFrameAsync, SChunk, bloscpack, shutdownPool,
} from '../../dist/index.js';
import { getPool } from '../../dist/pool/pool.js';
import { sequencesWasmCounts } from '../../dist/codecs/zstd/sequences-wasm.js';
import { huffmanWasmCounts } from '../../dist/codecs/zstd/huffman-wasm.js';
import { FileSource, bloscpackPackFile, bloscpackUnpackFile } from '../../dist/node.js';

const root = new URL('../../', import.meta.url).pathname;
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const checks = [];
function check(name, ok) {
  checks.push(name);
  if (!ok) throw new Error(`check failed: ${name}`);
}

const manifest = JSON.parse(readFileSync(join(root, 'fixtures/manifest.json'), 'utf8'));
for (const f of manifest.files.filter((x) => x.params.codec === 'zstd' && x.decoded.length > 10000).slice(0, 3)) {
  const out = decompress(new Uint8Array(readFileSync(join(root, 'fixtures', f.path))));
  check(`decode ${f.path}`, sha256(out) === f.decoded.sha256);
}
// This runtime runs zstd's WebAssembly sequence loop (no block handed back to JavaScript).
check('zstd WebAssembly sequence loop', sequencesWasmCounts.executed > 0 && sequencesWasmCounts.rejected === 0);

const data = new Float64Array(50000).map((_, i) => Math.sin(i / 100));
for (const codec of ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd']) {
  const chunk = compress(data, { codec, clevel: 5 });
  check(`round trip ${codec}`, chunkInfo(chunk).codec === codec && sha256(decompress(chunk)) === sha256(new Uint8Array(data.buffer)));
}
// Noisy floats: literal-heavy zstd blocks, whose Huffman literals this runtime decodes in WebAssembly.
let seed = 1;
const noisy = new Float64Array(50000).map((_, i) => Math.sin(i / 100) + (seed = (seed * 48271) % 2147483647) / 2147483647e3);
check('zstd round trip of noisy floats', sha256(decompress(compress(noisy, { codec: 'zstd', clevel: 5 }))) === sha256(new Uint8Array(noisy.buffer)));
check('zstd WebAssembly Huffman literals', huffmanWasmCounts.decoded > 0 && huffmanWasmCounts.rejected === 0);

const frames = JSON.parse(readFileSync(join(root, 'fixtures/frames/manifest.json'), 'utf8'));
const frameEntry = frames.files.find((x) => x.path.endsWith('.b2frame') && x.nbytes > 0);
const source = new FileSource(join(root, 'fixtures', frameEntry.path));
const schunk = SChunk.open(source);
check(`frame ${frameEntry.path}`, schunk.nchunks === frameEntry.nchunks && sha256(schunk.getSlice()) === frameEntry.decoded.sha256);
source.close();

const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-rt-'));
try {
  const plain = new Uint8Array(3_000_000).map((_, i) => (i * 31) >> 6);
  writeFileSync(join(dir, 'in.bin'), plain);
  await bloscpackPackFile(join(dir, 'in.bin'), join(dir, 'out.blp'), { chunkSize: 1 << 20 });
  await bloscpackUnpackFile(join(dir, 'out.blp'), join(dir, 'back.bin'));
  check('bloscpack files', sha256(readFileSync(join(dir, 'back.bin'))) === sha256(plain));
  check('bloscpack memory', sha256(bloscpack.unpackBytes(bloscpack.packBytes(plain)).data) === sha256(plain));
  // Web Streams: pack from a ReadableStream into a WritableStream, as in a browser.
  const pieces = [];
  const readable = new ReadableStream({
    start(controller) {
      for (let i = 0; i < plain.length; i += 100_003) controller.enqueue(plain.slice(i, i + 100_003));
      controller.close();
    },
  });
  const writable = new WritableStream({ write(piece) { pieces.push(piece); } });
  await bloscpack.pack(bloscpack.readableStreamSource(readable, plain.length), bloscpack.writableStreamSink(writable));
  const streamed = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) { streamed.set(p, at); at += p.length; }
  check('bloscpack web streams', sha256(streamed) === sha256(bloscpack.packBytes(plain)));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Worker threads. Async results may live in shared memory: hash a plain copy.
const plainSha = (b) => sha256(b.slice());
for (const f of manifest.files.filter((x) => x.decoded.length >= 4 << 20 && x.path.includes('.t4.')).slice(0, 2)) {
  // Written by C with 4 threads: block payloads out of order.
  const out = await decompressAsync(new Uint8Array(readFileSync(join(root, 'fixtures', f.path))), undefined, { nthreads: 2, minParallelNbytes: 0 });
  check(`workers decode ${f.path}`, plainSha(out) === f.decoded.sha256);
}
const large = new Float64Array(1 << 19).map((_, i) => Math.sin(i / 300) * 1000);
const largeBytes = new Uint8Array(large.buffer);
for (const codec of ['lz4', 'zstd']) {
  const chunk = await compressAsync(large, { codec, clevel: 3, nthreads: 2 });
  check(`workers encode ${codec} = sync`, sha256(chunk) === sha256(compress(large, { codec, clevel: 3 })));
}
const b2nd = frames.files.find((x) => x.path.endsWith('.b2nd'));
const b2ndOut = await decompressFrameAsync(new Uint8Array(readFileSync(join(root, 'fixtures', b2nd.path))), { nthreads: 2, minParallelNbytes: 0 });
check(`workers frame ${b2nd.path}`, plainSha(b2ndOut) === b2nd.decoded.sha256);
const bigFrame = SChunk.fromData(largeBytes, { chunksize: 1 << 20, typesize: 8, cparams: { codec: 'blosclz' } });
const opened = SChunk.open(bigFrame.toFrame());
check('workers frame slice', plainSha(await opened.getSliceAsync(1000, 400_000, { nthreads: 2 })) === sha256(opened.getSlice(1000, 400_000)));
check('workers started', getPool().workerCount > 0);
shutdownPool();
check('pool shut down', getPool().workerCount === 0);

console.log(JSON.stringify({ ok: true, checks: checks.length }));
