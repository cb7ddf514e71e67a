/**
 * The decode kernels given views of the WebAssembly memory itself (below the scratch area,
 * where the zstd and encoder windows live) while a whole-block copy would have to grow that
 * memory: growing detaches every view of it, so such calls must take the path that never
 * grows it. Its own file, so the memory starts at its initial size (nothing grew it yet).
 */
import { describe, expect, it } from 'vitest';
import { bitunshuffle } from '../../src/shuffle/bitshuffle.js';
import { bitunshuffleGeneric, unshuffleGeneric } from '../../src/shuffle/generic.js';
import { unshuffle } from '../../src/shuffle/shuffle.js';
import { simdActive } from '../../src/shuffle/simd.js';
import { ENCODE_AT, ENCODE_SIZE, SCRATCH_AT, heapBytes, heapMemory } from '../../src/wasm/heap.js';
import { expectBytes, randomBytes } from './helpers.js';

describe('SIMD decode kernels with views of the module memory', () => {
  it('bitunshuffle and unshuffle into and from views below the scratch area, where a whole-block copy would grow the memory', () => {
    expect(simdActive()).toBe(true);
    const typesize = 8;
    const n = ENCODE_SIZE / 2;
    const nelems = n / typesize;
    // The premise: the memory is too small for the whole-block copy of n bytes at the scratch area.
    expect(heapMemory()!.buffer.byteLength).toBeLessThan(SCRATCH_AT + n);
    const data = randomBytes(n, 11);
    const wantBits = new Uint8Array(n);
    bitunshuffleGeneric(typesize, data, 0, wantBits, 0, nelems);
    const wantBytes = new Uint8Array(n);
    unshuffleGeneric(typesize, data, 0, wantBytes, 0, n);

    // dst a view of the memory.
    const dst = heapBytes().subarray(ENCODE_AT, ENCODE_AT + n);
    bitunshuffle(typesize, data, 0, dst, 0, nelems);
    expect(dst.length).toBe(n); // not detached
    expectBytes(dst, wantBits, 'bitunshuffle into a view of the memory');
    dst.fill(0);
    unshuffle(typesize, data, 0, dst, 0, n);
    expectBytes(dst, wantBytes, 'unshuffle into a view of the memory');

    // src a view of the memory (not the scratch area the decoder uses).
    const src = heapBytes().subarray(ENCODE_AT, ENCODE_AT + n);
    src.set(data);
    const out = new Uint8Array(n);
    bitunshuffle(typesize, src, 0, out, 0, nelems);
    expectBytes(out, wantBits, 'bitunshuffle from a view of the memory');
    unshuffle(typesize, src, 0, out, 0, n);
    expectBytes(out, wantBytes, 'unshuffle from a view of the memory');
  });
});
