/**
 * Ported from C-Blosc (Blosc/c-blosc, BSD-3-Clause) and C-Blosc2 (Blosc/c-blosc2,
 * BSD-3-Clause) blosc/blosclz.c, based on FastLZ (Ariya Hidayat, MIT); license in
 * THIRD_PARTY_NOTICES.md.
 *
 * The two loops of blosclz-compress.ts as WebAssembly functions on the shared memory
 * (src/wasm/heap.ts): `probe` is `get_cratio` (the entropy probe) and `compress` is the
 * body of `blosclz_compress` after the probe, both from blosc/blosclz.c. Same steps, same
 * table, same bytes as the TypeScript twin, which stays the fallback (no WebAssembly, or
 * `setBlosclzWasmEnabled(false)`). Match lengths are counted eight bytes at a time (the
 * answer is the first differing byte either way).
 *
 * Where things are: the hash table in [ENCODE_AT, ENCODE_END) (2^14 entries at most); the
 * input where lz4-compress-wasm.ts's `heapInput` puts it; the output at ENCODE_OUT_AT,
 * copied to the caller's buffer afterwards, so nothing outside dst[dp, dp + written) is
 * ever touched. Every store is checked against the output limit before it happens, as C's
 * are, so the output area needs no slack.
 */
import { type Code, type FunctionBody, I32, I64, V128, code, moduleBytes, op } from '../wasm/assembler.js';
import { ENCODE_AT, ENCODE_END, heapBytes, HeapModuleLoader } from '../wasm/heap.js';
import { ENCODE_OUT_AT, ENCODE_OUT_MAX, heapInput } from './lz4-compress-wasm.js';
import { copyMemory } from '../copy.js';

const MAX_COPY = 32;
const MAX_DISTANCE = 8191;
const MAX_FARDISTANCE = 65535 + MAX_DISTANCE - 1;
if (ENCODE_AT + 4 * (1 << 14) > ENCODE_END) throw new Error('blosclz hash table overruns its area of the heap');

const get = op.get;
const set = op.set;
const k = op.i32;

/** The table address of the hash of `seq` (an i32 expression) with HASHLOG bits in local `hl`. */
function hashAddr(seq: Code, hl: number): Code {
  // HASH_FUNCTION: (seq * 2654435761) >> (32 - hashlog), times 4 bytes an entry.
  return code(seq, k(0x9e3779b1 | 0), op.mul(), k(32), get(hl), op.sub(), op.shrU(), k(2), op.shl(), k(ENCODE_AT), op.add());
}

/**
 * `matchEnd` of blosclz-compress.ts into local `q`: one past the first byte in
 * [anchor+4, bound) differing from the byte `dist` before it, or bound. Uses locals
 * q, r, m (i32), x (i64) and v (v128).
 */
function matchEnd(anchor: number, dist: number, bound: number, q: number, r: number, x: number, m: number, v: number): Code {
  return code(
    get(anchor), k(4), op.add(), set(q),
    get(q), get(dist), op.sub(), set(r),
    op.block(), // $found (q is the answer)
    op.block(), // $words
    // The first 16 bytes alone (short matches end there), then 64 bytes at a time while all
    // of them match (long runs and matches are most of the input of well-compressing
    // planes); the 16-byte loop below finds the difference.
    get(q), k(16), op.add(), get(bound), op.gtU(), op.brIf(0),
    get(q), op.load(), get(r), op.load(), op.i8x16Eq(), op.i8x16Bitmask(), k(0xffff), op.xor(), op.tee(m), op.if(),
    get(q), get(m), op.ctz(), op.add(), k(1), op.add(), set(q),
    op.br(2),
    op.end(),
    get(q), k(16), op.add(), set(q), get(r), k(16), op.add(), set(r),
    // A run (C's get_run is for distance 1): when the distance is at most 16 and the 16
    // bytes before q are one byte x, the match goes on exactly as long as x does (each byte
    // is compared with an x), so compare against x, one load per 16 bytes. That also takes
    // the runs that start with a match at distance 2 to 16 (zero planes: 4, from offset 0).
    get(dist), k(16), op.leU(), op.if(),
    get(q), k(1), op.sub(), op.load8(), op.i8x16Splat(), set(v),
    get(q), k(16), op.sub(), op.load(), get(v), op.i8x16Eq(), op.i8x16Bitmask(), k(0xffff), op.eq(), op.if(),
    op.block(),
    op.loop(),
    get(q), k(64), op.add(), get(bound), op.gtU(), op.brIf(1),
    get(q), op.load(), get(v), op.i8x16Eq(),
    get(q), op.load(16), get(v), op.i8x16Eq(), op.v128And(),
    get(q), op.load(32), get(v), op.i8x16Eq(), op.v128And(),
    get(q), op.load(48), get(v), op.i8x16Eq(), op.v128And(),
    op.i8x16Bitmask(), k(0xffff), op.ne(), op.brIf(1),
    get(q), k(64), op.add(), set(q),
    op.br(0),
    op.end(),
    op.end(),
    get(q), get(dist), op.sub(), set(r),
    op.end(),
    op.end(),
    op.block(),
    op.loop(),
    get(q), k(64), op.add(), get(bound), op.gtU(), op.brIf(1),
    get(q), op.load(), get(r), op.load(), op.i8x16Eq(),
    get(q), op.load(16), get(r), op.load(16), op.i8x16Eq(), op.v128And(),
    get(q), op.load(32), get(r), op.load(32), op.i8x16Eq(), op.v128And(),
    get(q), op.load(48), get(r), op.load(48), op.i8x16Eq(), op.v128And(),
    op.i8x16Bitmask(), k(0xffff), op.ne(), op.brIf(1),
    get(q), k(64), op.add(), set(q), get(r), k(64), op.add(), set(r),
    op.br(0),
    op.end(),
    op.end(),
    // 16 bytes at a time: the lowest clear bit of the mask of equal bytes is the first difference.
    op.loop(),
    get(q), k(16), op.add(), get(bound), op.gtU(), op.brIf(1),
    get(q), op.load(), get(r), op.load(), op.i8x16Eq(), op.i8x16Bitmask(), k(0xffff), op.xor(), op.tee(m), op.eqz(), op.if(),
    get(q), k(16), op.add(), set(q), get(r), k(16), op.add(), set(r), op.br(1),
    op.end(),
    get(q), get(m), op.ctz(), op.add(), k(1), op.add(), set(q),
    op.br(2),
    op.end(),
    op.end(),
    op.block(), // $bytes
    op.loop(),
    get(q), k(8), op.add(), get(bound), op.gtU(), op.brIf(1),
    get(q), op.load64(), get(r), op.load64(), op.i64Xor(), op.tee(x), op.i64Eqz(), op.if(),
    get(q), k(8), op.add(), set(q), get(r), k(8), op.add(), set(r), op.br(1),
    op.end(),
    get(q), get(x), op.i64Ctz(), op.wrap(), k(3), op.shrU(), op.add(), k(1), op.add(), set(q),
    op.br(2),
    op.end(),
    op.end(),
    op.loop(),
    get(q), get(bound), op.geU(), op.brIf(1),
    get(q), op.load8(), get(r), op.load8(), op.ne(), op.if(), get(q), k(1), op.add(), set(q), op.br(2), op.end(),
    get(q), k(1), op.add(), set(q), get(r), k(1), op.add(), set(r),
    op.br(0),
    op.end(),
    op.end(),
  );
}

/**
 * `get_cratio`: returns (ip - base) << 16 | oc. Params base, limit, minlen, ipshift, hashlog.
 * The probe reads at most 2^hashlog <= 16384 bytes, so a candidate is never MAX_FARDISTANCE
 * away: only distance 0 (the candidate is this position) rules one out before its 4 bytes
 * are compared. Literals (most positions of data that does not compress) take one branch.
 */
function probeBody(): FunctionBody {
  const BASE = 0, LIMIT = 1, MINLEN = 2, IPSHIFT = 3, HL = 4;
  const BOUND = 5, ILIMIT = 6, OC = 7, COPY = 8, IP = 9, ANCHOR = 10, SEQ = 11, H = 12, REF = 13, DIST = 14, LEN = 15, Q = 16, R = 17, M = 18;
  const X = 19;
  const c = code(
    k(ENCODE_AT), k(0), k(4), get(HL), op.shl(), op.memoryFill(),
    get(BASE), get(LIMIT), op.add(), k(1), op.sub(), set(BOUND),
    get(BASE), get(LIMIT), op.add(), k(12), op.sub(), set(ILIMIT),
    k(5), set(OC), k(4), set(COPY), get(BASE), set(IP),
    op.block(), op.loop(),
    get(IP), get(ILIMIT), op.geS(), op.brIf(1),
    op.block(), // $literal
    get(IP), op.load32(), set(SEQ),
    hashAddr(get(SEQ), HL), set(H),
    get(BASE), get(H), op.load32(), op.add(), set(REF),
    get(H), get(IP), get(BASE), op.sub(), op.store32(),
    get(REF), get(IP), op.eq(), op.brIf(0),
    get(REF), op.load32(), get(SEQ), op.ne(), op.brIf(0),
    get(IP), set(ANCHOR),
    get(IP), get(REF), op.sub(), set(DIST),
    matchEnd(ANCHOR, DIST, BOUND, Q, R, X, M, X + 1),
    get(Q), get(IPSHIFT), op.sub(), set(IP),
    get(IP), get(ANCHOR), op.sub(), set(LEN),
    get(LEN), get(MINLEN), op.ltS(), op.if(),
    get(ANCHOR), set(IP),
    op.br(1), // a literal after all
    op.end(),
    get(COPY), op.eqz(), op.if(), get(OC), k(1), op.sub(), set(OC), op.end(),
    k(0), set(COPY),
    get(LEN), k(7), op.geS(), op.if(),
    get(OC), get(LEN), k(7), op.sub(), k(255), op.divU(), op.add(), k(1), op.add(), set(OC),
    op.end(),
    get(OC), k(2), k(4), get(DIST), k(1), op.sub(), k(MAX_DISTANCE), op.ltU(), op.select(), op.add(), set(OC),
    hashAddr(code(get(IP), op.load32()), HL), get(IP), get(BASE), op.sub(), op.store32(),
    get(IP), k(2), op.add(), set(IP),
    get(OC), k(1), op.add(), set(OC),
    op.br(1), // next position
    op.end(), // $literal
    get(OC), k(1), op.add(), set(OC),
    get(IP), k(1), op.add(), set(IP),
    get(COPY), k(1), op.add(), set(COPY),
    get(COPY), k(MAX_COPY), op.eq(), op.if(), k(0), set(COPY), get(OC), k(1), op.add(), set(OC), op.end(),
    op.br(0),
    op.end(), op.end(),
    get(IP), get(BASE), op.sub(), k(16), op.shl(), get(OC), op.or(),
  );
  return { params: [I32, I32, I32, I32, I32], result: I32, locals: [[X - 5, I32], [1, I64], [1, V128]], code: c };
}

/** `blosclz_compress` after the probe: returns the bytes written or 0. */
function compressBody(): FunctionBody {
  const SRC = 0, SN = 1, DST = 2, MAXOUT = 3, HL = 4, IPSHIFT = 5, MINLEN = 6, C9 = 7;
  const IPBOUND = 8, IPLIMIT = 9, OPLIMIT = 10, IP = 11, OP = 12, COPY = 13, ANCHOR = 14, SEQ = 15, H = 16, REF = 17, DIST = 18;
  const LEN = 19, Q = 20, R = 21, M = 22;
  const X = 23;
  /** `if (op + n > opLimit) return 0`. */
  const room = (n: number): Code => code(get(OP), k(n), op.add(), get(OPLIMIT), op.gtU(), op.if(), k(0), op.return(), op.end());
  const put = (value: Code): Code => code(get(OP), value, op.store8(), get(OP), k(1), op.add(), set(OP));
  /** The 255-byte run of a long match length (len already less 7). */
  const lenRun = code(
    get(LEN), k(7), op.sub(), set(LEN),
    op.block(), op.loop(),
    get(LEN), k(255), op.ltU(), op.brIf(1),
    room(1), put(k(255)),
    get(LEN), k(255), op.sub(), set(LEN),
    op.br(0),
    op.end(), op.end(),
  );
  /** Literal byte at `from` (an address expression), with the run header every MAX_COPY. */
  const literal = (from: Code): Code => code(
    room(2), put(code(from, op.load8())),
    get(COPY), k(1), op.add(), set(COPY),
    get(COPY), k(MAX_COPY), op.eq(), op.if(), k(0), set(COPY), put(k(MAX_COPY - 1)), op.end(),
  );
  /** Close the pending literal run, or drop its unused header. */
  const closeRun = code(
    get(COPY), op.if(),
    get(OP), get(COPY), op.sub(), k(1), op.sub(), get(COPY), k(1), op.sub(), op.store8(),
    op.else(),
    get(OP), k(1), op.sub(), set(OP),
    op.end(),
  );

  const c = code(
    k(ENCODE_AT), k(0), k(4), get(HL), op.shl(), op.memoryFill(),
    get(SRC), get(SN), op.add(), k(1), op.sub(), set(IPBOUND),
    get(SRC), get(SN), op.add(), k(12), op.sub(), set(IPLIMIT),
    get(DST), get(MAXOUT), op.add(), set(OPLIMIT),
    get(SRC), set(IP), get(DST), set(OP),
    // A literal run with the first 4 bytes; its header is patched later.
    k(4), set(COPY),
    put(k(MAX_COPY - 1)),
    get(OP), get(IP), op.load32(), op.store32(),
    get(OP), k(4), op.add(), set(OP), get(IP), k(4), op.add(), set(IP),

    op.block(), op.loop(),
    get(IP), get(IPLIMIT), op.geS(), op.brIf(1),
    // Literals (most positions of data that compresses little) leave this block with one
    // branch: a candidate at distance 0 or >= MAX_FARDISTANCE (distance - 1 as unsigned
    // at least MAX_FARDISTANCE - 1), or whose 4 bytes differ.
    op.block(), // $literal
    get(IP), op.load32(), set(SEQ),
    hashAddr(get(SEQ), HL), set(H),
    get(SRC), get(H), op.load32(), op.add(), set(REF),
    get(IP), get(REF), op.sub(), set(DIST),
    get(H), get(IP), get(SRC), op.sub(), op.store32(),
    get(DIST), k(1), op.sub(), k(MAX_FARDISTANCE - 1), op.geU(), op.brIf(0),
    get(REF), op.load32(), get(SEQ), op.ne(), op.brIf(0),
    get(IP), set(ANCHOR),
    matchEnd(ANCHOR, DIST, IPBOUND, Q, R, X, M, X + 1),
    get(Q), get(IPSHIFT), op.sub(), set(IP),
    get(DIST), k(1), op.sub(), set(DIST),
    get(IP), get(ANCHOR), op.sub(), set(LEN),
    // Short matches are expensive to decode (C's comment): len < minlen || (len <= 5 && far).
    get(LEN), get(MINLEN), op.ltS(),
    get(LEN), k(5), op.leS(), get(DIST), k(MAX_DISTANCE), op.geU(), op.and(),
    op.or(), op.if(),
    get(ANCHOR), set(IP),
    op.br(1), // a literal after all
    op.end(),

    closeRun,
    k(0), set(COPY),
    get(DIST), k(MAX_DISTANCE), op.ltU(), op.if(),
    get(LEN), k(7), op.ltS(), op.if(),
    room(2),
    put(code(get(LEN), k(5), op.shl(), get(DIST), k(8), op.shrU(), op.add())),
    put(code(get(DIST), k(255), op.and())),
    op.else(),
    room(1),
    put(code(k(7 << 5), get(DIST), k(8), op.shrU(), op.add())),
    lenRun,
    room(2),
    put(get(LEN)),
    put(code(get(DIST), k(255), op.and())),
    op.end(),
    op.else(),
    get(DIST), k(MAX_DISTANCE), op.sub(), set(DIST),
    get(LEN), k(7), op.ltS(), op.if(),
    room(4),
    put(code(get(LEN), k(5), op.shl(), k(31), op.add())),
    put(k(255)),
    put(code(get(DIST), k(8), op.shrU())),
    put(code(get(DIST), k(255), op.and())),
    op.else(),
    room(1),
    put(k((7 << 5) + 31)),
    lenRun,
    room(4),
    put(get(LEN)),
    put(k(255)),
    put(code(get(DIST), k(8), op.shrU())),
    put(code(get(DIST), k(255), op.and())),
    op.end(),
    op.end(),

    // Update the hash at the match boundary (twice at clevel 9).
    get(IP), op.load32(), set(SEQ),
    hashAddr(get(SEQ), HL), get(IP), get(SRC), op.sub(), op.store32(),
    get(IP), k(1), op.add(), set(IP),
    get(C9), op.if(),
    hashAddr(code(get(SEQ), k(8), op.shrU()), HL), get(IP), get(SRC), op.sub(), op.store32(),
    op.end(),
    get(IP), k(1), op.add(), set(IP),
    room(1),
    put(k(MAX_COPY - 1)),
    op.br(1), // next position
    op.end(), // $literal
    literal(get(IP)),
    get(IP), k(1), op.add(), set(IP),
    op.br(0),
    op.end(), op.end(),

    // Left-over bytes as literals.
    op.block(), op.loop(),
    get(IP), get(IPBOUND), op.gtS(), op.brIf(1),
    literal(get(IP)),
    get(IP), k(1), op.add(), set(IP),
    op.br(0),
    op.end(), op.end(),
    closeRun,
    get(DST), get(DST), op.load8(), k(1 << 5), op.or(), op.store8(),
    get(OP), get(DST), op.sub(),
  );
  return { params: [I32, I32, I32, I32, I32, I32, I32, I32], result: I32, locals: [[X - 8, I32], [1, I64], [1, V128]], code: c };
}

/** The module's bytes: `probe` and `compress`, on the shared memory. */
export function blosclzCompressModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([probeBody(), compressBody()], ['probe', 'compress'], Math.ceil(ENCODE_END / 65536));
}

type Probe = (base: number, limit: number, minlen: number, ipshift: number, hashlog: number) => number;
type Compress = (src: number, sn: number, dst: number, maxout: number, hashlog: number, ipshift: number, minlen: number, clevel9: number) => number;

let enabled = true;
let probeFn: Probe | null = null;
let compressFn: Compress | null = null;

function instantiate(exportsObject: WebAssembly.Exports): void {
  probeFn = exportsObject['probe'] as Probe;
  compressFn = exportsObject['compress'] as Compress;
}

const loader = new HeapModuleLoader(blosclzCompressModuleBytes, instantiate);

/** Whether the WebAssembly BloscLZ encoder is in use (compiling it on first ask). */
export function blosclzWasmReady(): boolean {
  return enabled && loader.loaded();
}

/**
 * Turn the WebAssembly BloscLZ encoder on or off (on by default where the platform has
 * WebAssembly). Output does not change; only speed does.
 */
export function setBlosclzWasmEnabled(on: boolean): void {
  enabled = on;
}

/**
 * Where the input of a BloscLZ call sits in the shared memory (its address), or -1 when the
 * WebAssembly encoder cannot take the call (the caller runs the TypeScript twin).
 */
export function blosclzWasmInput(src: Uint8Array, sp: number, sn: number, maxout: number): number {
  if (maxout > ENCODE_OUT_MAX || !blosclzWasmReady()) return -1;
  return heapInput(src, sp, sn);
}

/** `get_cratio` on the input at address `base` (from {@link blosclzWasmInput} plus an offset). */
export function blosclzProbeWasm(base: number, maxlen: number, minlen: number, ipshift: number, hashlog: number): number {
  const hashlen = 1 << hashlog;
  const limit = maxlen > hashlen ? hashlen : maxlen;
  const packed = probeFn!(base, limit, minlen, ipshift, hashlog);
  return (packed >>> 16) / (packed & 0xffff);
}

/** The compression after the probe, on the input at address `at`, into dst[dp..]; bytes written or 0. */
export function blosclzCompressWasm(
  at: number, sn: number, dst: Uint8Array, dp: number, maxout: number, hashlog: number, ipshift: number, minlen: number, clevel: number,
): number {
  const n = compressFn!(at, sn, ENCODE_OUT_AT, maxout, hashlog, ipshift, minlen, clevel === 9 ? 1 : 0);
  if (n > 0) copyMemory(heapBytes(), ENCODE_OUT_AT, dst, dp, n);
  return n;
}
