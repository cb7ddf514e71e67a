// Runs in a Chromium page served by browser.test.ts from a plain static server: the
// self-contained browser build, dist/browser/blosc-ts.js, with its workers (worker.js beside it).
import * as api from '/dist/browser/blosc-ts.js';

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
  const large = manifest.files.filter((x) => x.decoded.length >= 4 << 20 && x.path.includes('.t4.'));
  for (const f of large.slice(0, 1)) {
    const chunk = await get(`/fixtures/${f.path}`);
    const out = await api.decompressAsync(chunk, undefined, { nthreads: 2, minParallelNbytes: 0 });
    checks[`decode on workers ${f.path}`] = (await hex(out)) === f.decoded.sha256;
  }
  // Every codec the bundle carries (fzstd, pako and snappyjs are inside it), on the page's thread.
  const codecs = ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'];
  for (const codec of codecs) {
    const f = manifest.files.find((x) => x.path.startsWith('chunks/b2/') && x.path.includes(`/b2.${codec}.`) && x.path.includes('.cl5.'));
    checks[`decode ${f.path}`] = (await hex(api.decompress(await get(`/fixtures/${f.path}`)))) === f.decoded.sha256;
  }
  const text = new TextEncoder().encode('blosc-ts in a page, snappy inside the bundle. '.repeat(2000));
  const snappy = api.compress(text, { codec: 'snappy', format: 'blosc1', typesize: 1 });
  checks['snappy round trip'] = snappy.length < text.length / 4 && (await hex(api.decompress(snappy))) === (await hex(text));
  const frames = await (await fetch('/fixtures/frames/manifest.json')).json();
  const b2nd = frames.files.find((x) => x.path.endsWith('.b2nd'));
  const frameOut = await api.decompressFrameAsync(await get(`/fixtures/${b2nd.path}`), { nthreads: 2, minParallelNbytes: 0 });
  checks[`frame ${b2nd.path}`] = (await hex(frameOut)) === b2nd.decoded.sha256;
  const data = new Float64Array(1 << 19).map((_, i) => Math.sin(i / 300) * 1000);
  for (const codec of ['lz4', 'zlib', 'zstd']) {
    const chunk = await api.compressAsync(data, { codec, nthreads: 2, minParallelNbytes: 0 });
    checks[`encode ${codec} on workers = sync`] = (await hex(chunk)) === (await hex(api.compress(data, { codec })));
    const back = await api.decompressAsync(chunk, undefined, { nthreads: 2, minParallelNbytes: 0 });
    checks[`round trip ${codec}`] = (await hex(back)) === (await hex(new Uint8Array(data.buffer)));
  }
  api.shutdownPool();
  return { isolated: globalThis.crossOriginIsolated, checks };
}
