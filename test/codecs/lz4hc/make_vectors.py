#!/usr/bin/env python3
"""Write LZ4HC reference vectors for test/codecs/lz4hc/.

The reference encoder is lz4 1.10.0 as bundled in python-blosc2 4.14.1: its libblosc2
exports LZ4_compress_HC, which is called here directly through ctypes so that any output
capacity can be tried. For the capacity Blosc itself uses, each result is also checked
against the stream that blosc2.compress2 and python-blosc's blosc.compress write (one block,
no split, no filter), so the vectors are exactly what Blosc chunks carry.

Output, in test/codecs/lz4hc/vectors/:
  <name>.bin.gz   the input bytes (gzip)
  manifest.json   per input: size, sha256, and for each level 1..9 and each capacity the
                  [cap, size LZ4_compress_HC returned (0 = did not fit), first 16 hex digits of the
                  sha256 of the bytes].

Run: python3 test/codecs/lz4hc/make_vectors.py
"""
import ctypes
import gzip
import hashlib
import json
import os
import struct
import sys
import zlib

import blosc
import blosc2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors")
LEVELS = range(1, 10)
# Capacities "exact" and "exact-1" (around C's own output size) are tried for inputs up to this size.
EXACT_CAP_MAX_SIZE = 20_000


def load_lz4():
    lib = ctypes.CDLL(os.path.join(os.path.dirname(blosc2.__file__), "lib", "libblosc2.so.9"))
    lib.LZ4_compress_HC.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.LZ4_compress_HC.restype = ctypes.c_int
    lib.LZ4_versionNumber.restype = ctypes.c_int
    return lib


def compress_bound(n):
    return n + n // 255 + 16


# ---------------------------------------------------------------------------------------
# Inputs

WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there been one all we their has would when if "
    "so no will more out up into do any your what has can time could about then than them "
    "these may other its only some two like first new over such after most also made did "
    "data block chunk codec shuffle buffer stream array float value index header offset "
    "compress decompress level match literal window hash chain table"
).split()


def text_like(rng, n):
    weights = 1.0 / np.arange(1, len(WORDS) + 1)
    weights /= weights.sum()
    out = bytearray()
    while len(out) < n:
        k = rng.choice(len(WORDS), size=64, p=weights)
        line = " ".join(WORDS[i] for i in k)
        if rng.random() < 0.3:
            line = line.capitalize() + "."
        out += (line + ("\n" if rng.random() < 0.2 else " ")).encode()
    return bytes(out[:n])


def byte_shuffle(a):
    raw = np.frombuffer(a.tobytes(), dtype=np.uint8).reshape(-1, a.itemsize)
    return raw.T.copy().tobytes()


def shuffled_f64(rng, n):
    m = max(1, (n + 7) // 8)
    return byte_shuffle(np.linspace(0, 1, m, dtype=np.float64))[:n]


def noisy_f32_shuffled(rng, n):
    m = max(1, (n + 3) // 4)
    a = (np.cumsum(rng.normal(0, 1, m)) * 0.01).astype(np.float32)
    return byte_shuffle(a)[:n]


def ramp8(rng, n):
    return (np.arange(n) & 255).astype(np.uint8).tobytes()


def ramp32(rng, n):
    m = (n + 3) // 4
    return np.arange(m, dtype="<i4").tobytes()[:n]


def random_bytes(rng, n):
    return rng.integers(0, 256, n, dtype=np.uint8).tobytes()


def runs(rng, n):
    out = bytearray()
    while len(out) < n:
        out += bytes([int(rng.integers(0, 256))]) * int(rng.integers(1, 300))
    return bytes(out[:n])


def sparse(rng, n):
    a = np.zeros(n, dtype=np.uint8)
    k = max(1, n // 500)
    a[rng.integers(0, n, k)] = rng.integers(1, 256, k, dtype=np.uint8)
    return a.tobytes()


def low_entropy(rng, n):
    return rng.choice(np.frombuffer(b"ACGT", dtype=np.uint8), n).tobytes()


def periodic(rng, n):
    pat = b"\x01\x02" * 40 + b"abc" * 30 + b"\x00\x00\x00\x07" * 50
    reps = bytearray()
    while len(reps) < n:
        reps += pat[: int(rng.integers(10, len(pat)))]
        reps += random_bytes(rng, int(rng.integers(0, 6)))
    return bytes(reps[:n])


def far_repeats(rng, n):
    """A 16-symbol filler with copies of earlier stretches at distances on both sides of the
    64 KiB window limit (65535 is the largest LZ4 offset)."""
    out = bytearray(rng.integers(0, 16, n, dtype=np.uint8).tobytes())
    for dist in (65534, 65535, 65536, 65537, 70000, 40000, 1000):
        for _ in range(4):
            at = int(rng.integers(dist, n - 300))
            ln = int(rng.integers(8, 300))
            out[at : at + ln] = out[at - dist : at - dist + ln]
    return bytes(out[:n])


KINDS = {
    "ramp8": (ramp8, [0, 1, 4, 12, 13, 14, 20, 100, 1000, 70000]),
    "ramp32": (ramp32, [4096, 150000]),
    "shuffled-f64": (shuffled_f64, [16, 64, 1000, 65536, 300000]),
    "noisy-f32": (noisy_f32_shuffled, [4000, 120000]),
    "text": (text_like, [20, 255, 5000, 65540, 200000]),
    "random": (random_bytes, [13, 14, 100, 1000, 16384]),
    "runs": (runs, [50, 3000, 100000, 300000]),
    "sparse": (sparse, [256, 300000]),
    "low-entropy": (low_entropy, [1000, 70000]),
    "periodic": (periodic, [600, 50000]),
    "far-repeats": (far_repeats, [140000]),
}


# ---------------------------------------------------------------------------------------


def c_compress(lib, data, cap, level):
    dst = ctypes.create_string_buffer(max(cap, 1))
    r = lib.LZ4_compress_HC(data, dst, len(data), cap, level)
    if r < 0:
        raise RuntimeError(f"LZ4_compress_HC returned {r}")
    return dst.raw[:r]


def blosc2_stream(data, level):
    """The single codec stream of a one-block blosc2 chunk, or None when it was not compressed."""
    chunk = blosc2.compress2(
        data,
        cparams=blosc2.CParams(
            codec=blosc2.Codec.LZ4HC,
            clevel=level,
            typesize=1,
            filters=[blosc2.Filter.NOFILTER],
            splitmode=blosc2.SplitMode.NEVER_SPLIT,
            blocksize=len(data),
            nthreads=1,
        ),
    )
    flags = chunk[2]
    if flags & 0x02 or chunk[31] & 0x70:  # memcpyed, or a special-value chunk
        return None
    (bstart,) = struct.unpack_from("<i", chunk, 32)
    (csize,) = struct.unpack_from("<i", chunk, bstart)
    if csize <= 0 or csize == len(data):  # run-length stream or raw
        return None
    return chunk[bstart + 4 : bstart + 4 + csize]


def blosc1_stream(data, level):
    """The single codec stream of a one-block python-blosc (c-blosc 1.21.7.dev) chunk, or None."""
    blosc.set_nthreads(1)
    blosc.set_blocksize(len(data))
    try:
        chunk = blosc.compress(data, typesize=1, cname="lz4hc", clevel=level, shuffle=blosc.NOSHUFFLE)
    finally:
        blosc.set_blocksize(0)
    (blocksize,) = struct.unpack_from("<i", chunk, 8)
    if chunk[2] & 0x02 or blocksize != len(data):  # memcpyed, or c-blosc capped the block size
        return None
    (bstart,) = struct.unpack_from("<i", chunk, 16)
    (csize,) = struct.unpack_from("<i", chunk, bstart)
    if csize == len(data):
        return None
    return chunk[bstart + 4 : bstart + 4 + csize]


def main():
    lib = load_lz4()
    assert lib.LZ4_versionNumber() == 11000, lib.LZ4_versionNumber()
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    manifest = {
        "generator": {
            "lz4": "1.10.0 (libblosc2 from python-blosc2 %s)" % blosc2.__version__,
            "function": "LZ4_compress_HC(src, dst, size, cap, level)",
        },
        "vectors": [],
    }
    crosschecked = 0
    for kind, (fn, sizes) in KINDS.items():
        for n in sizes:
            rng = np.random.default_rng(zlib.crc32(kind.encode()) * 1_000_003 + n)
            data = fn(rng, n)
            assert len(data) == n
            name = f"{kind}-{n}"
            with open(os.path.join(OUT, name + ".bin.gz"), "wb") as fh:
                fh.write(gzip.compress(data, 9, mtime=0))
            results = {}
            for level in LEVELS:
                unlimited = c_compress(lib, data, compress_bound(n), level)
                caps = {"bound": compress_bound(n), "n": n}
                if n >= 8:
                    caps["n-8"] = n - 8
                if n <= EXACT_CAP_MAX_SIZE:
                    caps["exact"] = len(unlimited)
                    caps["exact-1"] = len(unlimited) - 1
                per_cap = {}
                for cap_name, cap in caps.items():
                    out = unlimited if cap_name == "bound" else c_compress(lib, data, cap, level)
                    per_cap[cap_name] = [cap, len(out), hashlib.sha256(out).hexdigest()[:16]]
                    if cap_name == "n-8" and n >= 32 and len(out) > 0:
                        # c-blosc2 and c-blosc both pass maxout = nbytes - 8 for a one-block chunk.
                        for library, stream in (("blosc2", blosc2_stream(data, level)), ("blosc", blosc1_stream(data, level))):
                            if stream is not None:
                                if stream != out:
                                    sys.exit(f"{name} level {level}: {library} chunk stream differs from LZ4_compress_HC")
                                crosschecked += 1
                results[str(level)] = per_cap
            manifest["vectors"].append(
                {"name": name, "kind": kind, "size": n, "sha256": hashlib.sha256(data).hexdigest(), "levels": results}
            )
    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        # One line per input keeps the file small and its diffs readable.
        fh.write('{"generator": %s,\n"vectors": [\n' % json.dumps(manifest["generator"]))
        fh.write(",\n".join(json.dumps(v, separators=(",", ":")) for v in manifest["vectors"]))
        fh.write("\n]}\n")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(manifest['vectors'])} inputs, {crosschecked} streams cross-checked with python-blosc2 and python-blosc chunks, {total} bytes")


if __name__ == "__main__":
    main()
