/**
 * The public entry points: what they export (pinned: a change to these lists is a change to
 * the public API, made here on purpose), and that the main one runs without Node built-ins.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import * as nodeApi from '../src/node.js';
import { ROOT } from './helpers.js';

/** Every module reachable from `entry` through relative imports, with its bare imports. */
function importGraph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    const bare: string[] = [];
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec));
      else bare.push(spec);
    }
    seen.set(file, bare);
  }
  return seen;
}

/** Every value 'blosc-ts' exports, sorted. */
const MAIN_EXPORTS = [
  'AsyncCFrame', 'B2ND_MAX_DIM', 'B2ND_METALAYER', 'B2ndGeometry', 'BlobSource', 'BloscError',
  'BloscErrorCode', 'CFrame', 'CodecFormat', 'CodecId', 'DECODE_PARALLEL_MIN_NBYTES',
  'DECODE_PARALLEL_MIN_NBYTES_ZLIB', 'DEFAULT_BANDWIDTH', 'DEFAULT_CACHE_SIZES', 'DEFAULT_LIMITS',
  'ENCODE_PARALLEL_MIN_NBYTES', 'FILTER_SPEED_MODEL', 'FRAME_DECODE_PARALLEL_MIN_NBYTES', 'FilterId',
  'GOAL_TRADEOFF', 'HttpRangeSource', 'MemorySource', 'MemoryTarget', 'Metalayers', 'MsgpackExt', 'MsgpackTuple',
  'NDARRAY_DEFAULT_CPARAMS', 'NDArray', 'SChunk', 'SPEED_MODEL', 'Splitmode', 'TUNE_BLOCKSIZES',
  'VLMetalayers', 'benchmark', 'benchmarkPipelines', 'benchmarkRowSpeed', 'bloscpack',
  'bytesToTypedArray', 'chunkBlocks', 'chunkInfo', 'compress', 'compressAsync', 'compressNaNs',
  'compressRepeatValue', 'compressUninit', 'compressZeros', 'computeChunksBlocks', 'computePartition',
  'decompress', 'decompressAsync', 'decompressFrameAsync', 'dtypeOfTypedArray', 'errorCodeName',
  'fortranToC', 'getCodec', 'getCodecByName', 'getFilter', 'getItems', 'getLimits', 'isBloscError',
  'listCodecs', 'maxChunkSize', 'msgpackDecode', 'msgpackEncode', 'openFrameAsync', 'packArray',
  'parseB2ndMeta', 'parseDType', 'parseNpy', 'registerCodec', 'registerFilter', 'replaceBuiltinCodec',
  'scoreOf', 'setLimits', 'shutdownPool', 'sliceToTypedArray', 'timeCostPerByte', 'tune',
  'tunedOptions', 'typedArrayToBytes', 'unpackArray', 'writeB2ndMeta', 'writeFrame', 'writeNpy',
];

/** Every value 'blosc-ts/node' exports, sorted. */
const NODE_EXPORTS = [
  'AsyncFileSource', 'DirectoryChunkFiles', 'FileSource', 'FileTarget', 'SFRAME_INDEX_NAME', 'bloscpackAppendFile',
  'bloscpackPackFile', 'bloscpackPackNdarrayFile', 'bloscpackUnpackFile', 'openFrameFile', 'openSparseFrame',
  'readBloscpackFileInfo', 'writeSparseFrame',
];

/** The members of the `bloscpack` namespace of 'blosc-ts', sorted. */
const BLOSCPACK_EXPORTS = [
  'MemorySink', 'adler32', 'appendBytes', 'bloscpackDigest', 'crc32', 'decodeMetadata',
  'encodeMetadataSection', 'itemsizeOfDtype', 'littleEndianDtypeOfTypedArray', 'md5', 'memorySource',
  'ndarrayMetadata', 'pack', 'packBytes', 'packNdarray', 'packNdarrayTo', 'pythonJsonDumps',
  'readBloscpackInfo', 'readableStreamSource', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512',
  'typedArrayOf', 'unpack', 'unpackBytes', 'unpackNdarray', 'verifyBytes', 'writableStreamSink',
];

const sortedKeys = (m: object): string[] => Object.keys(m).sort();

describe('public API', () => {
  it('pins the export list of each entry point', () => {
    expect(sortedKeys(api)).toEqual(MAIN_EXPORTS);
    expect(sortedKeys(nodeApi)).toEqual(NODE_EXPORTS);
    expect(sortedKeys(api.bloscpack)).toEqual(BLOSCPACK_EXPORTS);
  });

  it('the browser build exports what the main entry point exports', async () => {
    const file = join(ROOT, 'dist', 'browser', 'blosc-ts.js');
    expect(existsSync(file)).toBe(true);
    const browser = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as object;
    expect(sortedKeys(browser)).toEqual(MAIN_EXPORTS);
  });

  it('exports the chunk, frame, bloscpack and registry functions', () => {
    for (const name of ['compress', 'decompress', 'getItems', 'chunkInfo', 'compressZeros', 'compressNaNs', 'compressUninit',
      'compressRepeatValue', 'registerCodec', 'registerFilter', 'BloscError', 'isBloscError', 'SChunk', 'CFrame', 'writeFrame',
      'msgpackDecode', 'msgpackEncode', 'bloscpack', 'NDArray', 'sliceToTypedArray', 'openFrameAsync', 'BlobSource',
      'HttpRangeSource', 'compressAsync', 'decompressAsync', 'decompressFrameAsync', 'shutdownPool']) {
      expect(api, name).toHaveProperty(name);
    }
    expect(typeof api.bloscpack.packBytes).toBe('function');
    expect(typeof nodeApi.FileSource).toBe('function');
    expect(typeof nodeApi.AsyncFileSource).toBe('function');
  });

  it('the main entry point of the build imports no Node built-in (it runs in browsers)', () => {
    const entry = join(ROOT, 'dist', 'index.js');
    expect(existsSync(entry)).toBe(true);
    const graph = importGraph(entry);
    expect(graph.size).toBeGreaterThan(20);
    const nodeImports = [...graph.entries()].filter(([, bare]) => bare.some((s) => s.startsWith('node:')));
    expect(nodeImports.map(([f]) => f)).toEqual([]);
    // The scan does see Node built-ins where they are: the 'blosc-ts/node' entry point.
    const nodeGraph = importGraph(join(ROOT, 'dist', 'node.js'));
    expect([...nodeGraph.values()].some((bare) => bare.some((s) => s.startsWith('node:')))).toBe(true);
  });
});
