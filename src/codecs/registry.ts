import { BloscErrorCode, fail } from '../errors.js';
import { blosclzCodec } from './blosclz.js';
import { lz4Codec, lz4hcCodec } from './lz4.js';
import { snappyCodec } from './snappy.js';
import type { Codec } from './types.js';
import { CodecId } from './types.js';
import { zlibCodec } from './zlib.js';
import { zstdCodec } from './zstd/index.js';

/**
 * Codec registry keyed by Blosc id and by name (C: `register_codecs` in blosc2.c fills
 * `g_codecs` on first use). The built-in codecs are put in the table by this module, on
 * its first lookup, not by importing some other module for its side effect: the package
 * says `"sideEffects": false`, so a bundler would drop such an import. Users may register
 * their own codecs in the user range 160..255 (C: `blosc2_register_codec`), or replace a
 * built-in implementation with `replaceBuiltinCodec` (e.g. fzstd instead of our zstd) as
 * long as the id keeps its meaning.
 */
const byId = new Map<number, Codec>();
const byName = new Map<string, Codec>();
let builtinsLoaded = false;

/**
 * Our own zstd decoder (dictionaries, checksums, bounds-checked output) is the built-in;
 * fzstd stays available as `zstdFzstdCodec` for `replaceBuiltinCodec`.
 */
function loadBuiltins(): void {
  if (builtinsLoaded) return;
  builtinsLoaded = true;
  for (const codec of [blosclzCodec, lz4Codec, lz4hcCodec, snappyCodec, zlibCodec, zstdCodec]) put(codec);
}

export const USER_CODEC_MIN = 160;
export const USER_CODEC_MAX = 255;

function put(codec: Codec): void {
  const old = byId.get(codec.id);
  if (old !== undefined) byName.delete(old.name);
  byId.set(codec.id, codec);
  byName.set(codec.name, codec);
}

/** Swap the implementation behind a built-in id, e.g. fzstd for zstd. */
export function replaceBuiltinCodec(codec: Codec): void {
  loadBuiltins();
  if (codec.id >= USER_CODEC_MIN) fail(BloscErrorCode.InvalidParam, `codec id ${codec.id} is a user id; use registerCodec`);
  put(codec);
}

/** Register a user codec (ids 160..255, as `blosc2_register_codec` requires). */
export function registerCodec(codec: Codec): void {
  loadBuiltins();
  if (!Number.isInteger(codec.id) || codec.id < USER_CODEC_MIN || codec.id > USER_CODEC_MAX) {
    fail(BloscErrorCode.InvalidParam, `user codec ids must be ${USER_CODEC_MIN}..${USER_CODEC_MAX}, got ${codec.id}`);
  }
  if (byName.has(codec.name) && byName.get(codec.name)!.id !== codec.id) {
    fail(BloscErrorCode.InvalidParam, `codec name '${codec.name}' is already registered`);
  }
  put(codec);
}

export function getCodec(id: number): Codec | undefined {
  loadBuiltins();
  return byId.get(id);
}

export function getCodecByName(name: string): Codec | undefined {
  loadBuiltins();
  return byName.get(name.toLowerCase());
}

/** Resolve a codec by id, or throw CodecSupport naming what is missing. */
export function resolveCodec(id: number): Codec {
  loadBuiltins();
  const codec = byId.get(id);
  if (codec === undefined) {
    fail(BloscErrorCode.CodecSupport, `codec id ${id} is not registered (register it with registerCodec)`);
  }
  return codec;
}

export function listCodecs(): Codec[] {
  loadBuiltins();
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Blosc id of the built-in codec that reads each flags-byte format code. */
const FORMAT_TO_ID: readonly number[] = [CodecId.BloscLZ, CodecId.LZ4, CodecId.Snappy, CodecId.Zlib, CodecId.Zstd];

/**
 * The codec that decodes streams of a chunk whose flags bits 5..7 hold `formatCode`
 * (0 blosclz, 1 lz4 — also lz4hc's streams, 2 snappy, 3 zlib, 4 zstd), as currently
 * registered (so a `replaceBuiltinCodec` swap takes effect). The user-defined format (6)
 * and anything else raise BloscError CodecSupport: for 6 the codec comes from the id in
 * header byte 22, through `resolveCodec`.
 */
export function codecForFormat(formatCode: number): Codec {
  const id = Number.isInteger(formatCode) && formatCode >= 0 ? FORMAT_TO_ID[formatCode] : undefined;
  if (id === undefined) {
    return fail(BloscErrorCode.CodecSupport, `codec format code ${formatCode} has no built-in decoder`);
  }
  return resolveCodec(id);
}
