import { BloscErrorCode, fail } from '../errors.js';
import type { Codec } from './types.js';

/**
 * Codec registry keyed by Blosc id and by name. Built-in codecs register at import of
 * `codecs/index.ts`; users may register their own codecs in the user range 160..255
 * (C: `blosc2_register_codec`), or replace a built-in implementation with
 * `replaceBuiltinCodec` (e.g. fzstd instead of our zstd) as long as the id keeps its meaning.
 */
const byId = new Map<number, Codec>();
const byName = new Map<string, Codec>();

export const USER_CODEC_MIN = 160;
export const USER_CODEC_MAX = 255;

function put(codec: Codec): void {
  const old = byId.get(codec.id);
  if (old !== undefined) byName.delete(old.name);
  byId.set(codec.id, codec);
  byName.set(codec.name, codec);
}

/** Register a built-in (or globally registered, 32..159) codec. Internal path. */
export function registerBuiltinCodec(codec: Codec): void {
  put(codec);
}

/** Swap the implementation behind a built-in id, e.g. fzstd for zstd. */
export function replaceBuiltinCodec(codec: Codec): void {
  if (codec.id >= USER_CODEC_MIN) fail(BloscErrorCode.InvalidParam, `codec id ${codec.id} is a user id; use registerCodec`);
  put(codec);
}

/** Register a user codec (ids 160..255, as `blosc2_register_codec` requires). */
export function registerCodec(codec: Codec): void {
  if (!Number.isInteger(codec.id) || codec.id < USER_CODEC_MIN || codec.id > USER_CODEC_MAX) {
    fail(BloscErrorCode.InvalidParam, `user codec ids must be ${USER_CODEC_MIN}..${USER_CODEC_MAX}, got ${codec.id}`);
  }
  if (byName.has(codec.name) && byName.get(codec.name)!.id !== codec.id) {
    fail(BloscErrorCode.InvalidParam, `codec name '${codec.name}' is already registered`);
  }
  put(codec);
}

export function getCodec(id: number): Codec | undefined {
  return byId.get(id);
}

export function getCodecByName(name: string): Codec | undefined {
  return byName.get(name.toLowerCase());
}

/** Resolve a codec by id, or throw CodecSupport naming what is missing. */
export function resolveCodec(id: number): Codec {
  const codec = byId.get(id);
  if (codec === undefined) {
    fail(BloscErrorCode.CodecSupport, `codec id ${id} is not registered (register it with registerCodec)`);
  }
  return codec;
}

export function listCodecs(): Codec[] {
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
