/**
 * Test-side Huffman streams: an encoder that takes its codes from a decoding table, and
 * tables from random weights. Shared by the zstd kernel tests and the WebAssembly twin's.
 */
import { isBloscError } from '../../../src/errors.js';
import { HuffmanTable, readHuffmanTable } from '../../../src/codecs/zstd/huffman.js';

/**
 * Symbols as four Huffman streams behind their 6-byte jump table (RFC 8878 §3.1.1.3.1.6),
 * followed by `pad` spare bytes: the bytes, their end (the streams' total) and where each
 * stream starts (with the end last). Null when one of the first three streams outgrows the
 * jump table's 16-bit sizes.
 */
export function fourStreams(table: HuffmanTable, symbols: number[], pad = 0): { bytes: Uint8Array; total: number; starts: number[] } | null {
  const seg = Math.ceil(symbols.length / 4);
  const parts = [0, 1, 2, 3].map((k) => huffEncode(table, symbols.slice(k * seg, Math.min(symbols.length, (k + 1) * seg))));
  if (parts.slice(0, 3).some((p) => p.length > 0xffff)) return null;
  const total = 6 + parts.reduce((s, p) => s + p.length, 0);
  const bytes = new Uint8Array(total + pad);
  for (let k = 0; k < 3; k++) {
    bytes[2 * k] = parts[k]!.length & 255;
    bytes[2 * k + 1] = parts[k]!.length >> 8;
  }
  let p = 6;
  const starts: number[] = [];
  for (const part of parts) {
    starts.push(p);
    bytes.set(part, p);
    p += part.length;
  }
  starts.push(p);
  return { bytes, total, starts };
}

/** Test-side Huffman encoder: codes from the decoding table, bits written as zstd's backward stream. */
export function huffEncode(table: HuffmanTable, symbols: number[]): Uint8Array {
  const log = table.log;
  const code = new Map<number, { value: number; bits: number }>();
  for (let i = 0; i < 1 << log; ) {
    const e = table.cells[i]!;
    const bits = e & 0xff;
    code.set(e >> 8, { value: i >> (log - bits), bits });
    i += 1 << (log - bits);
  }
  // Forward LSB-first writer; the decoder reads the last-written symbol first.
  const out: number[] = [];
  let acc = 0;
  let n = 0;
  const put = (v: number, bits: number) => {
    for (let b = 0; b < bits; b++) {
      acc |= ((v >> b) & 1) << n;
      if (++n === 8) {
        out.push(acc);
        acc = 0;
        n = 0;
      }
    }
  };
  for (let i = symbols.length - 1; i >= 0; i--) {
    const c = code.get(symbols[i]!)!;
    put(c.value, c.bits);
  }
  put(1, 1); // end marker
  if (n > 0) out.push(acc);
  return Uint8Array.from(out);
}

/** A table from random weights, sent as a direct-weights tree description. */
export function randomTable(weights: number[]): HuffmanTable | null {
  const desc = new Uint8Array(1 + Math.ceil(weights.length / 2));
  desc[0] = 127 + weights.length;
  for (let i = 0; i < weights.length; i++) desc[1 + (i >> 1)]! |= weights[i]! << (i % 2 === 0 ? 4 : 0);
  const t = new HuffmanTable();
  try {
    readHuffmanTable(desc, 0, desc.length, t);
  } catch (e) {
    if (isBloscError(e)) return null; // weights that do not form a complete code
    throw e;
  }
  return t;
}
