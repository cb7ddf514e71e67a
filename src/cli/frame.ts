/**
 * Command-line handling of Blosc2 contiguous frames (`.b2frame`, `.b2nd`, `.b2`): describe
 * the layout, write the whole content, or build a frame from raw bytes. Thin over the
 * public API (`SChunk`, `CFrame`, `chunkInfo`).
 */
import { chunkInfo, CFrame, SChunk, type CompressOptions } from '../index.js';
import { FileSource } from '../node.js';

const MAGIC = 'b2frame\0';
const SPECIAL_NAMES = ['', 'zeros', 'nan', 'value', 'uninit'];

/** A contiguous frame starts with a msgpack array whose first item is the string 'b2frame\0'. */
export function isFrame(head: Uint8Array): boolean {
  if (head.length < 2 + MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (head[2 + i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

export interface FrameChunkRow {
  readonly index: number;
  readonly nbytes: number;
  readonly cbytes: number;
  readonly special: string | null;
  readonly codec: string | null;
}

export interface FrameDescription {
  readonly header: CFrame['header'];
  readonly nchunks: number;
  readonly metalayers: ReadonlyArray<{ name: string; bytes: number }>;
  readonly vlmetalayers: ReadonlyArray<{ name: string; bytes: number }>;
  readonly chunks: readonly FrameChunkRow[];
}

/** Header fields, metalayers, vlmetalayers and a chunk table (sizes and special kinds). */
export function describeFrame(path: string): FrameDescription {
  const source = new FileSource(path);
  try {
    const frame = CFrame.open(source);
    const chunks: FrameChunkRow[] = [];
    for (let i = 0; i < frame.nchunks; i++) {
      const special = frame.specialKind(i);
      if (special !== 0) {
        chunks.push({ index: i, nbytes: frame.declaredNbytes(i), cbytes: 0, special: SPECIAL_NAMES[special] ?? `kind ${special}`, codec: null });
        continue;
      }
      const info = chunkInfo(frame.getChunk(i));
      chunks.push({ index: i, nbytes: info.nbytes, cbytes: info.cbytes, special: info.special, codec: info.special === null ? info.codec : null });
    }
    return {
      header: frame.header,
      nchunks: frame.nchunks,
      metalayers: frame.metalayers.map((l) => ({ name: l.name, bytes: l.content.length })),
      vlmetalayers: frame.vlmetalayers.map((l) => ({ name: l.name, bytes: l.content.length })),
      chunks,
    };
  } finally {
    source.close();
  }
}

export function formatFrame(path: string, d: FrameDescription): string {
  const h = d.header;
  const lines = [
    `${path}: Blosc2 ${h.frameType === 0 ? 'contiguous' : 'sparse'} frame, format version ${h.version}`,
    `  nbytes     ${h.nbytes}`,
    `  cbytes     ${h.cbytes}${h.cbytes > 0 ? ` (ratio ${(h.nbytes / h.cbytes).toFixed(2)})` : ''}`,
    `  typesize   ${h.typesize}`,
    `  chunksize  ${h.chunksize}${h.chunksize === 0 ? ' (variable)' : ''}`,
    `  blocksize  ${h.blocksize}`,
    `  codec      id ${h.codec}, clevel ${h.clevel}${h.codecMeta ? `, meta ${h.codecMeta}` : ''}`,
    `  filters    [${h.filters.join(', ')}] meta [${h.filtersMeta.join(', ')}]`,
    `  metalayers ${d.metalayers.length === 0 ? 'none' : d.metalayers.map((m) => `${m.name} (${m.bytes} B)`).join(', ')}`,
    `  vlmeta     ${d.vlmetalayers.length === 0 ? 'none' : d.vlmetalayers.map((m) => `${m.name} (${m.bytes} B)`).join(', ')}`,
    `  chunks     ${d.nchunks}`,
  ];
  for (const c of d.chunks) {
    lines.push(`    #${String(c.index).padEnd(5)} nbytes ${String(c.nbytes).padStart(10)}  ${c.special !== null ? `special: ${c.special}` : `cbytes ${String(c.cbytes).padStart(10)}  ${c.codec}`}`);
  }
  return lines.join('\n');
}

/** The whole content of a frame, as python-blosc2's `schunk[:]`. */
export function frameContent(path: string): Uint8Array {
  const source = new FileSource(path);
  try {
    return SChunk.open(source).getSlice();
  } finally {
    source.close();
  }
}

/** A version-2 contiguous frame holding `data` in chunks of `chunksize` bytes. */
export function buildFrame(data: Uint8Array, chunksize: number, cparams: CompressOptions): Uint8Array {
  const schunk = new SChunk({ chunksize, cparams, typesize: cparams.typesize ?? 1 });
  for (let at = 0; at < data.length; at += chunksize) schunk.append(data.subarray(at, Math.min(data.length, at + chunksize)));
  return schunk.toFrame();
}
