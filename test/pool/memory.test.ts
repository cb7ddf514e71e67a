/**
 * Transferable buffers: a new one has room to grow, so a slightly larger piece reuses it.
 */
import { describe, expect, it, vi } from 'vitest';
import { acquireStaging, acquireTransferable, dropStaging, releaseStaging, releaseTransferable } from '../../src/pool/memory.js';

describe('acquireTransferable', () => {
  it('gives new buffers a quarter more room, which a slightly larger piece then reuses', () => {
    dropStaging();
    const first = acquireTransferable(4 << 20);
    expect(first.byteLength).toBe(5 << 20);
    releaseTransferable(first);
    // The split between threads moved: the same piece is now 20 % larger.
    expect(acquireTransferable(Math.round(4.8 * (1 << 20)))).toBe(first);
    // Small buffers are exact, and a small piece does not take a large idle buffer.
    expect(acquireTransferable(1000).byteLength).toBe(1000);
    releaseTransferable(first);
    expect(acquireTransferable(1 << 20)).not.toBe(first);
    dropStaging();
  });
});

describe('acquireStaging', () => {
  it('reuses a staging buffer between calls, and lets it go once idle for 2 s', () => {
    vi.useFakeTimers();
    try {
      dropStaging();
      const first = acquireStaging(1 << 20);
      releaseStaging(first);
      const again = acquireStaging(1 << 20);
      expect(again.buffer).toBe(first.buffer);
      releaseStaging(again);
      vi.advanceTimersByTime(2500);
      expect(acquireStaging(1 << 20).buffer).not.toBe(first.buffer);
    } finally {
      dropStaging();
      vi.useRealTimers();
    }
  });

  it('gives new staging buffers a quarter more room, which a slightly larger share then reuses', () => {
    dropStaging();
    try {
      const first = acquireStaging(4 << 20);
      expect(first.length).toBe(4 << 20);
      expect(first.buffer.byteLength).toBe(5 << 20);
      releaseStaging(first);
      // The split moved: the worker's share is now 20 % larger.
      const larger = acquireStaging(Math.round(4.8 * (1 << 20)));
      expect(larger.buffer).toBe(first.buffer);
      releaseStaging(larger);
      expect(acquireStaging((5 << 20) + 1).buffer).not.toBe(first.buffer);
    } finally {
      dropStaging();
    }
  });
});
