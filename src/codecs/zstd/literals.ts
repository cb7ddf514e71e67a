/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Literals section (RFC 8878 §3.1.1.3.1): header, then raw bytes, one repeated byte, or
 * Huffman-coded streams (with a new tree, or the previous one: "treeless").
 *
 * Mirrors `ZSTD_decodeLiteralsBlock` (lib/decompress/zstd_decompress_block.c).
 */
import { BloscErrorCode, fail } from '../../errors.js';
import { HuffmanTable, decodeHuffman4Streams, decodeHuffmanStream, readHuffmanTable } from './huffman.js';
import { decodeHuffmanLiteralsWasm } from './huffman-wasm.js';
import { copyMemory } from '../../copy.js';

export const LIT_RAW = 0;
export const LIT_RLE = 1;
export const LIT_COMPRESSED = 2;
export const LIT_TREELESS = 3;

/** zstd's ZSTD_BLOCKSIZE_MAX: no block regenerates more than 128 KiB. */
export const BLOCK_SIZE_MAX = 1 << 17;

/** The parsed literals section header. One instance is reused. */
export class LiteralsHeader {
  type = 0;
  /** Number of literal bytes. */
  regen = 0;
  /** Bytes of payload after the header (1 for RLE, regen for raw). */
  payload = 0;
  /** Huffman-coded literals in 4 streams. */
  streams4 = false;
  /** Where the payload starts. */
  start = 0;
  /** Where the sequences section starts. */
  end = 0;
}

/** Parse the literals section header at src[ip, iend) into `h`. Throws Data when it does not fit. */
export function readLiteralsHeader(src: Uint8Array, ip: number, iend: number, h: LiteralsHeader): void {
  if (ip >= iend) fail(BloscErrorCode.Data, 'zstd: literals section missing', { offset: ip });
  const b0 = src[ip]!;
  const type = b0 & 3;
  const sizeFormat = (b0 >>> 2) & 3;
  let headerSize: number;
  let regen: number;
  let payload: number;
  let streams4 = false;
  if (type === LIT_RAW || type === LIT_RLE) {
    if ((sizeFormat & 1) === 0) {
      headerSize = 1;
      regen = b0 >>> 3;
    } else if (sizeFormat === 1) {
      headerSize = 2;
      if (ip + 2 > iend) fail(BloscErrorCode.Data, 'zstd: literals header truncated', { offset: ip });
      regen = (b0 >>> 4) | (src[ip + 1]! << 4);
    } else {
      headerSize = 3;
      if (ip + 3 > iend) fail(BloscErrorCode.Data, 'zstd: literals header truncated', { offset: ip });
      regen = (b0 >>> 4) | (src[ip + 1]! << 4) | (src[ip + 2]! << 12);
    }
    payload = type === LIT_RAW ? regen : 1;
  } else {
    headerSize = sizeFormat < 2 ? 3 : sizeFormat + 2;
    streams4 = sizeFormat !== 0;
    if (ip + headerSize > iend) fail(BloscErrorCode.Data, 'zstd: literals header truncated', { offset: ip });
    const b1 = src[ip + 1]!;
    const b2 = src[ip + 2]!;
    if (sizeFormat < 2) {
      regen = (b0 >>> 4) | ((b1 & 0x3f) << 4);
      payload = (b1 >>> 6) | (b2 << 2);
    } else if (sizeFormat === 2) {
      const b3 = src[ip + 3]!;
      regen = (b0 >>> 4) | (b1 << 4) | ((b2 & 3) << 12);
      payload = (b2 >>> 2) | (b3 << 6);
    } else {
      const b3 = src[ip + 3]!;
      const b4 = src[ip + 4]!;
      regen = (b0 >>> 4) | (b1 << 4) | ((b2 & 0x3f) << 12);
      payload = (b2 >>> 6) | (b3 << 2) | (b4 << 10);
    }
    if (payload === 0) fail(BloscErrorCode.Data, 'zstd: empty compressed literals', { offset: ip });
  }
  if (regen > BLOCK_SIZE_MAX) fail(BloscErrorCode.Data, 'zstd: literals larger than a block', { offset: ip });
  const start = ip + headerSize;
  if (start + payload > iend) fail(BloscErrorCode.Data, 'zstd: literals overrun the block', { offset: ip });
  h.type = type;
  h.regen = regen;
  h.payload = payload;
  h.streams4 = streams4;
  h.start = start;
  h.end = start + payload;
}

/**
 * Decode the literals described by `h` into out[op, op + h.regen). `fresh` receives a new
 * Huffman tree; `previous` is the tree treeless literals reuse. Returns the tree now in
 * force (for the next block), or `previous` when the section had none.
 */
export function decodeLiterals(
  src: Uint8Array,
  h: LiteralsHeader,
  fresh: HuffmanTable,
  previous: HuffmanTable | null,
  out: Uint8Array,
  op: number,
): HuffmanTable | null {
  const n = h.regen;
  switch (h.type) {
    case LIT_RAW:
      copyMemory(src, h.start, out, op, h.end - h.start);
      return previous;
    case LIT_RLE:
      out.fill(src[h.start]!, op, op + n);
      return previous;
    default: {
      let table: HuffmanTable;
      let p = h.start;
      if (h.type === LIT_COMPRESSED) {
        p += readHuffmanTable(src, p, h.end, fresh);
        table = fresh;
      } else {
        if (previous === null) fail(BloscErrorCode.Data, 'zstd: treeless literals without a previous Huffman tree', { offset: h.start });
        table = previous;
      }
      // WebAssembly when it can; huffman.ts (its twin, same outcome) otherwise or on refusal.
      if (decodeHuffmanLiteralsWasm(table, src, p, h.end, h.streams4, out, op, n)) return table;
      if (h.streams4) decodeHuffman4Streams(table, src, p, h.end, out, op, n);
      else decodeHuffmanStream(table, src, p, h.end, out, op, op + n);
      return table;
    }
  }
}
