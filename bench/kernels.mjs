/**
 * Section: the decode-side shuffle kernels of blosc-ts, as a share of memory bandwidth.
 *
 * If the built library's shuffle module exports `unshuffle` / `bitunshuffle`, each is run
 * over 16 MiB in 256 KiB blocks at typesize 4 and 8 and reported as MB/s and as a
 * percentage of `Uint8Array.prototype.set` of 16 MiB measured in the same run.
 *
 * Calling convention assumed, as the reference kernels in src/shuffle/generic.ts:
 * `(typesize, src, sp, dst, dp, count)` where count is the block's byte length for
 * unshuffle and either the element count or the byte length for bitunshuffle; the right
 * one is found by checking the result against the simple kernels below.
 */
import { sameBytes } from './lib/data.mjs';
import { mbps, timeSync } from './lib/timing.mjs';
import { fmtMBps, fmtPercent } from './lib/table.mjs';

export const KERNEL_BLOCK = 256 * 1024;
export const KERNEL_TOTAL = 16 * 1024 * 1024;
export const KERNEL_TYPESIZES = Object.freeze([4, 8]);
/** Targets as a share of `set` bandwidth (issue 18: byte unshuffle ≥ 50%, bitunshuffle ≥ 30%). */
export const KERNEL_TARGETS = Object.freeze({ unshuffle: 50, bitunshuffle: 30 });

/**
 * Byte unshuffle by definition (c-blosc `unshuffle_generic`): output byte i*ts + j is
 * input byte j*count + i; the trailing n % ts bytes are copied.
 */
export function referenceUnshuffle(typesize, src, sp, dst, dp, n) {
  const count = Math.floor(n / typesize);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < typesize; j++) dst[dp + i * typesize + j] = src[sp + j * count + i];
  }
  for (let k = count * typesize; k < n; k++) dst[dp + k] = src[sp + k];
}

/**
 * Bit unshuffle by definition (bitshuffle `bshuf_untrans_bit_elem`): the input is 8*ts
 * bit-planes of nelems/8 bytes; bit k of byte j of element e is bit (e % 8) of byte
 * floor(e / 8) of plane 8*j + k. nelems must be a multiple of 8.
 */
export function referenceBitunshuffle(typesize, src, sp, dst, dp, nelems) {
  const planeBytes = nelems / 8;
  for (let e = 0; e < nelems; e++) {
    const q = e >> 3;
    const m = e & 7;
    for (let j = 0; j < typesize; j++) {
      let byte = 0;
      for (let k = 0; k < 8; k++) byte |= ((src[sp + (8 * j + k) * planeBytes + q] >> m) & 1) << k;
      dst[dp + e * typesize + j] = byte;
    }
  }
}

function seededBytes(n, seed) {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Find how `fn` takes its size argument: returns a function (typesize, src, sp, dst, dp,
 * nbytes) => void calling it correctly, or null when no convention reproduces the reference.
 */
function adapt(kind, fn) {
  const sizeArgs =
    kind === 'unshuffle'
      ? [(nbytes) => nbytes]
      : [(nbytes, typesize) => nbytes / typesize, (nbytes) => nbytes];
  for (const sizeArg of sizeArgs) {
    const call = (typesize, src, sp, dst, dp, nbytes) => fn(typesize, src, sp, dst, dp, sizeArg(nbytes, typesize));
    let ok = true;
    for (const typesize of KERNEL_TYPESIZES) {
      const src = seededBytes(2 * KERNEL_BLOCK, 7 + typesize);
      const want = new Uint8Array(KERNEL_BLOCK);
      const got = new Uint8Array(2 * KERNEL_BLOCK);
      if (kind === 'unshuffle') referenceUnshuffle(typesize, src, KERNEL_BLOCK, want, 0, KERNEL_BLOCK);
      else referenceBitunshuffle(typesize, src, KERNEL_BLOCK, want, 0, KERNEL_BLOCK / typesize);
      try {
        call(typesize, src, KERNEL_BLOCK, got, KERNEL_BLOCK, KERNEL_BLOCK);
      } catch {
        ok = false;
        break;
      }
      if (!sameBytes(got.subarray(KERNEL_BLOCK), want) || got.subarray(0, KERNEL_BLOCK).some((b) => b !== 0)) {
        ok = false;
        break;
      }
    }
    if (ok) return call;
  }
  return null;
}

/**
 * Run the section.
 * @param {{ shuffleModule: Record<string, unknown> | null, setMBps: number, timing: object, log: (line: string) => void }} ctx
 */
export async function runKernelSection(ctx) {
  const { shuffleModule, setMBps, timing, log } = ctx;
  const notes = [];
  const rows = [];
  const targets = [];
  const results = [];
  if (shuffleModule === null) {
    notes.push('Shuffle kernels not timed: the built library has no dist/shuffle/index.js.');
  } else {
    const src = seededBytes(KERNEL_TOTAL, 12345);
    const dst = new Uint8Array(KERNEL_TOTAL);
    for (const kind of ['unshuffle', 'bitunshuffle']) {
      const fn = shuffleModule[kind];
      if (typeof fn !== 'function') {
        notes.push(`Shuffle kernels: dist/shuffle/index.js does not export \`${kind}\`.`);
        continue;
      }
      const call = adapt(kind, fn);
      if (call === null) {
        notes.push(`Shuffle kernels: \`${kind}\` did not reproduce the reference result under any known calling convention; not timed.`);
        continue;
      }
      // The library's default path (WebAssembly SIMD where the runtime has it) is the one
      // held to the target; the JavaScript-only kernels are timed too, for reference.
      const setSimd = typeof shuffleModule.setSimdEnabled === 'function' ? shuffleModule.setSimdEnabled : null;
      const simdOn = typeof shuffleModule.simdActive === 'function' ? Boolean(shuffleModule.simdActive()) : false;
      const variants = setSimd !== null && simdOn ? [['SIMD', true], ['JS only', false]] : [['JS', null]];
      for (const typesize of KERNEL_TYPESIZES) {
        for (const [label, simd] of variants) {
          if (setSimd !== null && simd !== null) setSimd(simd);
          const t = timeSync(() => {
            for (let off = 0; off < KERNEL_TOTAL; off += KERNEL_BLOCK) call(typesize, src, off, dst, off, KERNEL_BLOCK);
          }, timing);
          if (setSimd !== null) setSimd(true);
          const speed = mbps(KERNEL_TOTAL, t.medianMs);
          const percent = (100 * speed) / setMBps;
          const isDefault = simd !== false;
          results.push({ kind, typesize, path: label, mbps: speed, percent });
          rows.push([kind, String(typesize), label, fmtMBps(speed), fmtPercent(percent), isDefault ? `${KERNEL_TARGETS[kind]}%` : '']);
          if (isDefault) {
            targets.push({
              name: `${kind} typesize ${typesize} (256 KiB blocks) ≥ ${KERNEL_TARGETS[kind]}% of set bandwidth`,
              value: fmtPercent(percent),
              pass: percent >= KERNEL_TARGETS[kind],
            });
          }
          log(`  kernel ${kind.padEnd(12)} ts ${typesize} ${label.padEnd(7)}: ${fmtMBps(speed).padStart(7)} MB/s = ${fmtPercent(percent)} of set`);
        }
      }
    }
  }
  return {
    title: 'Shuffle kernels (decode side)',
    description:
      `MB/s over 16 MiB in 256 KiB blocks, blosc-ts kernels from dist/shuffle/index.js, checked against a by-definition kernel first; ` +
      `SIMD = the default path (WebAssembly SIMD kernels assembled by src/shuffle/simd-module.ts), JS only = the same call with \`setSimdEnabled(false)\`; ` +
      `% of \`Uint8Array.prototype.set\` of 16 MiB (${fmtMBps(setMBps)} MB/s in this run).`,
    tables:
      rows.length === 0
        ? []
        : [
            {
              columns: [
                { title: 'kernel', align: 'left' },
                { title: 'typesize' },
                { title: 'path', align: 'left' },
                { title: 'MB/s' },
                { title: '% of set' },
                { title: 'target' },
              ],
              rows,
            },
          ],
    targets,
    notes,
    results,
  };
}
