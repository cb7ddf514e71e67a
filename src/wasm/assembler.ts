/**
 * Just enough of the WebAssembly binary format (core spec §5, plus the fixed-width SIMD
 * opcodes) to assemble the project's kernels at run time: no binary is shipped, the
 * TypeScript that assembles a module is its source.
 *
 * Instructions are arrays of bytes; a function body is their concatenation. Every module
 * built here imports its memory as `env.memory` (see heap.ts), so that kernels of different
 * modules can work on the same bytes without copies.
 */

export type Code = number[];

export function uleb(value: number): Code {
  const out: Code = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function sleb(value: number): Code {
  const out: Code = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** Signed LEB128 of a 64-bit value. */
export function slebBig(value: bigint): Code {
  const out: Code = [];
  let v = BigInt.asIntN(64, value);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const V128 = 0x7b;

/** A memory argument: alignment hint (log2, 0 = none promised) and constant offset. */
function memarg(align: number, offset: number): Code {
  return [...uleb(align), ...uleb(offset)];
}

/** Instruction builders; each returns its encoded bytes. */
export const op = {
  // Control.
  block: (): Code => [0x02, 0x40],
  loop: (): Code => [0x03, 0x40],
  if: (): Code => [0x04, 0x40],
  ifI32: (): Code => [0x04, I32],
  else: (): Code => [0x05],
  end: (): Code => [0x0b],
  br: (depth: number): Code => [0x0c, ...uleb(depth)],
  brIf: (depth: number): Code => [0x0d, ...uleb(depth)],
  return: (): Code => [0x0f],
  /** Call function `index` of the module (its place in moduleBytes' list). */
  call: (index: number): Code => [0x10, ...uleb(index)],
  select: (): Code => [0x1b],
  /** Discard the value on top of the stack. */
  drop: (): Code => [0x1a],
  // Locals and constants.
  get: (local: number): Code => [0x20, ...uleb(local)],
  set: (local: number): Code => [0x21, ...uleb(local)],
  tee: (local: number): Code => [0x22, ...uleb(local)],
  i32: (value: number): Code => [0x41, ...sleb(value)],
  /** An i64 constant in the i32 range. */
  i64: (value: number): Code => [0x42, ...sleb(value)],
  /** Any i64 constant (two's complement of `value` mod 2^64). */
  i64Big: (value: bigint): Code => [0x42, ...slebBig(value)],
  // Memory (offset = a constant added to the address on the stack).
  load32: (offset = 0): Code => [0x28, ...memarg(0, offset)],
  load64: (offset = 0): Code => [0x29, ...memarg(0, offset)],
  load8: (offset = 0): Code => [0x2d, ...memarg(0, offset)],
  load16U: (offset = 0): Code => [0x2f, ...memarg(0, offset)],
  store32: (offset = 0): Code => [0x36, ...memarg(0, offset)],
  store64: (offset = 0): Code => [0x37, ...memarg(0, offset)],
  store8: (offset = 0): Code => [0x3a, ...memarg(0, offset)],
  store16: (offset = 0): Code => [0x3b, ...memarg(0, offset)],
  /** Bulk memory: copy (dst, src, n on the stack) and fill (dst, value, n). */
  memoryCopy: (): Code => [0xfc, 0x0a, 0x00, 0x00],
  memoryFill: (): Code => [0xfc, 0x0b, 0x00],
  // i32 arithmetic and comparisons.
  eqz: (): Code => [0x45],
  eq: (): Code => [0x46],
  ne: (): Code => [0x47],
  ltS: (): Code => [0x48],
  ltU: (): Code => [0x49],
  gtS: (): Code => [0x4a],
  gtU: (): Code => [0x4b],
  leS: (): Code => [0x4c],
  leU: (): Code => [0x4d],
  geS: (): Code => [0x4e],
  geU: (): Code => [0x4f],
  add: (): Code => [0x6a],
  sub: (): Code => [0x6b],
  mul: (): Code => [0x6c],
  divU: (): Code => [0x6e],
  clz: (): Code => [0x67],
  ctz: (): Code => [0x68],
  xor: (): Code => [0x73],
  and: (): Code => [0x71],
  or: (): Code => [0x72],
  shl: (): Code => [0x74],
  shrS: (): Code => [0x75],
  shrU: (): Code => [0x76],
  rotr: (): Code => [0x78],
  // i64.
  i64Eqz: (): Code => [0x50],
  i64Ne: (): Code => [0x52],
  i64GeU: (): Code => [0x5a],
  i64Ctz: (): Code => [0x7a],
  i64Add: (): Code => [0x7c],
  i64Mul: (): Code => [0x7e],
  i64Or: (): Code => [0x84],
  i64Xor: (): Code => [0x85],
  i64Shl: (): Code => [0x86],
  i64ShrU: (): Code => [0x88],
  wrap: (): Code => [0xa7],
  extendU: (): Code => [0xad],
  // SIMD: prefix 0xfd, then the LEB128 sub-opcode. Alignment hint 0 (no alignment
  // promised: buffers are placed at arbitrary offsets).
  load: (offset = 0): Code => [0xfd, 0x00, ...memarg(0, offset)],
  store: (offset = 0): Code => [0xfd, 0x0b, ...memarg(0, offset)],
  v128: (bytes: readonly number[]): Code => [0xfd, 0x0c, ...bytes],
  shuffle: (lanes: readonly number[]): Code => [0xfd, 0x0d, ...lanes],
  /** i8x16.swizzle: lanes of the first vector picked by the byte indices of the second (0 past 15). */
  swizzle: (): Code => [0xfd, 0x0e],
  v128And: (): Code => [0xfd, 0x4e],
  v128Xor: (): Code => [0xfd, 0x51],
  /** i8x16.splat: the low byte of an i32 in every lane. */
  i8x16Splat: (): Code => [0xfd, 0x0f],
  i8x16Eq: (): Code => [0xfd, 0x23],
  i8x16Bitmask: (): Code => [0xfd, ...uleb(100)],
  i64x2Shl: (): Code => [0xfd, ...uleb(203)],
  i32x4ExtractLane: (lane: number): Code => [0xfd, 0x1b, lane],
  i16x8ExtaddPairwiseI8x16U: (): Code => [0xfd, ...uleb(125)],
  i32x4ExtaddPairwiseI16x8U: (): Code => [0xfd, ...uleb(127)],
  i16x8ExtendLowI8x16U: (): Code => [0xfd, ...uleb(137)],
  i16x8ExtendHighI8x16U: (): Code => [0xfd, ...uleb(138)],
  i32x4Add: (): Code => [0xfd, ...uleb(174)],
  /** i16x8.sub_sat_u: lane-wise a - b, 0 where b > a. */
  i16x8SubSatU: (): Code => [0xfd, ...uleb(147)],
  i32x4DotI16x8S: (): Code => [0xfd, ...uleb(186)],
  i64x2ShrU: (): Code => [0xfd, ...uleb(205)],
};

/** Concatenate instructions. */
export function code(...parts: Code[]): Code {
  const out: Code = [];
  for (const p of parts) for (const b of p) out.push(b);
  return out;
}

export interface FunctionBody {
  /** Parameter types (all functions here return one i32 or nothing). */
  params: number[];
  result: number | null;
  /** Runs of locals after the parameters: [count, type]. */
  locals: Array<[number, number]>;
  code: Code;
}

function section(id: number, payload: Code): Code {
  return [id, ...uleb(payload.length), ...payload];
}

function name(s: string): Code {
  const bytes = Array.from(s, (c) => c.charCodeAt(0));
  return [...uleb(bytes.length), ...bytes];
}

/**
 * A module importing its memory as `env.memory` (at least `minPages` pages) and exporting
 * `functions` under `names`, in that order.
 */
export function moduleBytes(functions: readonly FunctionBody[], names: readonly string[], minPages: number): Uint8Array<ArrayBuffer> {
  // One function type per function: simple, and the section stays small.
  const types: Code = [...uleb(functions.length)];
  for (const f of functions) {
    types.push(0x60, ...uleb(f.params.length), ...f.params);
    if (f.result === null) types.push(0x00);
    else types.push(0x01, f.result);
  }
  const imports = [...uleb(1), ...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(minPages)];
  const funcs = [...uleb(functions.length), ...functions.flatMap((_, i) => uleb(i))];
  const exportEntries: Code = [...uleb(names.length)];
  names.forEach((n, i) => exportEntries.push(...name(n), 0x00, ...uleb(i)));
  const bodies: Code = [...uleb(functions.length)];
  for (const f of functions) {
    const locals = [...uleb(f.locals.length)];
    for (const [count, t] of f.locals) locals.push(...uleb(count), t);
    const fn = [...locals, ...f.code, ...op.end()];
    bodies.push(...uleb(fn.length), ...fn);
  }
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exportEntries),
    ...section(10, bodies),
  ]);
}
