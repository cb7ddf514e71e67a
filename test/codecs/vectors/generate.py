#!/usr/bin/env python3
"""Produce the codec reference vectors in this directory from the real C libraries.

Run once (python-blosc 1.11.4 / c-blosc 1.21.7.dev, python-blosc2 4.14.1 / c-blosc2 3.3.5,
and libsnappy through ctypes for the raw Snappy streams):

    python3 test/codecs/vectors/generate.py

Streams are cut out of real Blosc chunks made with nthreads=1, typesize 1, no filter and
no split, so each block is exactly one codec stream. For every stream the manifest records
what the C encoder was given (codec, clevel, the BloscLZ split flag, neblock and the
clamped `maxout`), whether C stored it raw (the codec gave up or did not fit), and the
SHA-256 of the uncompressed bytes. Small inputs are stored too; large ones are recovered by
decoding the stream and checked against the hash.
"""
import ctypes
import hashlib
import json
import os
import struct

import numpy as np
import blosc
import blosc2

HERE = os.path.dirname(os.path.abspath(__file__))
STORE_INPUT_MAX = 16384  # inputs up to this size are stored next to their stream

manifest = []
written = set()


def save_blob(data, kind):
    """Files are named by content, so vectors that share an input or a stream share a file."""
    return save(kind + '.' + hashlib.sha256(data).hexdigest()[:16] + '.bin', data)


def save_input(data):
    return save_blob(data, 'in')


def save(name, data):
    path = os.path.join(HERE, name)
    with open(path, 'wb') as f:
        f.write(data)
    written.add(name)
    return name


# ---------------------------------------------------------------- data kinds

def shuffle_bytes(arr):
    b = np.frombuffer(arr.tobytes(), dtype=np.uint8)
    ts = arr.dtype.itemsize
    return b.reshape(-1, ts).T.copy().tobytes()


def make(kind, n, seed=1):
    rng = np.random.default_rng(seed)
    if kind == 'lin-f8-shuf':
        return shuffle_bytes(np.linspace(0.0, 1000.0, n // 8))
    if kind == 'ramp-i8-shuf':
        return shuffle_bytes(np.arange(n // 8, dtype=np.int64) * 3 + 7)
    if kind == 'lin-f8':
        return np.linspace(-5.0, 5.0, n // 8).tobytes()
    if kind == 'sensor-f4':
        t = np.arange(n // 4, dtype=np.float32)
        return (np.sin(t / 50.0) * 100 + rng.normal(0, 0.01, n // 4)).astype(np.float32).tobytes()
    if kind == 'text':
        words = [b'blosc', b'chunk', b'stream', b'codec', b'shuffle', b'block', b'the', b'of',
                 b'compress', b'a', b'frame', b'header', b'typesize', b'lz4', b'zstd']
        out = bytearray()
        while len(out) < n:
            out += words[rng.integers(0, len(words))] + (b' ' if rng.random() < 0.9 else b'\n')
        return bytes(out[:n])
    if kind == 'lowent':
        return (rng.integers(0, 4, n, dtype=np.uint8) * 17).tobytes()
    if kind == 'runs':
        out = bytearray()
        while len(out) < n:
            out += bytes([int(rng.integers(0, 256))]) * int(rng.integers(1, 40))
        return bytes(out[:n])
    if kind == 'random':
        return rng.integers(0, 256, n, dtype=np.uint8).tobytes()
    if kind == 'farmatch':
        # a 2 KB random pattern repeated after ~9-12 KB of other data: matches beyond
        # BloscLZ's near distance (8191) and LZ4 matches at large offsets
        pat = rng.integers(0, 256, 2048, dtype=np.uint8).tobytes()
        gap = make('runs', 11000, seed + 1)
        out = pat + gap[:9000] + pat + gap[9000:] + pat
        while len(out) < n:
            out += pat
        return out[:n]
    raise ValueError(kind)


# ---------------------------------------------------------------- chunk parsing

def streams_blosc1(chunk):
    """Yield (block_index, block_start, neblock, stream_offset, csize) for a typesize-1 chunk."""
    flags = chunk[2]
    nbytes, blocksize, cbytes = struct.unpack_from('<iii', chunk, 4)
    assert cbytes == len(chunk)
    nblocks = -(-nbytes // blocksize)
    if flags & 0x02:
        # Memcpyed chunk. With python-blosc's destsize (nbytes + 16) a single-block chunk
        # of >= 128 bytes is memcpyed exactly when the codec gave up on its one stream,
        # which then had maxout = nbytes - 8 (header 16 + bstart 4 + csize 4 already used).
        if nblocks == 1 and nbytes >= 128:
            yield 0, 0, nbytes, 16 + 8, nbytes
        return
    for j in range(nblocks):
        bstart, = struct.unpack_from('<i', chunk, 16 + 4 * j)
        neblock = min(blocksize, nbytes - j * blocksize)
        csize, = struct.unpack_from('<i', chunk, bstart)
        yield j, j * blocksize, neblock, bstart + 4, csize


def streams_blosc2(chunk):
    flags = chunk[2]
    nbytes, blocksize, cbytes = struct.unpack_from('<iii', chunk, 4)
    assert cbytes == len(chunk)
    b2flags = chunk[31]
    nblocks = -(-nbytes // blocksize)
    if (b2flags >> 4) & 7:
        return None, []
    if flags & 0x02:
        # As for Blosc1: one block of >= 32 bytes is memcpyed when the codec gave up on it.
        if nblocks == 1 and nbytes >= 32:
            return None, [(0, 0, nbytes, 32 + 8, nbytes)]
        return None, []
    dict_bytes = None
    if b2flags & 0x01:
        off = 32 + 4 * nblocks
        dsize, = struct.unpack_from('<i', chunk, off)
        dict_bytes = bytes(chunk[off + 4: off + 4 + dsize])
    out = []
    for j in range(nblocks):
        bstart, = struct.unpack_from('<i', chunk, 32 + 4 * j)
        neblock = min(blocksize, nbytes - j * blocksize)
        csize, = struct.unpack_from('<i', chunk, bstart)
        out.append((j, j * blocksize, neblock, bstart + 4, csize))
    return dict_bytes, out


def record(name, lib, codec, clevel, split_block, data, chunk, destsize, streams, dict_name=None):
    for (j, start, neblock, soff, csize) in streams:
        block = data[start:start + neblock]
        if csize <= 0:
            continue  # Blosc2 run-length stream: no codec involved
        if lib == 'blosc2' and len(set(block)) == 1:
            continue  # a constant stream is a run, the codec is never called
        raw = csize == neblock
        vname = f'{name}.b{j}' if len(streams) > 1 else name
        entry = {
            'name': vname,
            'lib': lib,
            'codec': codec,
            'clevel': clevel,
            'splitBlock': split_block,
            'neblock': neblock,
            'maxout': min(neblock, destsize - soff),
            'raw': raw,
            'inputSha256': None if (raw or neblock <= STORE_INPUT_MAX) else hashlib.sha256(block).hexdigest(),
            'input': None,
            'stream': None,
            'dict': dict_name,
        }
        if raw or neblock <= STORE_INPUT_MAX:
            entry['input'] = save_input(block)
        if not raw:
            entry['stream'] = save_blob(chunk[soff:soff + csize], 'c')
        manifest.append(entry)


CODEC2 = {'blosclz': blosc2.Codec.BLOSCLZ, 'lz4': blosc2.Codec.LZ4, 'lz4hc': blosc2.Codec.LZ4HC,
          'zlib': blosc2.Codec.ZLIB, 'zstd': blosc2.Codec.ZSTD}


def blosc2_case(codec, clevel, kind, n, blocksize=None, seed=1, use_dict=False):
    data = make(kind, n, seed)
    chunk = blosc2.compress2(
        data, codec=CODEC2[codec], clevel=clevel, typesize=1, nthreads=1,
        blocksize=blocksize or len(data), splitmode=blosc2.SplitMode.NEVER_SPLIT,
        filters=[blosc2.Filter.NOFILTER], filters_meta=[0], use_dict=use_dict)
    assert blosc2.decompress2(chunk) == data
    name = f'b2.{codec}.{kind}.{n}.cl{clevel}' + ('.dict' if use_dict else '')
    dict_bytes, streams = streams_blosc2(chunk)
    dict_name = save_blob(dict_bytes, 'dict') if dict_bytes is not None else None
    if use_dict:
        assert dict_name is not None, 'expected a dictionary chunk'
    record(name, 'blosc2', codec, clevel, False, data, chunk, len(data) + 32, streams, dict_name)


def blosc1_case(codec, clevel, kind, n, split='FORWARD_COMPAT', seed=1):
    data = make(kind, n, seed)
    os.environ['BLOSC_SPLITMODE'] = split
    chunk = blosc.compress(data, typesize=1, clevel=clevel, shuffle=blosc.NOSHUFFLE, cname=codec)
    del os.environ['BLOSC_SPLITMODE']
    assert blosc.decompress(chunk) == data
    dont_split = bool(chunk[2] & 0x10)
    name = f'b1.{codec}.{kind}.{n}.cl{clevel}' + ('' if split == 'FORWARD_COMPAT' else '.' + split.lower())
    record(name, 'blosc1', codec, clevel, not dont_split, data, chunk, len(data) + 16,
           list(streams_blosc1(chunk)))


def snappy_case(kind, n, seed=1):
    lib = ctypes.CDLL('libsnappy.so.1')
    lib.snappy_max_compressed_length.restype = ctypes.c_size_t
    lib.snappy_max_compressed_length.argtypes = [ctypes.c_size_t]
    data = make(kind, n, seed)
    cap = lib.snappy_max_compressed_length(len(data))
    out = ctypes.create_string_buffer(cap)
    outlen = ctypes.c_size_t(cap)
    status = lib.snappy_compress(data, ctypes.c_size_t(len(data)), out, ctypes.byref(outlen))
    assert status == 0
    stream = out.raw[:outlen.value]
    name = f'snappy.{kind}.{n}'
    manifest.append({
        'name': name, 'lib': 'libsnappy', 'codec': 'snappy', 'clevel': 0, 'splitBlock': False,
        'neblock': len(data), 'maxout': cap, 'raw': False,
        'inputSha256': None if len(data) <= STORE_INPUT_MAX else hashlib.sha256(data).hexdigest(),
        'input': save_input(data) if len(data) <= STORE_INPUT_MAX else None,
        'stream': save_blob(stream, 'c'), 'dict': None,
    })


def main():
    blosc.set_nthreads(1)
    for f in os.listdir(HERE):
        if f.endswith('.bin'):
            os.remove(os.path.join(HERE, f))

    kinds = ['lin-f8-shuf', 'ramp-i8-shuf', 'text', 'lowent', 'sensor-f4', 'runs']
    # BloscLZ, c-blosc2 rules: every clevel on one kind, three clevels on the others
    for cl in range(1, 10):
        blosc2_case('blosclz', cl, 'lin-f8-shuf', 4096)
    for kind in kinds[1:]:
        for cl in (1, 5, 9):
            blosc2_case('blosclz', cl, kind, 2048)
    blosc2_case('blosclz', 9, 'farmatch', 16384)
    blosc2_case('blosclz', 5, 'farmatch', 16384)
    blosc2_case('blosclz', 5, 'random', 2048)
    for n in (16, 40, 66, 80, 120, 200):
        blosc2_case('blosclz', 9, 'text', n)
    # BloscLZ, c-blosc 1.x rules, with the chunk split flag set and clear
    for cl in (1, 3, 5, 7, 9):
        blosc1_case('blosclz', cl, 'lin-f8-shuf', 4096)
        blosc1_case('blosclz', cl, 'lin-f8-shuf', 4096, split='NEVER')
    for kind in kinds[1:]:
        for cl in (1, 5, 9):
            blosc1_case('blosclz', cl, kind, 2048)
            blosc1_case('blosclz', cl, kind, 2048, split='NEVER')
    blosc1_case('blosclz', 9, 'farmatch', 16384)
    blosc1_case('blosclz', 9, 'farmatch', 16384, split='NEVER')
    blosc1_case('blosclz', 5, 'random', 2048)
    blosc1_case('blosclz', 9, 'runs', 30000)
    # block sizes Blosc actually uses (inputs recovered from the streams)
    for cl in (5, 9):
        blosc2_case('blosclz', cl, 'ramp-i8-shuf', 131072)
        blosc1_case('blosclz', cl, 'ramp-i8-shuf', 131072)
    blosc2_case('blosclz', 9, 'lin-f8-shuf', 65536)

    # LZ4 (acceleration 10 - clevel in both libraries)
    for cl in (1, 3, 5, 7, 9):
        blosc2_case('lz4', cl, 'lin-f8-shuf', 4096)
    for kind in kinds[1:]:
        for cl in (1, 5, 9):
            blosc2_case('lz4', cl, kind, 2048)
    blosc2_case('lz4', 5, 'random', 2048)
    blosc2_case('lz4', 5, 'farmatch', 16384)
    for n in (12, 13, 20, 64, 100):
        blosc2_case('lz4', 9, 'text', n)
    # inputs >= 65547 bytes take lz4's byU32 table path
    blosc2_case('lz4', 5, 'farmatch', 70000)
    blosc2_case('lz4', 9, 'ramp-i8-shuf', 70000)
    blosc2_case('lz4', 1, 'ramp-i8-shuf', 131072)
    for cl in (1, 5, 9):
        blosc1_case('lz4', cl, 'lin-f8-shuf', 4096)
        blosc1_case('lz4', cl, 'text', 2048)
    # dictionary chunks: LZ4_loadDict + LZ4_compress_fast_continue, decoded with usingDict
    blosc2_case('lz4', 5, 'text', 8192, blocksize=1024, use_dict=True)
    blosc2_case('lz4', 9, 'lowent', 8192, blocksize=1024, use_dict=True)
    blosc2_case('lz4', 1, 'lin-f8-shuf', 8192, blocksize=1024, use_dict=True)

    # LZ4HC (decoded by the LZ4 decoder)
    for cl in (1, 9):
        blosc2_case('lz4hc', cl, 'lin-f8-shuf', 4096)
        blosc2_case('lz4hc', cl, 'text', 2048)

    # zlib: classic zlib 1.3.1 in c-blosc 1.x, zlib-ng in c-blosc2
    for cl in (1, 5, 9):
        blosc1_case('zlib', cl, 'lin-f8-shuf', 4096)
        blosc1_case('zlib', cl, 'text', 2048)
    blosc1_case('zlib', 6, 'sensor-f4', 4096)
    blosc2_case('zlib', 5, 'text', 2048)
    blosc2_case('zlib', 9, 'lin-f8-shuf', 4096)

    # zstd: 1.5.6 in c-blosc 1.x, 1.5.7 in c-blosc2
    for cl in (1, 5, 9):
        blosc2_case('zstd', cl, 'lin-f8-shuf', 4096)
        blosc2_case('zstd', cl, 'text', 2048)
    blosc1_case('zstd', 5, 'sensor-f4', 4096)
    blosc2_case('zstd', 3, 'ramp-i8-shuf', 65536)

    # raw Snappy (what c-blosc 1.x stores for its snappy codec)
    for kind in ('text', 'lin-f8-shuf', 'runs', 'random'):
        snappy_case(kind, 2048)
    snappy_case('ramp-i8-shuf', 70000)

    versions = {
        'python-blosc': blosc.__version__, 'c-blosc': blosc.blosclib_version,
        'python-blosc2': blosc2.__version__, 'c-blosc2': blosc2.blosclib_version,
        'c-blosc codecs': blosc.clib_versions,
    }
    with open(os.path.join(HERE, 'manifest.json'), 'w') as f:
        f.write('{"generator": "generate.py",\n "versions": ' + json.dumps(versions) + ',\n "vectors": [\n')
        f.write(',\n'.join(json.dumps({k: x for k, x in v.items() if x is not None},
                                       separators=(',', ':')) for v in manifest))
        f.write('\n]}\n')
    written.add('manifest.json')
    total = sum(os.path.getsize(os.path.join(HERE, n)) for n in written)
    print(f'{len(manifest)} vectors, {len(written)} files, {total} bytes')


if __name__ == '__main__':
    main()
