/**
 * The benchmark inputs: raw data sets and the chunks made from them.
 *
 * Normally bench/datasets.py writes them (and times native C-Blosc) into bench/.data/.
 * When Python or its packages are missing, an earlier bench/.data/ is reused if its
 * manifest and hashes still hold; failing that, the data sets are generated here and the
 * Blosc1 chunks are made by numcodecs.js (WASM c-blosc 1.18.1, typesize fixed at 4). Native
 * rows are then absent: they are only reported when measured in this run.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const NBYTES = 16 * 1024 * 1024;
/** Codecs of the chunks the decode section reads. */
export const CODECS = Object.freeze(['lz4', 'blosclz', 'zstd']);
/** Codecs the compression section writes; their python-written chunks are the references. */
export const ENCODE_CODECS = Object.freeze(['lz4', 'blosclz', 'zstd', 'zlib']);
export const SET_NAMES = Object.freeze(['linspace_f8', 'arange_i8', 'poisson_i4', 'sensor_f4']);

export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Byte equality of two Uint8Arrays (views of any buffers). */
export function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function readBytes(path) {
  const buf = readFileSync(path);
  // A plain Uint8Array over exactly the file's bytes (not a pooled Node Buffer).
  const out = new Uint8Array(buf.length);
  out.set(buf);
  return out;
}

function runPython({ python, script, dataDir, native, targetSeconds, log }) {
  const args = [script, '--out', dataDir, '--target-seconds', String(targetSeconds)];
  if (!native) args.push('--no-native');
  log(`$ ${python} ${args.join(' ')}`);
  const child = spawnSync(python, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (child.error) return `could not run ${python}: ${child.error.message}`;
  if (child.status !== 0) return `${python} ${script} exited with status ${child.status}`;
  return null;
}

export function loadManifest(dataDir) {
  const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8'));
  const sets = new Map();
  for (const s of manifest.sets) {
    const raw = readBytes(join(dataDir, s.file));
    if (raw.length !== s.nbytes || sha256(raw) !== s.sha256) {
      throw new Error(`${s.file} does not match manifest.json (size or sha256)`);
    }
    sets.set(s.name, { name: s.name, dtype: s.dtype, itemsize: s.itemsize, raw, origin: 'numpy' });
  }
  const all = manifest.chunks.map((c) => ({
    set: c.set,
    codec: c.codec,
    format: c.format,
    bytes: readBytes(join(dataDir, c.file)),
    ratio: c.ratio,
    blocksize: c.blocksize,
    writer: c.format === 'b1' ? `python-blosc ${manifest.versions['python-blosc']}` : `python-blosc2 ${manifest.versions['python-blosc2']}`,
    decode: c.decode !== false,
  }));
  // `chunks` are read by the decode section; `referenceChunks` (every codec) are what the
  // compression section compares its output with.
  return { sets, chunks: all.filter((c) => c.decode), referenceChunks: all, versions: manifest.versions };
}

/** Seeded 32-bit PRNG (mulberry32), uniform in [0, 1). */
export function uniform(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The same four data sets built in JS. linspace_f8 and arange_i8 equal numpy's; the two
 * random sets follow the same distributions with a different generator.
 */
function generateSets() {
  const n8 = NBYTES / 8;
  const n4 = NBYTES / 4;
  const linspace = new Float64Array(n8);
  const step = 1 / (n8 - 1);
  for (let i = 0; i < n8; i++) linspace[i] = i * step; // numpy: arange(num) * step + start
  linspace[n8 - 1] = 1;
  const arange = new BigInt64Array(n8);
  for (let i = 0; i < n8; i++) arange[i] = BigInt(i);
  const poisson = new Int32Array(n4);
  const u0 = uniform(0);
  const limit = Math.exp(-10);
  for (let i = 0; i < n4; i++) {
    // Knuth's multiplication method, fine for lambda = 10.
    let k = 0;
    let p = u0();
    while (p > limit) {
      k++;
      p *= u0();
    }
    poisson[i] = k;
  }
  const sensor = new Float32Array(n4);
  const u1 = uniform(1);
  for (let i = 0; i < n4; i++) {
    const gauss = Math.sqrt(-2 * Math.log(1 - u1())) * Math.cos(2 * Math.PI * u1());
    sensor[i] = 20 + 5 * Math.sin((2 * Math.PI * i) / 1e5) + 0.5 * Math.sin((2 * Math.PI * i) / 317) + 0.01 * gauss;
  }
  const bytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return new Map([
    ['linspace_f8', { name: 'linspace_f8', dtype: 'float64', itemsize: 8, raw: bytes(linspace), origin: 'js' }],
    ['arange_i8', { name: 'arange_i8', dtype: 'int64', itemsize: 8, raw: bytes(arange), origin: 'js' }],
    ['poisson_i4', { name: 'poisson_i4', dtype: 'int32', itemsize: 4, raw: bytes(poisson), origin: 'js (mulberry32)' }],
    ['sensor_f4', { name: 'sensor_f4', dtype: 'float32', itemsize: 4, raw: bytes(sensor), origin: 'js (mulberry32)' }],
  ]);
}

async function fallbackData(Blosc) {
  const sets = generateSets();
  const chunks = [];
  for (const set of sets.values()) {
    for (const codec of CODECS) {
      const encoder = Blosc.fromConfig({ id: 'blosc', clevel: 5, cname: codec, shuffle: 1, blocksize: 0 });
      const bytes = new Uint8Array(await encoder.encode(set.raw));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      chunks.push({
        set: set.name,
        codec,
        format: 'b1',
        bytes,
        ratio: NBYTES / bytes.length,
        blocksize: view.getInt32(8, true),
        writer: 'numcodecs.js 0.3.2 (typesize 4)',
      });
    }
  }
  // No python-written chunks: nothing for the compression section to compare bytes with.
  return { sets, chunks, referenceChunks: [], versions: {} };
}

/**
 * Produce or load the inputs. Returns { sets: Map, chunks: [], referenceChunks: [], versions: {},
 * native: object | null, notes: string[] }.
 * @param {{ benchDir: string, dataDir: string, python: string, native: boolean, targetSeconds: number,
 *           Blosc: unknown, log: (line: string) => void }} options
 */
export async function prepareData(options) {
  const { benchDir, dataDir, log } = options;
  const notes = [];
  const failure = runPython({ ...options, script: join(benchDir, 'datasets.py') });
  if (failure === null) {
    const data = loadManifest(dataDir);
    const nativePath = join(dataDir, 'native.json');
    const native = options.native && existsSync(nativePath) ? JSON.parse(readFileSync(nativePath, 'utf8')) : null;
    return { ...data, native, notes };
  }
  notes.push(`Native rows missing: ${failure} (python3 with blosc==1.11.4, blosc2==4.14.1 and numpy is needed; see fixtures/requirements.txt).`);
  log(`! ${notes[0]}`);
  if (existsSync(join(dataDir, 'manifest.json'))) {
    try {
      const data = loadManifest(dataDir);
      notes.push(`Data sets and chunks reused from an earlier run in ${dataDir}.`);
      return { ...data, native: null, notes };
    } catch (err) {
      log(`! cannot reuse ${dataDir}: ${err.message}`);
    }
  }
  if (options.Blosc === null) throw new Error('no Python and no numcodecs.js: nothing can write the chunks');
  notes.push(
    'Data sets generated in JS (poisson_i4 and sensor_f4 with a different random generator than numpy); ' +
      'Blosc1 chunks written by numcodecs.js (typesize 4 whatever the data); no Blosc2 chunks.',
  );
  log(`! ${notes[notes.length - 1]}`);
  return { ...(await fallbackData(options.Blosc)), native: null, notes };
}
