/**
 * A deliberately plain LZ4 block decoder for the encoder tests. Besides decoding, it checks
 * the block format's end-of-block rules that every conforming encoder must respect
 * (lz4 doc/lz4_Block_format.md, "End of block conditions"), which a decoder in safe mode
 * only partly enforces:
 * - the last sequence is literals only, and holds at least the last 5 bytes;
 * - the last match starts at least 12 bytes before the end of the block;
 * - offsets are 1..65535 and reach no further back than the start of the output, or of
 *   `dict` when one is given (it logically precedes the output).
 * Returns the decoded bytes, or throws an Error naming the broken rule.
 */
export function decodeLz4Block(block: Uint8Array, expectedSize: number, dict: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(expectedSize);
  let ip = 0;
  let op = 0;
  if (block.length === 0) throw new Error('empty block');
  for (;;) {
    if (ip >= block.length) throw new Error('block ends before a token');
    const token = block[ip++];
    let lit = token >> 4;
    if (lit === 15) {
      let s;
      do {
        if (ip >= block.length) throw new Error('block ends in a literal length');
        s = block[ip++];
        lit += s;
      } while (s === 255);
    }
    if (ip + lit > block.length) throw new Error('literals run past the block');
    if (op + lit > expectedSize) throw new Error('literals run past the output');
    for (let i = 0; i < lit; i++) out[op++] = block[ip++];
    if (ip === block.length) break; // last sequence: literals only
    if (ip + 2 > block.length) throw new Error('block ends in an offset');
    const offset = block[ip] | (block[ip + 1] << 8);
    ip += 2;
    if (offset === 0) throw new Error('offset 0');
    if (offset > op + dict.length) throw new Error(`offset ${offset} reaches before the output start (at ${op})`);
    let ml = token & 15;
    if (ml === 15) {
      let s;
      do {
        if (ip >= block.length) throw new Error('block ends in a match length');
        s = block[ip++];
        ml += s;
      } while (s === 255);
    }
    ml += 4;
    if (op > expectedSize - 12) throw new Error(`match starts at ${op}, within 12 bytes of the end ${expectedSize}`);
    if (op + ml > expectedSize - 5) throw new Error('match covers the last 5 bytes');
    for (let i = 0; i < ml; i++, op++) out[op] = op - offset >= 0 ? out[op - offset] : dict[dict.length + op - offset];
  }
  if (op !== expectedSize) throw new Error(`decoded ${op} bytes, expected ${expectedSize}`);
  return out;
}
