"""Native side of the b2nd benchmark (bench/ndarray.mjs).

Writes a 256 MiB float64 `.b2nd` with python-blosc2's defaults (chunks and blocks from its
own heuristics, Zstd clevel 5, SHUFFLE) unless the file already exists for this version,
then times python-blosc2 (nthreads 1) reading the whole array and two 2-D slices, and prints
JSON: the geometry, the sha256 of every selection (so the JavaScript side can check its
output) and the median seconds of each read.

Usage: python3 bench/ndarray.py DATA_DIR TARGET_SECONDS
"""
import hashlib
import json
import os
import sys
import time

import blosc2
import numpy as np

SHAPE = (8192, 4096)  # float64: 256 MiB
SLICES = {
    "large 2-D slice [1000:3000, 1000:3000]": (slice(1000, 3000), slice(1000, 3000)),
    "small 2-D slice [4100:4164, 2000:2100]": (slice(4100, 4164), slice(2000, 2100)),
}


def make_array():
    """A smooth field with three decimals, like gridded measurements; deterministic."""
    rows = np.sin(np.linspace(0.0, 40.0, SHAPE[0]))[:, None]
    cols = np.cos(np.linspace(0.0, 25.0, SHAPE[1]))[None, :]
    ramp = np.linspace(0.0, 1.0, SHAPE[0] * SHAPE[1]).reshape(SHAPE)
    return np.round(20.0 * rows * cols + 5.0 * ramp, 3)


def timed(fn, target):
    fn()  # warm-up
    samples = []
    spent = 0.0
    while len(samples) < 3 or (spent < target and len(samples) < 20):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        samples.append(dt)
        spent += dt
    samples.sort()
    return samples[len(samples) // 2]


def whole_parts(arr, target):
    """Where python-blosc2's whole-array read spends its time (the attribution table of
    bench/ndarray.mjs): the codec alone (every chunk, already in memory, decompressed with
    nthreads 1 into its place in an output whose pages are already mapped), the chunk loads
    (`schunk.get_chunk(i)` of every chunk: the file reads), each timed as the reads are."""
    schunk = arr.schunk
    chunks = [schunk.get_chunk(i) for i in range(schunk.nchunks)]
    size = schunk.chunksize
    out = np.ones(schunk.nchunks * size, np.uint8)  # b2nd chunks are whole (padded)

    def codec_alone():
        for i, chunk in enumerate(chunks):
            blosc2.decompress2(chunk, dst=out[i * size:(i + 1) * size], nthreads=1)

    def chunk_loads():
        for i in range(schunk.nchunks):
            schunk.get_chunk(i)

    return {"codec_seconds": timed(codec_alone, target), "loads_seconds": timed(chunk_loads, target)}


def main():
    data_dir, target = sys.argv[1], float(sys.argv[2])
    os.makedirs(data_dir, exist_ok=True)
    path = os.path.join(data_dir, f"field_f8_256MiB.blosc2-{blosc2.__version__}.b2nd")
    if not os.path.exists(path):
        tmp = path + ".tmp"
        blosc2.asarray(make_array(), urlpath=tmp, mode="w")
        os.replace(tmp, path)
    arr = blosc2.open(path, dparams=blosc2.DParams(nthreads=1))
    result = {
        "path": path,
        "file_bytes": os.path.getsize(path),
        "shape": list(arr.shape),
        "chunks": list(arr.chunks),
        "blocks": list(arr.blocks),
        "dtype": arr.dtype.str,
        "cparams": {"codec": arr.cparams.codec.name, "clevel": arr.cparams.clevel,
                    "filters": [f.name for f in arr.cparams.filters]},
        "python_blosc2": blosc2.__version__,
        "reads": [],
    }
    full = arr[...]

    def fresh_output():
        # What a whole-array read's output costs before a byte is decoded: numpy asks the
        # kernel for huge pages on large arrays (madvise MADV_HUGEPAGE), so it faults
        # 2 MiB at a time.
        out = np.empty(full.nbytes, np.uint8)
        out[::4096] = 1

    result["output_alloc_seconds"] = timed(fresh_output, target)
    result["reads"].append({"name": "whole array", "slice": None, "nbytes": full.nbytes,
                            "sha256": hashlib.sha256(full.tobytes()).hexdigest(),
                            "seconds": timed(lambda: arr[...], target)})
    result["whole_parts"] = whole_parts(arr, target)
    for name, sl in SLICES.items():
        part = arr[sl]
        result["reads"].append({"name": name, "slice": [[s.start, s.stop] for s in sl], "nbytes": part.nbytes,
                                "sha256": hashlib.sha256(np.ascontiguousarray(part).tobytes()).hexdigest(),
                                "seconds": timed(lambda: arr[sl], target)})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
