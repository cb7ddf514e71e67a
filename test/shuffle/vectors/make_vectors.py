#!/usr/bin/env python3
"""Known-answer vectors for the filter kernels in src/shuffle/.

Writes test/shuffle/vectors/filters.json. Two kinds of answers, neither computed by
blosc-ts:

* "numpy": the byte shuffle, bit shuffle, DELTA and BYTEDELTA definitions written with
  numpy array operations (reshape/transpose, unpackbits/packbits, XOR, diff).
* "c-blosc2" / "c-blosc": the filter output of the C libraries themselves. A chunk is
  compressed with only the filter under test and the zlib codec, without splitting; the
  codec streams are then inflated with Python's zlib, which leaves exactly the filtered
  block that the C pipeline handed to the codec.

Run with the pinned libraries of fixtures/requirements.txt (python-blosc2 4.14.1 bundles
c-blosc2 3.3.5; python-blosc 1.11.4 bundles c-blosc 1.21.7.dev):

    python3 test/shuffle/vectors/make_vectors.py
"""
import base64
import json
import os
import struct
import zlib

import blosc
import blosc2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "filters.json")
rng = np.random.default_rng(20240601)


def b64(data: bytes) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


def smooth_bytes(n: int, typesize: int, step: int = 37) -> bytes:
    """Compressible data of n bytes: little-endian element values that grow slowly, with
    a little noise in the lowest byte, so every filter leaves something a codec can use."""
    count = n // typesize
    out = bytearray()
    for e in range(count):
        value = e * step + int(rng.integers(0, 8))
        out += (value % (1 << (8 * min(typesize, 8)))).to_bytes(min(typesize, 8), "little")
        out += bytes(typesize - min(typesize, 8))
    out += bytes(int(v) for v in rng.integers(0, 256, n - count * typesize))
    return bytes(out)


def ramp_bytes(n: int) -> bytes:
    """Bytes that rise by 5 with an occasional jitter: BYTEDELTA output a codec can use
    whatever the channel split."""
    return bytes((i * 5 + (int(rng.integers(0, 3)) if i % 8 == 0 else 0)) & 0xFF for i in range(n))


def float_bytes(count: int, typesize: int, tail: int) -> bytes:
    dtype = np.float32 if typesize == 4 else np.float64
    x = (np.sin(np.arange(count) / 7.0) * 100.0).astype(dtype)
    return x.tobytes() + bytes(int(v) for v in rng.integers(0, 256, tail))


# ---------------------------------------------------------------------------------------
# numpy definitions
# ---------------------------------------------------------------------------------------

def np_shuffle(data: bytes, typesize: int) -> bytes:
    count = len(data) // typesize
    body = np.frombuffer(data[: count * typesize], dtype=np.uint8).reshape(count, typesize)
    return body.T.copy().tobytes() + data[count * typesize:]


def np_bitshuffle(data: bytes, typesize: int) -> bytes:
    """Exactly len(data)/typesize elements, a multiple of 8. Plane 8j+k, byte q, bit m =
    bit k of byte j of element 8q+m."""
    count = len(data) // typesize
    assert count % 8 == 0 and count * typesize == len(data)
    elems = np.frombuffer(data, dtype=np.uint8).reshape(count, typesize)
    bits = np.unpackbits(elems, axis=1, bitorder="little")  # (count, 8*typesize): column 8j+k
    planes = np.packbits(bits.T, axis=1, bitorder="little")  # (8*typesize, count/8)
    return planes.tobytes()


def np_delta_word(typesize: int) -> int:
    if typesize in (1, 2, 4, 8):
        return typesize
    return 8 if typesize % 8 == 0 else 1


def np_delta(block: bytes, typesize: int, block0: bytes, first: bool) -> bytes:
    w = np_delta_word(typesize)
    m = len(block) // w
    body = np.frombuffer(block[: m * w], dtype=np.uint8).reshape(m, w)
    if first:
        out = body.copy()
        out[1:] = body[1:] ^ body[:-1]
    else:
        ref = np.frombuffer(block0[: m * w], dtype=np.uint8).reshape(m, w)
        out = body ^ ref
    return out.tobytes() + block[m * w:]


def np_bytedelta(data: bytes, channels: int) -> bytes:
    length = len(data) // channels
    body = np.frombuffer(data[: length * channels], dtype=np.uint8).reshape(channels, length).astype(np.int16)
    out = np.diff(body, axis=1, prepend=0) % 256
    return out.astype(np.uint8).tobytes() + data[length * channels:]


# ---------------------------------------------------------------------------------------
# Chunk parsing: recover the filtered blocks from a zlib chunk without splits.
# ---------------------------------------------------------------------------------------

def blosc2_filtered_blocks(chunk: bytes):
    version, _, flags, typesize = chunk[0], chunk[1], chunk[2], chunk[3]
    nbytes, blocksize, cbytes = struct.unpack_from("<iii", chunk, 4)
    assert version == 5 and (flags & 0x05) == 0x05, "expected an extended Blosc2 header"
    assert not (flags & 0x02), "memcpyed chunk: the filters did not run; use more compressible data"
    assert chunk[31] & 0x70 == 0, "special-value chunk"
    assert chunk[31] & 0x01 == 0, "dictionary chunk"
    assert flags & 0x10, "expected a chunk without split blocks"
    assert chunk[22] == 4, "expected zlib"
    nblocks = -(-nbytes // blocksize)
    blocks = []
    for j in range(nblocks):
        bsize = min(blocksize, nbytes - j * blocksize)
        (start,) = struct.unpack_from("<i", chunk, 32 + 4 * j)
        (csize,) = struct.unpack_from("<i", chunk, start)
        if csize == 0:
            block = bytes(bsize)
        elif csize < 0:
            assert chunk[start + 4] & 0x01
            block = bytes([-csize]) * bsize
        elif csize == bsize:
            block = chunk[start + 4: start + 4 + csize]
        else:
            block = zlib.decompress(chunk[start + 4: start + 4 + csize])
        assert len(block) == bsize
        blocks.append((j * blocksize, block))
    return blocks


def blosc1_filtered_blocks(chunk: bytes):
    version, _, flags, typesize = chunk[0], chunk[1], chunk[2], chunk[3]
    nbytes, blocksize, cbytes = struct.unpack_from("<iii", chunk, 4)
    assert version == 2
    assert not (flags & 0x02), "memcpyed chunk: the filters did not run; use more compressible data"
    assert flags >> 5 == 3, "expected zlib"
    dont_split = bool(flags & 0x10)
    nblocks = -(-nbytes // blocksize)
    blocks = []
    for j in range(nblocks):
        bsize = min(blocksize, nbytes - j * blocksize)
        leftover = bsize < blocksize
        split = not dont_split and typesize <= 16 and bsize // typesize >= 128 and not leftover
        nstreams = typesize if split else 1
        neblock = bsize // nstreams
        (pos,) = struct.unpack_from("<i", chunk, 16 + 4 * j)
        block = b""
        for _ in range(nstreams):
            (csize,) = struct.unpack_from("<i", chunk, pos)
            payload = chunk[pos + 4: pos + 4 + csize]
            block += payload if csize == neblock else zlib.decompress(payload)
            pos += 4 + csize
        assert len(block) == bsize
        blocks.append((j * blocksize, block))
    return blocks


def c2_case(name, filter_id, typesize, meta, data, blocksize=0, defined=None):
    """meta is the signed precision for TRUNC_PREC / INT_TRUNC (python-blosc2 takes int8)."""
    chunk = blosc2.compress2(
        data, typesize=typesize, clevel=5, codec=blosc2.Codec.ZLIB, filters=[filter_id],
        filters_meta=[meta], splitmode=blosc2.SplitMode.NEVER_SPLIT, blocksize=blocksize, nthreads=1,
    )
    blocks = blosc2_filtered_blocks(chunk)
    return {
        "name": name,
        "source": "c-blosc2 " + blosc2.VERSION_STRING,
        "filter": filter_id if isinstance(filter_id, int) else filter_id.value,
        "typesize": typesize,
        "meta": meta & 0xFF,
        "formatVersion": chunk[0],
        "input": b64(data),
        "blocks": [
            {"offset": off, "size": len(blk), "defined": len(blk) if defined is None else defined(off, len(blk)), "output": b64(blk)}
            for off, blk in blocks
        ],
    }


def c1_case(name, shuffle_mode, typesize, data):
    """python-blosc picks the blocksize itself (its compress ignores set_blocksize)."""
    blosc.set_nthreads(1)
    chunk = blosc.compress(data, typesize=typesize, clevel=5, shuffle=shuffle_mode, cname="zlib")
    blocks = blosc1_filtered_blocks(chunk)
    return {
        "name": name,
        "source": "c-blosc " + blosc.VERSION_STRING,
        "filter": 1 if shuffle_mode == blosc.SHUFFLE else 2,
        "typesize": typesize,
        "meta": 0,
        "formatVersion": chunk[0],
        "input": b64(data),
        "blocks": [{"offset": off, "size": len(blk), "defined": len(blk), "output": b64(blk)} for off, blk in blocks],
    }


def main():
    if (blosc2.__version__, blosc.__version__) != ("4.14.1", "1.11.4"):
        raise SystemExit(f"expected python-blosc2 4.14.1 and python-blosc 1.11.4, found "
                         f"{blosc2.__version__} and {blosc.__version__} (see fixtures/requirements.txt)")
    kernels = []
    # Byte shuffle: element counts that are and are not multiples of 4, with tails.
    for typesize, count, tail in [(2, 67, 1), (3, 30, 2), (4, 64, 0), (4, 61, 3), (5, 20, 4), (8, 33, 7), (16, 12, 9), (12, 8, 0)]:
        data = bytes(int(v) for v in rng.integers(0, 256, typesize * count + tail))
        kernels.append({"name": f"shuffle ts{typesize} n{len(data)}", "kernel": "shuffle", "typesize": typesize,
                        "input": b64(data), "output": b64(np_shuffle(data, typesize))})
    # Bit shuffle of exactly nelems elements.
    for typesize, nelems in [(1, 64), (1, 8), (2, 40), (3, 24), (4, 64), (4, 72), (8, 32), (16, 16), (24, 8)]:
        data = bytes(int(v) for v in rng.integers(0, 256, typesize * nelems))
        kernels.append({"name": f"bitshuffle ts{typesize} nelems{nelems}", "kernel": "bitshuffle", "typesize": typesize,
                        "input": b64(data), "output": b64(np_bitshuffle(data, typesize))})
    # DELTA on a first block and on a later block (reference = an unrelated block 0).
    for typesize, n in [(1, 37), (2, 64), (3, 50), (4, 66), (8, 80), (16, 96), (12, 60)]:
        block0 = bytes(int(v) for v in rng.integers(0, 256, n))
        block = bytes(int(v) for v in rng.integers(0, 256, n))
        kernels.append({"name": f"delta ts{typesize} n{n}", "kernel": "delta", "typesize": typesize,
                        "input": b64(block0), "reference": b64(block0), "blockOffset": 0,
                        "output": b64(np_delta(block0, typesize, block0, True))})
        kernels.append({"name": f"delta ts{typesize} n{n} later block", "kernel": "delta", "typesize": typesize,
                        "input": b64(block), "reference": b64(block0), "blockOffset": n,
                        "output": b64(np_delta(block, typesize, block0, False))})
    # BYTEDELTA (35).
    for channels, n in [(1, 40), (4, 151), (8, 128), (3, 100)]:
        data = bytes(int(v) for v in rng.integers(0, 256, n))
        kernels.append({"name": f"bytedelta ch{channels} n{n}", "kernel": "bytedelta", "typesize": channels,
                        "input": b64(data), "output": b64(np_bytedelta(data, channels))})

    F = blosc2.Filter
    chunks = [
        c2_case("SHUFFLE ts4", F.SHUFFLE, 4, 0, smooth_bytes(503, 4)),
        c2_case("SHUFFLE ts8 meta 2", F.SHUFFLE, 8, 2, smooth_bytes(501, 8)),
        c2_case("SHUFFLE ts4 meta 3", F.SHUFFLE, 4, 3, smooth_bytes(499, 4)),
        c2_case("SHUFFLE ts4 4 blocks", F.SHUFFLE, 4, 0, smooth_bytes(1024 + 70, 4), blocksize=256),
        c2_case("BITSHUFFLE ts4 count%8=5", F.BITSHUFFLE, 4, 0, smooth_bytes(4 * 165 + 3, 4)),
        c2_case("BITSHUFFLE ts8", F.BITSHUFFLE, 8, 0, smooth_bytes(512, 8)),
        c2_case("BITSHUFFLE ts3", F.BITSHUFFLE, 3, 0, smooth_bytes(3 * 77 + 2, 3)),
        c2_case("BITSHUFFLE ts16", F.BITSHUFFLE, 16, 0, smooth_bytes(16 * 43, 16)),
        c2_case("BITSHUFFLE ts2 4 blocks", F.BITSHUFFLE, 2, 0, smooth_bytes(1024 + 37, 2), blocksize=256),
        c2_case("INT_TRUNC ts1 p5", F.INT_TRUNC, 1, 5, smooth_bytes(300, 1)),
        c2_case("INT_TRUNC ts2 p-3", F.INT_TRUNC, 2, -3, smooth_bytes(302, 2, step=97)),
        c2_case("INT_TRUNC ts4 p20", F.INT_TRUNC, 4, 20, smooth_bytes(320, 4, step=37 << 16)),
        c2_case("INT_TRUNC ts8 p-40", F.INT_TRUNC, 8, -40, smooth_bytes(320, 8, step=37 << 40)),
        c2_case("INT_TRUNC ts8 p60", F.INT_TRUNC, 8, 60, smooth_bytes(320, 8, step=37 << 48)),
        c2_case("TRUNC_PREC f32 p10", F.TRUNC_PREC, 4, 10, float_bytes(100, 4, 0)),
        c2_case("TRUNC_PREC f32 p-5", F.TRUNC_PREC, 4, -5, float_bytes(100, 4, 0)),
        c2_case("TRUNC_PREC f64 p20", F.TRUNC_PREC, 8, 20, float_bytes(50, 8, 0)),
        c2_case("TRUNC_PREC f64 p-30", F.TRUNC_PREC, 8, -30, float_bytes(50, 8, 0)),
        c2_case("BYTEDELTA ts4 L37 tail3", F.BYTEDELTA, 4, 4, ramp_bytes(4 * 37 + 3)),
        c2_case("BYTEDELTA ts8 L64", F.BYTEDELTA, 8, 8, ramp_bytes(512)),
        c2_case("BYTEDELTA ts4 L50 5 blocks", F.BYTEDELTA, 4, 4, ramp_bytes(1000), blocksize=200),
        # C does not write the trailing n % typesize bytes of id 34: only L*T bytes are defined.
        c2_case("BYTEDELTA_BUGGY ts4 L37", 34, 4, 4, ramp_bytes(4 * 37)),
        c2_case("BYTEDELTA_BUGGY ts4 L37 tail3", 34, 4, 4, ramp_bytes(4 * 37 + 3),
                defined=lambda off, size: size - size % 4),
        c2_case("BYTEDELTA_BUGGY ts8 L40", 34, 8, 8, ramp_bytes(320)),
        c2_case("BYTEDELTA_BUGGY ts2 L100 4 blocks", 34, 2, 2, ramp_bytes(400), blocksize=100),
        c2_case("BYTEDELTA_BUGGY ts4 L12", 34, 4, 4, ramp_bytes(48 * 4), blocksize=48),
        # DELTA: block 0 against itself, later blocks against the raw block 0. C leaves the
        # trailing n % w bytes of a block unwritten: only the whole words are defined.
        c2_case("DELTA ts4 4 blocks", F.DELTA, 4, 0, smooth_bytes(1024, 4), blocksize=256),
        c2_case("DELTA ts8 3 blocks + leftover", F.DELTA, 8, 0, smooth_bytes(768 + 128, 8), blocksize=256),
        c2_case("DELTA ts2 4 blocks", F.DELTA, 2, 0, smooth_bytes(1024, 2), blocksize=256),
        c2_case("DELTA ts1 4 blocks", F.DELTA, 1, 0, smooth_bytes(1024, 1), blocksize=256),
        c2_case("DELTA ts3 (w=1) 3 blocks", F.DELTA, 3, 0, smooth_bytes(768 + 150, 3), blocksize=384),
        c2_case("DELTA ts16 (w=8) 4 blocks", F.DELTA, 16, 0, smooth_bytes(1024, 16), blocksize=256),
        c2_case("DELTA ts4 leftover tail 2", F.DELTA, 4, 0, smooth_bytes(512 + 102, 4), blocksize=256,
                defined=lambda off, size: size - size % 4),
        c1_case("blosc1 BITSHUFFLE ts4 count%8=5 (copied)", blosc.BITSHUFFLE, 4, smooth_bytes(4 * 269 + 2, 4)),
        c1_case("blosc1 BITSHUFFLE ts4 count%8=0 + leftover 3", blosc.BITSHUFFLE, 4, smooth_bytes(1024 + 4 * 32 + 3, 4)),
        c1_case("blosc1 BITSHUFFLE ts8", blosc.BITSHUFFLE, 8, smooth_bytes(8 * 100, 8)),
        c1_case("blosc1 SHUFFLE ts4", blosc.SHUFFLE, 4, smooth_bytes(4 * 150 + 1, 4)),
    ]
    with open(OUT, "w") as f:
        json.dump({
            "generator": "test/shuffle/vectors/make_vectors.py",
            "libraries": {"python-blosc2": blosc2.__version__, "c-blosc2": blosc2.VERSION_STRING,
                          "python-blosc": blosc.__version__, "c-blosc": blosc.VERSION_STRING, "numpy": np.__version__},
            "kernels": kernels,
            "chunks": chunks,
        }, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(kernels)} kernel vectors, {len(chunks)} chunk vectors, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
