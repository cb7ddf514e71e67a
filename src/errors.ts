/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) include/blosc2.h; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * Errors raised by blosc-ts. The numeric codes are C-Blosc2's `BLOSC2_ERROR_*` values
 * (include/blosc2.h), so messages and CLI exit statuses line up with the C library.
 */
export const BloscErrorCode = {
  Failure: -1,
  Stream: -2,
  Data: -3,
  MemoryAlloc: -4,
  ReadBuffer: -5,
  WriteBuffer: -6,
  CodecSupport: -7,
  CodecParam: -8,
  CodecDict: -9,
  VersionSupport: -10,
  InvalidHeader: -11,
  InvalidParam: -12,
  FileRead: -13,
  FileWrite: -14,
  FileOpen: -15,
  NotFound: -16,
  RunLength: -17,
  FilterPipeline: -18,
  ChunkInsert: -19,
  ChunkAppend: -20,
  ChunkUpdate: -21,
  TwoGbLimit: -22,
  SchunkCopy: -23,
  FrameType: -24,
  FileTruncate: -25,
  ThreadCreate: -26,
  PostFilter: -27,
  FrameSpecial: -28,
  SchunkSpecial: -29,
  PluginIo: -30,
  FileRemove: -31,
  NullPointer: -32,
  InvalidIndex: -33,
  MetalayerNotFound: -34,
  MaxBufsizeExceeded: -35,
  Tuner: -36,
} as const;
export type BloscErrorCode = (typeof BloscErrorCode)[keyof typeof BloscErrorCode];

const codeNames = new Map<number, string>(
  Object.entries(BloscErrorCode).map(([name, code]) => [code, name]),
);

/** Name of an error code, e.g. `ReadBuffer` for -5. */
export function errorCodeName(code: number): string {
  return codeNames.get(code) ?? `Unknown(${code})`;
}

export interface BloscErrorContext {
  /** Index of the block being processed when the error was raised. */
  block?: number;
  /** Index of the chunk (in a super-chunk) being processed. */
  chunk?: number;
  /** Byte offset in the input where the problem was found. */
  offset?: number;
  cause?: unknown;
}

export class BloscError extends Error {
  override readonly name = 'BloscError';
  readonly code: BloscErrorCode;
  block: number | undefined;
  chunk: number | undefined;
  offset: number | undefined;

  constructor(code: BloscErrorCode, message: string, context: BloscErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.block = context.block;
    this.chunk = context.chunk;
    this.offset = context.offset;
  }
}

/** True when `e` is a BloscError, and (if codes are given) carries one of them. */
export function isBloscError(e: unknown, ...codes: BloscErrorCode[]): e is BloscError {
  return e instanceof BloscError && (codes.length === 0 || codes.includes(e.code));
}

/** Throw a BloscError. The one way the library raises its own errors. */
export function fail(code: BloscErrorCode, message: string, context?: BloscErrorContext): never {
  throw new BloscError(code, message, context);
}

/**
 * `e` itself if it is a BloscError, else a BloscError with `code` whose message starts with
 * `what` and whose cause is `e` (a foreign exception from a plug-in or a third-party codec).
 */
export function toBloscError(e: unknown, code: BloscErrorCode, what: string): BloscError {
  if (e instanceof BloscError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new BloscError(code, `${what}: ${detail}`, { cause: e });
}

/**
 * Run `fn`; turn any foreign exception (a RangeError from a third-party codec, a user
 * plug-in's Error) into a BloscError with `code`, keeping the original as `cause`.
 */
export function wrapForeign<T>(code: BloscErrorCode, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toBloscError(e, code, what);
  }
}
