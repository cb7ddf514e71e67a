// Runs in a Chromium page served by chromium.test.ts: blosc-ts/zarr's codecs, the worker
// one on Web Workers, over chunks zarr-python wrote (fixtures/zarr/).
import { BloscCodec, BloscWorkerCodec } from '/dist/zarr.js';
import { shutdownPool } from '/dist/index.js';
import { getPool } from '/dist/pool/pool.js';

function same(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** @param {{ path: string, config: object, dataType: string }[]} chunks */
export async function run(chunks) {
  const checks = {};
  const loaded = await Promise.all(chunks.map(async (c) => new Uint8Array(await (await fetch(c.path)).arrayBuffer())));
  const decodedOnWorkers = await Promise.all(chunks.map((c, k) => BloscWorkerCodec.fromConfig(c.config, { dataType: c.dataType }, { workers: 2 }).decode(loaded[k])));
  for (let k = 0; k < chunks.length; k++) {
    const codec = BloscCodec.fromConfig(chunks[k].config, { dataType: chunks[k].dataType });
    const decoded = codec.decode(loaded[k]);
    checks[`${chunks[k].path}: re-encoded = zarr-python's bytes`] = same(codec.encode(decoded), loaded[k]);
    checks[`${chunks[k].path}: worker decode = sync decode`] = same(decodedOnWorkers[k], decoded);
  }
  const workers = getPool().workerCount;
  shutdownPool();
  return { isolated: globalThis.crossOriginIsolated, checks, workers };
}
