// Micro-benchmark of the shuffle kernels on one block (default 256 KiB), next to
// Uint8Array.prototype.set on the same buffers as the memory-bandwidth yardstick.
//
//   npm run build && node bench/shuffle.mjs [blockKiB] [msPerCase]
//
// BLOSC_TS_DIST=<file URL of a build directory> benchmarks another build instead of dist/.
// Reports MB/s of block bytes (1 MB = 1e6 bytes), best of 5 rounds in process CPU time.
// Not part of the tests.

const dist = process.env.BLOSC_TS_DIST ?? new URL('../dist/', import.meta.url).href;
const k = await import(new URL('shuffle/index.js', dist.endsWith('/') ? dist : dist + '/').href);

const blockBytes = Number(process.argv[2] ?? 256) * 1024;
const msPerCase = Number(process.argv[3] ?? 300);

// Pseudo-random bytes (the content does not change the speed of these kernels).
const src = new Uint8Array(blockBytes);
let seed = 12345;
for (let i = 0; i < blockBytes; i++) {
  seed = (Math.imul(seed, 1103515245) + 12345) | 0;
  src[i] = seed >>> 24;
}
const dst = new Uint8Array(blockBytes);

// Best of several short rounds, timed in CPU time of this process (user + system): the
// machine may be shared, and CPU time does not count the slices other processes get.
function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function measure(fn) {
  for (let i = 0; i < 20; i++) fn(); // warm up and let the JIT settle
  let best = 0;
  for (let round = 0; round < 5; round++) {
    let reps = 0;
    const t0 = cpuSeconds();
    let t = t0;
    while (t - t0 < msPerCase / 5000) {
      for (let i = 0; i < 4; i++) fn();
      reps += 4;
      t = cpuSeconds();
    }
    best = Math.max(best, (reps * blockBytes) / (t - t0) / 1e6);
  }
  return best;
}

const rows = [];
function run(name, fn) {
  const mbs = measure(fn);
  rows.push([name, mbs]);
  console.log(`${name.padEnd(34)} ${mbs.toFixed(0).padStart(7)} MB/s`);
}

console.log(`node ${process.version}, block ${blockBytes} bytes, ${msPerCase} ms per case`);
run('Uint8Array.set', () => dst.set(src));
for (const ts of [4, 8]) {
  const nelems = Math.floor(blockBytes / ts) & ~7;
  run(`shuffle ts${ts}`, () => k.shuffle(ts, src, 0, dst, 0, blockBytes));
  run(`unshuffle ts${ts}`, () => k.unshuffle(ts, src, 0, dst, 0, blockBytes));
  run(`bitshuffle ts${ts}`, () => k.bitshuffle(ts, src, 0, dst, 0, nelems));
  run(`bitunshuffle ts${ts}`, () => k.bitunshuffle(ts, src, 0, dst, 0, nelems));
}
for (const ts of [2, 16, 3, 12]) {
  run(`shuffle ts${ts}`, () => k.shuffle(ts, src, 0, dst, 0, blockBytes));
  run(`unshuffle ts${ts}`, () => k.unshuffle(ts, src, 0, dst, 0, blockBytes));
}
// Unaligned destination: the byte paths.
const dstOdd = new Uint8Array(blockBytes + 1);
run('unshuffle ts4 (unaligned dst)', () => k.unshuffle(4, src, 0, dstOdd, 1, blockBytes));
run('bitunshuffle ts4 (unaligned dst)', () => k.bitunshuffle(4, src, 0, dstOdd, 1, blockBytes / 4));
// The reference kernels, as the baseline.
run('unshuffleGeneric ts4', () => k.unshuffleGeneric(4, src, 0, dst, 0, blockBytes));
run('bitunshuffleGeneric ts4', () => k.bitunshuffleGeneric(4, src, 0, dst, 0, blockBytes / 4));

const set = rows[0][1];
console.log('\nrelative to Uint8Array.set:');
for (const [name, mbs] of rows.slice(1)) console.log(`${name.padEnd(34)} ${((100 * mbs) / set).toFixed(1).padStart(6)} %`);
