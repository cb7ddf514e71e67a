#!/usr/bin/env python3
"""Benchmark data sets, the chunks every decoder reads, and the native decode and encode anchors.

Writes into bench/.data/ (gitignored):

* ``<set>.bin``                    16 MiB of raw data (seeded, identical on every run)
* ``<set>.<codec>.shuffle.b1.bin`` Blosc1 chunk from python-blosc (c-blosc 1.x),
                                   ``blosc.compress``; read by every decoder, including
                                   numcodecs.js, whose c-blosc 1.18 reads Blosc1 only
* ``<set>.<codec>.shuffle.b2.bin`` Blosc2 chunk from python-blosc2 (c-blosc2),
                                   ``blosc2.compress2`` with the default filter pipeline
* ``manifest.json``                sets, chunks, sha256 of every raw set, library versions;
                                   ``decode`` marks the chunks the decode section reads
                                   (zlib chunks are written only as references for the
                                   compression section)
* ``<set>.<codec>.c<clevel>.shuffle.b2.bin``
                                   codec-level reference chunks from python-blosc2 for
                                   bench/codecs.mjs: zstd at clevels 1, 3, 5, 9 and lz4hc at
                                   clevels 5, 9 (listed in ``manifest.json`` under
                                   ``codec_chunks``)
* ``native.json``                  native single-thread decode speed of every decode chunk
                                   (``decode``), compression speed of both writers for
                                   every chunk (``encode``) and of python-blosc2 for every
                                   codec-level chunk (``codec_encode``)

All chunks use SHUFFLE, clevel 5, typesize = item size, nthreads 1, automatic blocksize.

Native timing: one warm-up call, then repeats until --target-seconds have been spent
(at least 5, at most 100), median, MB/s = 10**6 uncompressed bytes per second. Every decode
is checked against the raw data, and every compression against the chunk written above,
before it is timed.

Usage: python3 bench/datasets.py [--out DIR] [--no-native] [--target-seconds S]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

NBYTES = 16 * 1024 * 1024
DECODE_CODECS = ("lz4", "blosclz", "zstd")
CODECS = DECODE_CODECS + ("zlib",)
CLEVEL = 5
# Codec-level rows (bench/codecs.mjs): Blosc2 chunks written at these clevels.
CODEC_LEVELS = {"zstd": (1, 3, 5, 9), "lz4hc": (5, 9)}
MIN_REPS = 5
MAX_REPS = 100


def make_sets() -> dict[str, np.ndarray]:
    """The four compressible data sets of anchors-measured.md, 16 MiB each."""
    n8 = NBYTES // 8
    n4 = NBYTES // 4
    i = np.arange(n4, dtype=np.float64)
    noise = np.random.default_rng(1).standard_normal(n4)
    sensor = 20.0 + 5.0 * np.sin(2 * np.pi * i / 1e5) + 0.5 * np.sin(2 * np.pi * i / 317) + 0.01 * noise
    return {
        "linspace_f8": np.linspace(0.0, 1.0, n8, dtype=np.float64),
        "arange_i8": np.arange(n8, dtype=np.int64),
        "poisson_i4": np.random.default_rng(0).poisson(10, n4).astype(np.int32),
        "sensor_f4": sensor.astype(np.float32),
    }


def time_median(fn, target_seconds: float) -> tuple[float, int]:
    """Median seconds of fn(): one warm-up, then repeats until target_seconds have been
    spent in fn and at least MIN_REPS were made (at most MAX_REPS), as bench/lib/timing.mjs."""
    fn()
    samples: list[float] = []
    spent = 0.0
    while len(samples) < MAX_REPS and (len(samples) < MIN_REPS or spent < target_seconds):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        samples.append(dt)
        spent += dt
    return statistics.median(samples), len(samples)


def mbps(nbytes: int, seconds: float) -> float:
    return nbytes / seconds / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / ".data"))
    parser.add_argument("--no-native", action="store_true", help="write the data and chunks only")
    parser.add_argument("--target-seconds", type=float, default=0.5)
    args = parser.parse_args()

    import blosc  # python-blosc, c-blosc 1.x
    import blosc2  # python-blosc2, c-blosc2

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    blosc.set_nthreads(1)
    blosc2.set_nthreads(1)

    versions = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "python-blosc": blosc.__version__,
        "c-blosc": blosc.blosclib_version,
        "python-blosc2": blosc2.__version__,
        "c-blosc2": blosc2.blosclib_version,
    }

    sets = make_sets()
    manifest = {"nbytes": NBYTES, "clevel": CLEVEL, "shuffle": "shuffle", "versions": versions, "sets": [], "chunks": []}
    chunks: list[tuple[str, str, str, bytes, np.ndarray]] = []
    for name, arr in sets.items():
        raw = arr.tobytes()
        assert len(raw) == NBYTES
        (out_dir / f"{name}.bin").write_bytes(raw)
        manifest["sets"].append({
            "name": name,
            "dtype": str(arr.dtype),
            "itemsize": arr.itemsize,
            "nbytes": len(raw),
            "file": f"{name}.bin",
            "sha256": hashlib.sha256(raw).hexdigest(),
        })
        for codec in CODECS:
            b1 = blosc.compress(raw, typesize=arr.itemsize, clevel=CLEVEL, shuffle=blosc.SHUFFLE, cname=codec)
            b2 = blosc2.compress2(
                arr,
                codec=blosc2.Codec[codec.upper()],
                clevel=CLEVEL,
                typesize=arr.itemsize,
                nthreads=1,
            )
            for fmt, chunk in (("b1", b1), ("b2", b2)):
                file = f"{name}.{codec}.shuffle.{fmt}.bin"
                (out_dir / file).write_bytes(chunk)
                manifest["chunks"].append({
                    "set": name,
                    "codec": codec,
                    "format": fmt,
                    "file": file,
                    "cbytes": len(chunk),
                    "ratio": len(raw) / len(chunk),
                    "version": chunk[0],
                    "blocksize": int.from_bytes(chunk[8:12], "little"),
                    "decode": codec in DECODE_CODECS,
                })
                chunks.append((name, codec, fmt, chunk, arr))
    # Codec-level references: python-blosc2 chunks at several clevels (zstd, lz4hc).
    manifest["codec_chunks"] = []
    codec_chunks: list[tuple[str, str, int, bytes, np.ndarray]] = []
    for name, arr in sets.items():
        for codec, levels in CODEC_LEVELS.items():
            for clevel in levels:
                chunk = blosc2.compress2(arr, codec=blosc2.Codec[codec.upper()], clevel=clevel, typesize=arr.itemsize, nthreads=1)
                if not np.array_equal(np.frombuffer(blosc2.decompress2(chunk), dtype=np.uint8), arr.view(np.uint8).reshape(-1)):
                    raise SystemExit(f"datasets.py: python-blosc2 {codec} clevel {clevel} chunk of {name} does not decode back")
                file = f"{name}.{codec}.c{clevel}.shuffle.b2.bin"
                (out_dir / file).write_bytes(chunk)
                manifest["codec_chunks"].append({
                    "set": name,
                    "codec": codec,
                    "clevel": clevel,
                    "format": "b2",
                    "file": file,
                    "cbytes": len(chunk),
                })
                codec_chunks.append((name, codec, clevel, chunk, arr))
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"datasets.py: wrote {len(sets)} sets and {len(chunks)} chunks to {out_dir}", file=sys.stderr)

    if args.no_native:
        return 0

    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    dst = np.empty(NBYTES, dtype=np.uint8)
    dst_addr = dst.ctypes.data
    rows = []
    for name, codec, fmt, chunk, arr in chunks:
        if codec not in DECODE_CODECS:
            continue
        expected = arr.view(np.uint8).reshape(-1)
        # (implementation, call) pairs; c-blosc 1.x reads Blosc1 chunks only.
        impls = [("c-blosc2", lambda c=chunk: blosc2.decompress2(c, dst=dst, nthreads=1))]
        if fmt == "b1":
            impls.append(("c-blosc", lambda c=chunk: blosc.decompress_ptr(c, dst_addr)))
        for impl, call in impls:
            dst.fill(0)
            call()
            if not np.array_equal(dst, expected):
                raise SystemExit(f"datasets.py: {impl} decoded {name}.{codec}.{fmt} wrongly")
            seconds, reps = time_median(call, args.target_seconds)
            rows.append({
                "set": name,
                "codec": codec,
                "format": fmt,
                "impl": impl,
                "mbps": mbps(NBYTES, seconds),
                "median_ms": seconds * 1e3,
                "reps": reps,
            })
            print(f"  native {impl:8s} {name:12s} {codec:8s} {fmt}: {rows[-1]['mbps']:9.0f} MB/s", file=sys.stderr)

    # Compression: python-blosc writes the Blosc1 chunk, python-blosc2 the Blosc2 chunk,
    # exactly as above; each call returns a fresh bytes object, as the writers' API does.
    encode_rows = []
    for name, codec, fmt, chunk, arr in chunks:
        raw = arr.tobytes()
        if fmt == "b1":
            impl = "c-blosc"
            call = lambda r=raw, a=arr, c=codec: blosc.compress(r, typesize=a.itemsize, clevel=CLEVEL, shuffle=blosc.SHUFFLE, cname=c)
        else:
            impl = "c-blosc2"
            call = lambda a=arr, c=codec: blosc2.compress2(a, codec=blosc2.Codec[c.upper()], clevel=CLEVEL, typesize=a.itemsize, nthreads=1)
        if call() != chunk:
            raise SystemExit(f"datasets.py: {impl} compressed {name}.{codec}.{fmt} differently on a second call")
        seconds, reps = time_median(call, args.target_seconds)
        encode_rows.append({
            "set": name,
            "codec": codec,
            "format": fmt,
            "impl": impl,
            "mbps": mbps(NBYTES, seconds),
            "median_ms": seconds * 1e3,
            "reps": reps,
            "cbytes": len(chunk),
        })
        print(f"  native compress {impl:8s} {name:12s} {codec:8s} {fmt}: {encode_rows[-1]['mbps']:9.0f} MB/s", file=sys.stderr)

    # Codec-level compression through python-blosc2 (bench/codecs.mjs).
    codec_encode_rows = []
    for name, codec, clevel, chunk, arr in codec_chunks:
        call = lambda a=arr, c=codec, l=clevel: blosc2.compress2(a, codec=blosc2.Codec[c.upper()], clevel=l, typesize=a.itemsize, nthreads=1)
        if call() != chunk:
            raise SystemExit(f"datasets.py: c-blosc2 compressed {name}.{codec}.c{clevel} differently on a second call")
        seconds, reps = time_median(call, args.target_seconds)
        codec_encode_rows.append({
            "set": name,
            "codec": codec,
            "clevel": clevel,
            "format": "b2",
            "impl": "c-blosc2",
            "mbps": mbps(NBYTES, seconds),
            "median_ms": seconds * 1e3,
            "reps": reps,
            "cbytes": len(chunk),
        })
        print(f"  native compress c-blosc2 {name:12s} {codec:6s} clevel {clevel}: {codec_encode_rows[-1]['mbps']:9.0f} MB/s", file=sys.stderr)

    src = np.frombuffer((out_dir / "arange_i8.bin").read_bytes(), dtype=np.uint8)
    copy_seconds, copy_reps = time_median(lambda: np.copyto(dst, src), args.target_seconds)

    native = {
        "started": started,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "method": "1 warm-up, median of repeats (~%.1f s, %d..%d), nthreads 1, preallocated output"
        % (args.target_seconds, MIN_REPS, MAX_REPS),
        "versions": versions,
        "decode": rows,
        "encode": encode_rows,
        "codec_encode": codec_encode_rows,
        "memcpy": {"impl": "numpy copyto 16 MiB", "mbps": mbps(NBYTES, copy_seconds), "reps": copy_reps},
    }
    (out_dir / "native.json").write_text(json.dumps(native, indent=1) + "\n")
    print(f"datasets.py: wrote {out_dir / 'native.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
