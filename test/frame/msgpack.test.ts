import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscError } from '../../src/errors.js';
import { msgpackDecode, msgpackEncode, MsgpackExt, MsgpackTuple, type MsgpackValue } from '../../src/frame/msgpack.js';
import { pythonReference, runPython } from '../helpers.js';
import { hex } from './frame-fixtures.js';

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

const valueArb: fc.Arbitrary<MsgpackValue> = fc.letrec<{ v: MsgpackValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(1n << 63n), max: -(1n << 53n) }),
    fc.bigInt({ min: 1n << 53n, max: (1n << 64n) - 1n }),
    fc.double({ noNaN: true }).filter((x) => !Number.isInteger(x)),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie('v'), { maxLength: 20 }).filter((a) => a[0] !== '__tuple__'),
    fc.array(tie('v'), { maxLength: 4 }).map((a) => new MsgpackTuple(a)),
    fc.tuple(fc.integer({ min: -128, max: 127 }), fc.uint8Array({ maxLength: 40 })).map(([t, d]) => new MsgpackExt(t, d)),
    fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'), tie('v'), { maxKeys: 20 }),
  ),
})).v;

describe('msgpack', () => {
  it('decodes the encodings of the msgpack spec', () => {
    expect(msgpackDecode(h('93 01 a1 61 c4 02 00 ff'))).toEqual([1, 'a', new Uint8Array([0, 255])]);
    expect(msgpackDecode(h('cf ff ff ff ff ff ff ff ff'))).toBe(2n ** 64n - 1n);
    expect(msgpackDecode(h('d3 80 00 00 00 00 00 00 00'))).toBe(-(2n ** 63n));
    expect(msgpackDecode(h('cb 40 0a 00 00 00 00 00 00'))).toBe(3.25);
    expect(msgpackDecode(h('ca 40 50 00 00'))).toBe(3.25);
    expect(msgpackDecode(h('e0'))).toBe(-32);
    expect(msgpackDecode(h('92 a9 5f 5f 74 75 70 6c 65 5f 5f 07'))).toEqual(new MsgpackTuple([7]));
    expect(msgpackDecode(h('d4 2a 09'))).toEqual(new MsgpackExt(42, new Uint8Array([9])));
    const m = msgpackDecode(h('82 01 02 a1 62 03'));
    expect(m).toBeInstanceOf(Map);
    expect([...(m as Map<MsgpackValue, MsgpackValue>)]).toEqual([[1, 2], ['b', 3]]);
    expect(msgpackDecode(h('81 a9 5f 5f 70 72 6f 74 6f 5f 5f 01'))).toEqual(JSON.parse('{"__proto__": 1}'));
  });

  it('encodes with the smallest forms python msgpack uses', () => {
    expect(hex(msgpackEncode(127))).toBe('7f');
    expect(hex(msgpackEncode(128))).toBe('cc80');
    expect(hex(msgpackEncode(-33))).toBe('d0df');
    expect(hex(msgpackEncode(65536))).toBe('ce00010000');
    expect(hex(msgpackEncode(2 ** 32))).toBe('cf0000000100000000');
    expect(hex(msgpackEncode('a'.repeat(32)))).toBe('d920' + '61'.repeat(32));
    expect(hex(msgpackEncode(new Uint8Array(3)))).toBe('c403000000');
    expect(hex(msgpackEncode(new MsgpackTuple([1, 2])))).toBe('93a95f5f7475706c655f5f0102');
  });

  it('round-trips any value', () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        expect(msgpackDecode(msgpackEncode(v))).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });

  it('raises BloscError on any malformed input, never allocates for a lying length', () => {
    expect(() => msgpackDecode(h('dd ff ff ff ff'))).toThrow(BloscError);
    expect(() => msgpackDecode(h('df ff ff ff ff'))).toThrow(BloscError);
    expect(() => msgpackDecode(h('c6 ff ff ff ff 00'))).toThrow(BloscError);
    expect(() => msgpackDecode(h('c1'))).toThrow(BloscError);
    expect(() => msgpackDecode(h('a2 ff fe'))).toThrow(BloscError);
    expect(() => msgpackDecode(h('01 02'))).toThrow(BloscError);
    expect(() => msgpackDecode(new Uint8Array(0))).toThrow(BloscError);
    const deep = new Uint8Array(100).fill(0x91);
    expect(() => msgpackDecode(deep)).toThrow(BloscError);
    expect(() => msgpackDecode(h('91 91 91 01'), { maxDepth: 2 })).toThrow(BloscError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        try {
          msgpackDecode(b);
        } catch (e) {
          if (!(e instanceof BloscError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.skipIf(!pythonReference().ok)('python-blosc2 msgpack_unpackb and our encoder agree both ways', () => {
    const values: MsgpackValue[] = [
      { a: 1, n: null, t: new MsgpackTuple([1, new MsgpackTuple([2, 3]), 'x']) },
      [2n ** 62n + 3n, -7, 3.25, 'héllo', new Uint8Array([0, 1, 255]), true],
      new MsgpackExt(7, new Uint8Array([1, 2, 3])),
    ];
    const encoded = values.map((v) => hex(msgpackEncode(v)));
    const out = runPython([
      '-c',
      [
        'import sys, json',
        'from blosc2.msgpack_utils import msgpack_packb, msgpack_unpackb',
        'import msgpack',
        'vals = [msgpack_unpackb(bytes.fromhex(x)) for x in json.loads(sys.argv[1])]',
        'print(json.dumps([repr(v) for v in vals] + [msgpack_packb(v).hex() for v in vals[:2]]))',
      ].join('\n'),
      JSON.stringify(encoded),
    ]);
    const got = JSON.parse(out) as string[];
    expect(got[0]).toBe("{'a': 1, 'n': None, 't': (1, (2, 3), 'x')}");
    expect(got[1]).toBe("[4611686018427387907, -7, 3.25, 'héllo', b'\\x00\\x01\\xff', True]");
    expect(got[2]).toBe("ExtType(code=7, data=b'\\x01\\x02\\x03')");
    // python re-encodes the decoded values to exactly our bytes
    expect(got[3]).toBe(encoded[0]);
    expect(got[4]).toBe(encoded[1]);
  });
});
