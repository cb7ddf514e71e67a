// Runs in a Chromium page served by browser.test.ts: the built package with Web Workers.
import * as api from '/dist/index.js';
import { getPool } from '/dist/pool/pool.js';
import { sequencesWasmCounts } from '/dist/codecs/zstd/sequences-wasm.js';

async function hex(bytes) {
  // crypto.subtle refuses views of shared memory: hash a plain copy.
  const digest = await crypto.subtle.digest('SHA-256', bytes.slice());
  return [...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, '0')).join('');
}

async function get(path) {
  return new Uint8Array(await (await fetch(path)).arrayBuffer());
}

export async function run() {
  const checks = {};
  const manifest = await (await fetch('/fixtures/manifest.json')).json();
  for (const f of manifest.files.filter((x) => x.decoded.length >= 4 << 20 && x.path.includes('.t4.')).slice(0, 2)) {
    // Written by C with 4 threads: block payloads out of order.
    const out = await api.decompressAsync(await get(`/fixtures/${f.path}`), undefined, { nthreads: 2, minParallelNbytes: 0 });
    checks[`decode ${f.path}`] = (await hex(out)) === f.decoded.sha256;
  }
  const frames = await (await fetch('/fixtures/frames/manifest.json')).json();
  for (const f of frames.files.filter((x) => x.path.endsWith('.b2nd') || x.path.endsWith('bitshuffle.b2frame'))) {
    const out = await api.decompressFrameAsync(await get(`/fixtures/${f.path}`), { nthreads: 2, minParallelNbytes: 0 });
    checks[`frame ${f.path}`] = (await hex(out)) === f.decoded.sha256;
  }
  const data = new Float64Array(1 << 19).map((_, i) => Math.sin(i / 300) * 1000);
  const chunk = await api.compressAsync(data, { codec: 'lz4', nthreads: 2 });
  checks['encode lz4 = sync'] = (await hex(chunk)) === (await hex(api.compress(data, { codec: 'lz4' })));
  const back = await api.decompressAsync(chunk, undefined, { nthreads: 2, minParallelNbytes: 0 });
  checks['round trip'] = (await hex(back)) === (await hex(new Uint8Array(data.buffer)));
  // On the page's own thread: zstd's WebAssembly sequence loop (small enough to compile
  // synchronously there) decodes every block.
  const zdata = new Float64Array(100_000).map((_, i) => Math.round(Math.sin(i / 50) * 100));
  const zchunk = api.compress(zdata, { codec: 'zstd', clevel: 5 });
  checks['zstd decode, page thread'] = (await hex(api.decompress(zchunk))) === (await hex(new Uint8Array(zdata.buffer)));
  checks['zstd WebAssembly sequence loop'] = sequencesWasmCounts.executed > 0 && sequencesWasmCounts.rejected === 0;
  const workers = getPool().workerCount;
  api.shutdownPool();
  return { isolated: globalThis.crossOriginIsolated, shared: typeof SharedArrayBuffer === 'function', checks, workers };
}
