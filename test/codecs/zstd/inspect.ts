/**
 * Test-side frame walker: lists which format features a zstd frame uses (block types,
 * literal modes, sequence table modes...) by reading headers only, independently of the
 * decoder under test. Used to prove that the conformance vectors cover every mode.
 */
export function frameFeatures(buf: Uint8Array): Set<string> {
  const f = new Set<string>();
  const u32 = (p: number) => (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
  let ip = 0;
  let frames = 0;
  while (ip < buf.length) {
    const magic = u32(ip);
    if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
      f.add('frame:skippable');
      ip += 8 + u32(ip + 4);
      continue;
    }
    if (magic !== 0xfd2fb528) throw new Error('not a zstd frame');
    frames++;
    const fhd = buf[ip + 4]!;
    const single = (fhd & 0x20) !== 0;
    const fcsFlag = fhd >> 6;
    const dictFlag = fhd & 3;
    f.add(single ? 'frame:single-segment' : `frame:window-log-${10 + (buf[ip + 5]! >> 3)}`);
    f.add((fhd & 4) !== 0 ? 'frame:checksum' : 'frame:no-checksum');
    const fcsBytes = fcsFlag === 0 ? (single ? 1 : 0) : 1 << fcsFlag;
    f.add(fcsBytes === 0 ? 'frame:no-content-size' : `frame:content-size-${fcsBytes}B`);
    if (dictFlag !== 0) f.add('frame:dict-id');
    ip += 5 + (single ? 0 : 1) + [0, 1, 2, 4][dictFlag]! + fcsBytes;
    let blocks = 0;
    for (;;) {
      const bh = buf[ip]! | (buf[ip + 1]! << 8) | (buf[ip + 2]! << 16);
      const type = (bh >> 1) & 3;
      const size = bh >>> 3;
      ip += 3;
      blocks++;
      f.add(['block:raw', 'block:rle', 'block:compressed', 'block:reserved'][type]!);
      if (type === 2) blockFeatures(buf, ip, ip + size, f);
      ip += type === 1 ? 1 : size;
      if (bh & 1) break;
    }
    if (blocks > 1) f.add('frame:multi-block');
    if (fhd & 4) ip += 4;
  }
  if (frames > 1) f.add('frame:multiple');
  return f;
}

function blockFeatures(buf: Uint8Array, ip: number, end: number, f: Set<string>): void {
  const b0 = buf[ip]!;
  const type = b0 & 3;
  const sf = (b0 >> 2) & 3;
  let hs: number;
  let payload: number;
  if (type < 2) {
    hs = (sf & 1) === 0 ? 1 : sf === 1 ? 2 : 3;
    const regen = hs === 1 ? b0 >> 3 : hs === 2 ? (b0 >> 4) | (buf[ip + 1]! << 4) : (b0 >> 4) | (buf[ip + 1]! << 4) | (buf[ip + 2]! << 12);
    payload = type === 0 ? regen : 1;
    f.add(type === 0 ? 'literals:raw' : 'literals:rle');
  } else {
    hs = sf < 2 ? 3 : sf + 2;
    const b1 = buf[ip + 1]!, b2 = buf[ip + 2]!, b3 = buf[ip + 3] ?? 0, b4 = buf[ip + 4] ?? 0;
    payload = sf < 2 ? (b1 >> 6) | (b2 << 2) : sf === 2 ? (b2 >> 2) | (b3 << 6) : (b2 >> 6) | (b3 << 2) | (b4 << 10);
    const kind = type === 2 ? 'compressed' : 'treeless';
    f.add(`literals:${kind}-${sf === 0 ? 1 : 4}-stream`);
    if (type === 2) f.add(buf[ip + hs]! >= 128 ? 'huffman:direct-weights' : 'huffman:fse-weights');
  }
  let p = ip + hs + payload;
  let nb = buf[p++]!;
  if (nb >= 128) {
    if (nb === 255) { nb = (buf[p]! | (buf[p + 1]! << 8)) + 0x7f00; p += 2; f.add('sequences:count-3B'); }
    else { nb = ((nb - 128) << 8) + buf[p++]!; f.add('sequences:count-2B'); }
  }
  if (nb === 0) { f.add('sequences:none'); return; }
  const modes = buf[p]!;
  const names = ['predefined', 'rle', 'compressed', 'repeat'];
  f.add(`sequences:ll-${names[modes >> 6]}`);
  f.add(`sequences:of-${names[(modes >> 4) & 3]}`);
  f.add(`sequences:ml-${names[(modes >> 2) & 3]}`);
  void end;
}
