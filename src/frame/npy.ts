/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0; numpy/lib/format.py):
 *
 *   "\x93NUMPY" | major | minor | header length (uint16 LE in 1.0, uint32 LE in 2.0/3.0)
 *   | header: a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), }
 *     padded with spaces and a newline so the data starts at a multiple of 64 bytes
 *   | data, C order (or Fortran order when fortran_order is True)
 *
 * Version 3.0 only differs in the header being UTF-8 instead of latin-1. The dict is read
 * with a small parser for exactly the literals numpy writes (strings, True/False, tuples
 * and lists of ints and of (name, dtype) pairs); nothing is evaluated.
 */
import { BloscErrorCode, fail } from '../errors.js';

export interface NpyArray {
  /** `descr`: a dtype string (`<f8`, `|b1`, ...) or, for structured dtypes, its Python repr. */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly fortranOrder: boolean;
  /** Element bytes exactly as in the file (a view into the input). */
  readonly data: Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** Longest header accepted; numpy itself refuses headers over 10 000 bytes by default. */
export const MAX_NPY_HEADER = 1 << 20;

function bad(message: string, offset?: number): never {
  return fail(BloscErrorCode.InvalidHeader, `npy: ${message}`, offset === undefined ? {} : { offset });
}

type PyValue = string | number | boolean | null | PyValue[];

/** A reader of the Python literals numpy writes in an .npy header. */
class LiteralParser {
  pos = 0;
  constructor(readonly text: string) {}

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== ch) bad(`header: expected '${ch}' at character ${this.pos}`);
    this.pos++;
  }

  peek(): string | undefined {
    this.skipSpace();
    return this.text[this.pos];
  }

  value(depth = 0): PyValue {
    if (depth > 32) bad('header: nesting too deep');
    const c = this.peek();
    if (c === "'" || c === '"') return this.string();
    if (c === '(' || c === '[') return this.sequence(c === '(' ? ')' : ']', depth);
    const m = /^(True|False|None|-?\d+)/.exec(this.text.slice(this.pos, this.pos + 40));
    if (m === null) bad(`header: unexpected character at ${this.pos}`);
    this.pos += m[0].length;
    // numpy may write shapes as `3L` (Python 2).
    if (this.text[this.pos] === 'L') this.pos++;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    const n = Number(m[0]);
    if (!Number.isSafeInteger(n)) bad(`header: integer ${m[0]} out of range`);
    return n;
  }

  string(): string {
    this.skipSpace();
    const quote = this.text[this.pos]!;
    this.pos++;
    let out = '';
    while (this.pos < this.text.length && this.text[this.pos] !== quote) {
      if (this.text[this.pos] === '\\') this.pos++;
      out += this.text[this.pos] ?? '';
      this.pos++;
    }
    if (this.pos >= this.text.length) bad('header: unterminated string');
    this.pos++;
    return out;
  }

  private sequence(close: string, depth: number): PyValue[] {
    this.pos++;
    const out: PyValue[] = [];
    while (this.peek() !== close) {
      if (this.peek() === undefined) bad('header: unterminated tuple or list');
      out.push(this.value(depth + 1));
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== close) bad(`header: expected ',' or '${close}' at ${this.pos}`);
    }
    this.pos++;
    return out;
  }

  dict(): Map<string, { value: PyValue; raw: string }> {
    this.expect('{');
    const out = new Map<string, { value: PyValue; raw: string }>();
    while (this.peek() !== '}') {
      if (this.peek() === undefined) bad('header: unterminated dict');
      const key = this.string();
      this.expect(':');
      this.skipSpace();
      const start = this.pos;
      const value = this.value();
      out.set(key, { value, raw: this.text.slice(start, this.pos) });
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== '}') bad(`header: expected ',' or '}' at ${this.pos}`);
    }
    this.pos++;
    return out;
  }
}

/** Item size of a descr numpy writes: a plain dtype string; null when this module cannot tell. */
function descrItemsize(descr: string): number | null {
  const m = /^[<>|=]?([a-zA-Z?])(\d*)(\[[A-Za-z0-9]+\])?$/.exec(descr);
  if (m === null) return null;
  const code = m[1]!;
  const digits = m[2]!;
  if (code === 'b' || code === '?') return digits === '' ? 1 : Number(digits);
  if (code === 'M' || code === 'm') return digits === '' ? 8 : Number(digits);
  if (digits === '') return null;
  return code === 'U' ? Number(digits) * 4 : Number(digits);
}

/** Item size of a parsed descr: a dtype string, or a list of (name, dtype[, shape]) fields, packed. */
function descrValueItemsize(value: PyValue, depth: number): number | null {
  if (depth > 16) return null;
  if (typeof value === 'string') return descrItemsize(value);
  if (!Array.isArray(value)) return null;
  let total = 0;
  for (const field of value) {
    if (!Array.isArray(field) || field.length < 2 || field.length > 3 || typeof field[0] !== 'string' && !Array.isArray(field[0])) return null;
    const size = descrValueItemsize(field[1]!, depth + 1);
    if (size === null) return null;
    let count = 1;
    const shape = field[2];
    if (typeof shape === 'number') count = shape;
    else if (Array.isArray(shape)) for (const d of shape) count *= typeof d === 'number' && d >= 0 ? d : NaN;
    else if (shape !== undefined) return null;
    total += size * count;
    if (!Number.isSafeInteger(total)) return null;
  }
  return total;
}

/**
 * Item size of a dtype written as numpy writes it: `<f8`, `|S10`, or a structured dtype as
 * a Python list of fields (`[('a', '<i4'), ('b', '<f8', (2,))]`, packed as numpy packs it)
 * or a dict with an 'itemsize' key. null when it cannot be told.
 */
export function dtypeItemsize(dtype: string): number | null {
  const trimmed = dtype.trim();
  if (!trimmed.startsWith('[') && !trimmed.startsWith('{')) return descrItemsize(trimmed);
  try {
    const parser = new LiteralParser(trimmed);
    if (trimmed.startsWith('{')) {
      const size = parser.dict().get('itemsize')?.value;
      return typeof size === 'number' && size > 0 ? size : null;
    }
    const size = descrValueItemsize(parser.value(), 0);
    return size !== null && size > 0 ? size : null;
  } catch {
    return null;
  }
}

/** An .npy header: what {@link parseNpyHeader} reads before the data. */
export interface NpyHeader {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly fortranOrder: boolean;
  /** Where the data starts in the file. */
  readonly dataOffset: number;
  /** Bytes per element the descr implies, or null when it cannot be told. */
  readonly itemsize: number | null;
}


/**
 * Parse the header of an .npy file from its first bytes (at least up to the data, which
 * need not follow), so a large file can be read a piece at a time.
 */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.length < 10) bad(`${bytes.length} bytes is too short for an .npy file`);
  for (let i = 0; i < 6; i++) if (bytes[i] !== MAGIC[i]) bad('not an .npy file (bad magic)', i);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) bad(`format version ${major}.${minor} is not supported`, 6);
  const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLen: number;
  if (major === 1) {
    headerLen = d.getUint16(8, true);
    headerStart = 10;
  } else {
    if (bytes.length < 12) bad('too short for a version 2/3 header', 8);
    headerLen = d.getUint32(8, true);
    headerStart = 12;
  }
  if (headerLen > MAX_NPY_HEADER) bad(`header length ${headerLen} is too large`, 8);
  if (headerStart + headerLen > bytes.length) bad(`header length ${headerLen} overruns the ${bytes.length}-byte file`, 8);
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLen);
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    } catch {
      bad('header is not valid UTF-8', headerStart);
    }
  } else {
    let latin1 = '';
    for (let i = 0; i < headerBytes.length; i += 4096) latin1 += String.fromCharCode(...headerBytes.subarray(i, i + 4096));
    text = latin1;
  }
  const dict = new LiteralParser(text).dict();
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shapeEntry = dict.get('shape');
  if (descr === undefined || fortran === undefined || shapeEntry === undefined || dict.size !== 3) {
    bad(`header must have exactly the keys 'descr', 'fortran_order' and 'shape'`);
  }
  let dtype: string;
  if (typeof descr.value === 'string') dtype = descr.value;
  else if (Array.isArray(descr.value)) dtype = descr.raw.trim();
  else bad('descr must be a string or a list');
  if (typeof fortran.value !== 'boolean') bad('fortran_order must be True or False');
  const shapeValue = shapeEntry.value;
  if (!Array.isArray(shapeValue)) bad('shape must be a tuple');
  const shape: number[] = [];
  let nitems = 1;
  for (const v of shapeValue) {
    if (typeof v !== 'number' || v < 0) bad(`shape entries must be non-negative integers, got ${JSON.stringify(shapeValue)}`);
    shape.push(v);
    nitems *= v;
    if (!Number.isSafeInteger(nitems)) bad('shape is too large');
  }
  if (shape.length > 64) bad(`${shape.length} dimensions are too many`);
  const itemsize = typeof descr.value === 'string' ? descrItemsize(dtype) : descrValueItemsize(descr.value, 0);
  return { dtype, shape, fortranOrder: fortran.value, dataOffset: headerStart + headerLen, itemsize };
}

/**
 * Parse an .npy file. `itemsize` overrides the size the descr implies (needed only for
 * dtypes this module cannot size); without either, the data length is not checked.
 */
export function parseNpy(bytes: Uint8Array, itemsize?: number): NpyArray {
  const h = parseNpyHeader(bytes);
  const size = itemsize ?? h.itemsize;
  let data = bytes.subarray(h.dataOffset);
  if (size !== null) {
    let nitems = 1;
    for (const v of h.shape) nitems *= v;
    const nbytes = nitems * size;
    if (data.length < nbytes) bad(`data holds ${data.length} bytes, shape [${h.shape.join(', ')}] of ${h.dtype} needs ${nbytes}`, h.dataOffset);
    data = data.subarray(0, nbytes);
  }
  return { dtype: h.dtype, shape: h.shape, fortranOrder: h.fortranOrder, data };
}

/**
 * Write an .npy file in C order: format 1.0 when the header fits in 65535 bytes, else 2.0;
 * 3.0 when the dtype string is not latin-1. The data must be the C-order element bytes.
 */
export function writeNpy(array: { dtype: string; shape: readonly number[]; data: Uint8Array }): Uint8Array {
  const { dtype, shape, data } = array;
  for (const v of shape) if (!Number.isSafeInteger(v) || v < 0) fail(BloscErrorCode.InvalidParam, `npy: shape entries must be non-negative integers, got [${shape.join(', ')}]`);
  const descr = dtype.startsWith('[') ? dtype : `'${dtype.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': ${descr}, 'fortran_order': False, 'shape': ${shapeText}, }`;
  const utf8 = new TextEncoder().encode(dict);
  const latin1 = [...dict].every((ch) => ch.charCodeAt(0) < 256);
  const header = latin1 ? Uint8Array.from(dict, (ch) => ch.charCodeAt(0)) : utf8;
  let major = latin1 ? 1 : 3;
  if (major === 1 && header.length + 64 + 1 > 0xffff) major = 2;
  const prefix = major === 1 ? 10 : 12;
  const padding = (64 - ((prefix + header.length + 1) % 64)) % 64;
  const headerLen = header.length + padding + 1;
  const out = new Uint8Array(prefix + headerLen + data.length);
  out.set(MAGIC);
  out[6] = major;
  out[7] = 0;
  const d = new DataView(out.buffer);
  if (major === 1) d.setUint16(8, headerLen, true);
  else d.setUint32(8, headerLen, true);
  out.set(header, prefix);
  out.fill(0x20, prefix + header.length, prefix + header.length + padding);
  out[prefix + headerLen - 1] = 0x0a;
  out.set(data, prefix + headerLen);
  return out;
}
