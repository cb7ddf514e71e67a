/**
 * Ported from python-blosc2 (Blosc/python-blosc2, BSD-3-Clause) msgpack_utils.py,
 * blosc2_ext.pyx; license in THIRD_PARTY_NOTICES.md.
 *
 * A small, bounded msgpack codec for metalayer and vlmetalayer values, following
 * python-blosc2's conventions (src/blosc2/msgpack_utils.py `msgpack_packb` /
 * `msgpack_unpackb`, blosc2_ext.pyx `encode_tuple`):
 *
 * - `bytes` is msgpack bin and `str` is msgpack str; they stay distinct here too
 *   (`Uint8Array` and `string`).
 * - Python tuples travel as arrays whose first element is the string `"__tuple__"`; they
 *   decode to {@link MsgpackTuple} and encode back the same way.
 * - Extension types (42 = an embedded Blosc2 cframe, 43 = a structured reference) are kept
 *   as {@link MsgpackExt} so that they round-trip untouched.
 *
 * The decoder never trusts a length field: every declared length is checked against the
 * bytes that remain before anything is allocated, and nesting is limited, so hostile input
 * raises BloscError and nothing else.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { DEFAULT_LIMITS, getLimits } from '../limits.js';

/** A msgpack extension value (type −128..127, opaque payload). */
export class MsgpackExt {
  constructor(
    readonly type: number,
    readonly data: Uint8Array,
  ) {}
}

/** A Python tuple (encoded as `["__tuple__", ...items]`). */
export class MsgpackTuple {
  constructor(readonly items: MsgpackValue[]) {}
}

/** A map whose keys are not all strings. Maps with string keys decode to plain objects. */
export type MsgpackMap = Map<MsgpackValue, MsgpackValue>;

export interface MsgpackObject {
  [key: string]: MsgpackValue;
}

export type MsgpackValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | MsgpackValue[]
  | MsgpackTuple
  | MsgpackExt
  | MsgpackMap
  | MsgpackObject;

export interface MsgpackLimits {
  /** Deepest nesting of arrays and maps accepted. Default `getLimits().maxMsgpackDepth` (64). */
  maxDepth?: number;
  /**
   * Most values (scalars, arrays, maps, each key) in the document. Default
   * `getLimits().maxMsgpackElements` (1 Mi): an array of 64 Mi one-byte empty maps fits in
   * 64 MiB of input but would take gigabytes of objects.
   */
  maxElements?: number;
  /** Most bytes of input. Default `getLimits().maxMsgpackBytes` (64 MiB). */
  maxBytes?: number;
}

const TUPLE_MARK = '__tuple__';
/** Nesting the encoder accepts (what it writes, the decoder reads back under the default). */
const ENCODE_MAX_DEPTH = DEFAULT_LIMITS.maxMsgpackDepth;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

class Reader {
  pos = 0;
  /** Values decoded so far, against maxElements. */
  elements = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly view: DataView,
    readonly maxDepth: number,
    readonly maxElements: number,
  ) {}

  need(n: number): void {
    if (n > this.buf.length - this.pos) {
      fail(BloscErrorCode.ReadBuffer, `msgpack: ${n} bytes needed at ${this.pos}, ${this.buf.length - this.pos} left`, { offset: this.pos });
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(n: number): string {
    this.need(n);
    const s = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    try {
      return utf8Decoder.decode(s);
    } catch {
      return fail(BloscErrorCode.Data, `msgpack: invalid UTF-8 in a str at ${this.pos - n}`, { offset: this.pos - n });
    }
  }

  /**
   * A container of n elements needs at least n (array) or 2n (map) more bytes, and n (2n)
   * more values within maxElements: both checked before its n slots are allocated.
   */
  checkCount(n: number, bytesPerItem: number): void {
    if (this.elements + n * bytesPerItem > this.maxElements) {
      fail(BloscErrorCode.MaxBufsizeExceeded, `msgpack: a container of ${n} items exceeds the limit of ${this.maxElements} values (raise setLimits({ maxMsgpackElements }))`, { offset: this.pos });
    }
    if (n * bytesPerItem > this.buf.length - this.pos) {
      fail(BloscErrorCode.ReadBuffer, `msgpack: container of ${n} items cannot fit in ${this.buf.length - this.pos} bytes`, { offset: this.pos });
    }
  }

  int64(signed: boolean): number | bigint {
    this.need(8);
    const v = signed ? this.view.getBigInt64(this.pos) : this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  array(n: number, depth: number): MsgpackValue[] | MsgpackTuple {
    this.checkCount(n, 1);
    const items: MsgpackValue[] = new Array<MsgpackValue>(n);
    for (let i = 0; i < n; i++) items[i] = this.value(depth + 1);
    if (n > 0 && items[0] === TUPLE_MARK) return new MsgpackTuple(items.slice(1));
    return items;
  }

  map(n: number, depth: number): MsgpackObject | MsgpackMap {
    this.checkCount(n, 2);
    const keys: MsgpackValue[] = new Array<MsgpackValue>(n);
    const values: MsgpackValue[] = new Array<MsgpackValue>(n);
    let allStrings = true;
    for (let i = 0; i < n; i++) {
      keys[i] = this.value(depth + 1);
      values[i] = this.value(depth + 1);
      if (typeof keys[i] !== 'string') allStrings = false;
    }
    if (allStrings) {
      const obj: MsgpackObject = {};
      for (let i = 0; i < n; i++) {
        // defineProperty: a key named "__proto__" must stay an ordinary own property.
        Object.defineProperty(obj, keys[i] as string, { value: values[i], enumerable: true, writable: true, configurable: true });
      }
      return obj;
    }
    const m: MsgpackMap = new Map();
    for (let i = 0; i < n; i++) m.set(keys[i]!, values[i]!);
    return m;
  }

  ext(n: number): MsgpackExt {
    this.need(1 + n);
    const type = this.view.getInt8(this.pos);
    this.pos += 1;
    return new MsgpackExt(type, this.bytes(n));
  }

  value(depth: number): MsgpackValue {
    if (depth > this.maxDepth) fail(BloscErrorCode.Data, `msgpack: nesting deeper than ${this.maxDepth}`, { offset: this.pos });
    if (++this.elements > this.maxElements) {
      fail(BloscErrorCode.MaxBufsizeExceeded, `msgpack: more than ${this.maxElements} values (raise setLimits({ maxMsgpackElements }))`, { offset: this.pos });
    }
    const t = this.u8();
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 0x100;
    if ((t & 0xe0) === 0xa0) return this.str(t & 0x1f);
    if ((t & 0xf0) === 0x90) return this.array(t & 0x0f, depth);
    if ((t & 0xf0) === 0x80) return this.map(t & 0x0f, depth);
    let v: number;
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bytes(this.u8());
      case 0xc5:
        return this.bytes(this.u16());
      case 0xc6:
        return this.bytes(this.u32());
      case 0xc7:
        return this.ext(this.u8());
      case 0xc8:
        return this.ext(this.u16());
      case 0xc9:
        return this.ext(this.u32());
      case 0xca:
        this.need(4);
        v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      case 0xcb:
        this.need(8);
        v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf:
        return this.int64(false);
      case 0xd0:
        this.need(1);
        return this.view.getInt8(this.pos++);
      case 0xd1:
        this.need(2);
        v = this.view.getInt16(this.pos);
        this.pos += 2;
        return v;
      case 0xd2:
        this.need(4);
        v = this.view.getInt32(this.pos);
        this.pos += 4;
        return v;
      case 0xd3:
        return this.int64(true);
      case 0xd4:
        return this.ext(1);
      case 0xd5:
        return this.ext(2);
      case 0xd6:
        return this.ext(4);
      case 0xd7:
        return this.ext(8);
      case 0xd8:
        return this.ext(16);
      case 0xd9:
        return this.str(this.u8());
      case 0xda:
        return this.str(this.u16());
      case 0xdb:
        return this.str(this.u32());
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      default:
        return fail(BloscErrorCode.Data, `msgpack: reserved type byte 0x${t.toString(16)}`, { offset: this.pos - 1 });
    }
  }
}

/** Decode exactly one msgpack value that spans all of `bytes`. */
export function msgpackDecode(bytes: Uint8Array, limits: MsgpackLimits = {}): MsgpackValue {
  const global = getLimits();
  const maxBytes = limits.maxBytes ?? global.maxMsgpackBytes;
  if (bytes.length > maxBytes) {
    fail(BloscErrorCode.MaxBufsizeExceeded, `msgpack: ${bytes.length} bytes exceed the limit of ${maxBytes} (raise setLimits({ maxMsgpackBytes }))`);
  }
  const r = new Reader(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), limits.maxDepth ?? global.maxMsgpackDepth, limits.maxElements ?? global.maxMsgpackElements);
  const v = r.value(0);
  if (r.pos !== bytes.length) fail(BloscErrorCode.Data, `msgpack: ${bytes.length - r.pos} trailing bytes after the value`, { offset: r.pos });
  return v;
}

class Writer {
  buf = new Uint8Array(64);
  view = new DataView(this.buf.buffer);
  pos = 0;

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v;
  }

  typed(tag: number, size: number, set: (view: DataView, at: number) => void): void {
    this.reserve(1 + size);
    this.buf[this.pos] = tag;
    set(this.view, this.pos + 1);
    this.pos += 1 + size;
  }

  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  length(n: number, fix: number, fixMax: number, t8: number, t16: number, t32: number): void {
    if (fix >= 0 && n <= fixMax) this.u8(fix | n);
    else if (t8 >= 0 && n <= 0xff) this.typed(t8, 1, (d, at) => d.setUint8(at, n));
    else if (n <= 0xffff) this.typed(t16, 2, (d, at) => d.setUint16(at, n));
    else this.typed(t32, 4, (d, at) => d.setUint32(at, n));
  }

  int(v: number): void {
    if (v >= 0) {
      if (v <= 0x7f) this.u8(v);
      else if (v <= 0xff) this.typed(0xcc, 1, (d, at) => d.setUint8(at, v));
      else if (v <= 0xffff) this.typed(0xcd, 2, (d, at) => d.setUint16(at, v));
      else if (v <= 0xffffffff) this.typed(0xce, 4, (d, at) => d.setUint32(at, v));
      else this.typed(0xcf, 8, (d, at) => d.setBigUint64(at, BigInt(v)));
    } else {
      if (v >= -32) this.u8(v & 0xff);
      else if (v >= -0x80) this.typed(0xd0, 1, (d, at) => d.setInt8(at, v));
      else if (v >= -0x8000) this.typed(0xd1, 2, (d, at) => d.setInt16(at, v));
      else if (v >= -0x80000000) this.typed(0xd2, 4, (d, at) => d.setInt32(at, v));
      else this.typed(0xd3, 8, (d, at) => d.setBigInt64(at, BigInt(v)));
    }
  }

  bigint(v: bigint): void {
    if (v >= -(1n << 63n) && v < 0n) this.typed(0xd3, 8, (d, at) => d.setBigInt64(at, v));
    else if (v >= 0n && v < 1n << 64n) this.typed(0xcf, 8, (d, at) => d.setBigUint64(at, v));
    else fail(BloscErrorCode.InvalidParam, `msgpack: integer ${v} does not fit in 64 bits`);
  }

  value(v: MsgpackValue, depth: number): void {
    if (depth > ENCODE_MAX_DEPTH) fail(BloscErrorCode.InvalidParam, `msgpack: nesting deeper than ${ENCODE_MAX_DEPTH}`);
    if (v === null) return this.u8(0xc0);
    if (v === false) return this.u8(0xc2);
    if (v === true) return this.u8(0xc3);
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) return this.int(v);
      return this.typed(0xcb, 8, (d, at) => d.setFloat64(at, v));
    }
    if (typeof v === 'bigint') return this.bigint(v);
    if (typeof v === 'string') {
      const b = utf8Encoder.encode(v);
      this.length(b.length, 0xa0, 31, 0xd9, 0xda, 0xdb);
      return this.raw(b);
    }
    if (v instanceof Uint8Array) {
      this.length(v.length, -1, -1, 0xc4, 0xc5, 0xc6);
      return this.raw(v);
    }
    if (v instanceof MsgpackExt) {
      const n = v.data.length;
      const fixTag = n === 1 ? 0xd4 : n === 2 ? 0xd5 : n === 4 ? 0xd6 : n === 8 ? 0xd7 : n === 16 ? 0xd8 : 0;
      if (!Number.isInteger(v.type) || v.type < -128 || v.type > 127) fail(BloscErrorCode.InvalidParam, `msgpack: ext type ${v.type} out of range`);
      if (fixTag !== 0) this.u8(fixTag);
      else this.length(n, -1, -1, 0xc7, 0xc8, 0xc9);
      this.reserve(1);
      this.view.setInt8(this.pos++, v.type);
      return this.raw(v.data);
    }
    if (v instanceof MsgpackTuple) {
      this.length(v.items.length + 1, 0x90, 15, -1, 0xdc, 0xdd);
      this.value(TUPLE_MARK, depth + 1);
      for (let i = 0; i < v.items.length; i++) this.value(v.items[i]!, depth + 1);
      return;
    }
    if (Array.isArray(v)) {
      this.length(v.length, 0x90, 15, -1, 0xdc, 0xdd);
      for (let i = 0; i < v.length; i++) this.value(v[i]!, depth + 1);
      return;
    }
    if (v instanceof Map) {
      this.length(v.size, 0x80, 15, -1, 0xde, 0xdf);
      for (const [k, x] of v) {
        this.value(k, depth + 1);
        this.value(x, depth + 1);
      }
      return;
    }
    if (typeof v === 'object') {
      const keys = Object.keys(v);
      this.length(keys.length, 0x80, 15, -1, 0xde, 0xdf);
      for (const k of keys) {
        this.value(k, depth + 1);
        this.value(v[k]!, depth + 1);
      }
      return;
    }
    fail(BloscErrorCode.InvalidParam, `msgpack: cannot encode a ${typeof v}`);
  }
}

/**
 * Encode a value the way python-blosc2's `msgpack_packb` would for the same Python value:
 * integers in their smallest form, non-integral numbers as float64, tuples with the
 * `"__tuple__"` marker. (A JS number cannot say whether it was a Python float: integral
 * numbers are written as integers.)
 */
export function msgpackEncode(value: MsgpackValue): Uint8Array {
  const w = new Writer();
  w.value(value, 0);
  return w.buf.slice(0, w.pos);
}
