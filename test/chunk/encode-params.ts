/** Turn the parameters recorded for a C-written chunk into our CompressOptions. */
import type { CompressOptions } from '../../src/index.js';
import type { FixtureParams } from '../helpers.js';

export function optionsFromParams(p: FixtureParams): CompressOptions {
  const options: CompressOptions = {
    format: p.format,
    codec: p.codec,
    clevel: p.clevel,
    typesize: p.typesize,
    blocksize: p.blocksize ?? 0,
    splitmode: (p.splitmode ?? 'forward_compat').replace('_', '-') as CompressOptions['splitmode'],
  };
  if (p.format === 'blosc1') {
    options.shuffle = (p.shuffle ?? 'noshuffle') as CompressOptions['shuffle'];
  } else if (p.filters != null) {
    options.filters = p.filters;
    options.filtersMeta = p.filtersMeta ?? [0, 0, 0, 0, 0, 0];
  } else {
    options.shuffle = (p.shuffle ?? 'shuffle') as CompressOptions['shuffle'];
  }
  if (typeof p.codecMeta === 'number') options.codecMeta = p.codecMeta;
  else if (typeof p.compcodeMeta === 'number') options.codecMeta = p.compcodeMeta;
  return options;
}

/** Codecs whose C output we reproduce byte for byte (zlib only with c-blosc 1.x's classic zlib). */
export function byteIdenticalCodec(format: string, codec: string, clevel: number, nbytes: number): boolean {
  if (clevel === 0) return true;
  if (nbytes < (format === 'blosc1' ? 128 : 32)) return true;
  return codec === 'blosclz' || codec === 'lz4' || codec === 'lz4hc' || (codec === 'zlib' && format === 'blosc1') || (codec === 'zstd' && format === 'blosc2');
}

/** DELTA leaves trailing bytes unwritten in C when nbytes is not a multiple of its word size. */
export function deltaTailIsUndefined(filters: readonly number[] | null | undefined, typesize: number, nbytes: number): boolean {
  if (filters == null || !filters.includes(3)) return false;
  const w = typesize === 1 || typesize === 2 || typesize === 4 || typesize === 8 ? typesize : typesize % 8 === 0 ? 8 : 1;
  return nbytes % w !== 0;
}

/**
 * c-blosc2 3.x writes the requested blocksize in the header even when it cut the blocks
 * differently (not a multiple of typesize, or larger than an nbytes that is not); such a
 * compressed chunk does not describe its own layout, so we write the blocksize used and do
 * not expect C's bytes (chunk spec §3.3).
 */
export function headerDisagreesWithLayout(c: Uint8Array, ours: Uint8Array): boolean {
  const extended = (c[2]! & 0x05) === 0x05;
  const stored = (c[2]! & 0x02) !== 0 || (extended && (c[31]! & 0x70) !== 0);
  const field = (b: Uint8Array): number => b[8]! | (b[9]! << 8) | (b[10]! << 16) | (b[11]! << 24);
  return extended && !stored && field(c) !== field(ours);
}
