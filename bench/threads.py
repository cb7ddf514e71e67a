"""Native side of the worker-threads benchmark (bench/threads.mjs).

Reads the 64 MiB input the JavaScript side wrote (raw float64 bytes), then times
python-blosc2 (C-Blosc2) compressing it into one chunk and decompressing that chunk into a
preallocated array with nthreads 1 and 2, for each codec given (SHUFFLE, clevel 5,
typesize 8), the two thread counts in alternation. Prints JSON: median seconds per codec
and thread count, and whether the native chunk equals the one blosc-ts wrote (when the
codec's output is deterministic that checks both sides time the same work).

Usage: python3 bench/threads.py INPUT_PATH TARGET_SECONDS CODEC[,CODEC...]
"""
import hashlib
import json
import sys
import time

import blosc2
import numpy as np


def median_seconds(fns, target):
    """Median of each fn in fns, timed in alternation until `target` seconds are spent."""
    for fn in fns:
        fn()  # warm-up
    samples = [[] for _ in fns]
    spent = 0.0
    while len(samples[0]) < 5 or (spent < target * len(fns) and len(samples[0]) < 25):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            dt = time.perf_counter() - t0
            samples[i].append(dt)
            spent += dt
    return [sorted(s)[len(s) // 2] for s in samples]


def timed_at(nthreads, fn):
    def run():
        blosc2.set_nthreads(nthreads)
        fn()
    return run


def main():
    path, target, codecs = sys.argv[1], float(sys.argv[2]), sys.argv[3].split(",")
    data = np.fromfile(path, dtype=np.float64)
    out = np.empty_like(data)
    result = {"python_blosc2": blosc2.__version__, "c_blosc2": blosc2.blosclib_version, "codecs": {}}
    for name in codecs:
        codec = blosc2.Codec[name.upper()]
        kw = {"codec": codec, "clevel": 5, "typesize": 8, "filters": [blosc2.Filter.SHUFFLE]}
        blosc2.set_nthreads(1)
        chunk = blosc2.compress2(data, **kw)
        enc1, enc2 = median_seconds([timed_at(1, lambda: blosc2.compress2(data, **kw)),
                                     timed_at(2, lambda: blosc2.compress2(data, **kw))], target)
        dec1, dec2 = median_seconds([timed_at(1, lambda: blosc2.decompress2(chunk, dst=out)),
                                     timed_at(2, lambda: blosc2.decompress2(chunk, dst=out))], target)
        result["codecs"][name] = {"encode": [enc1, enc2], "decode": [dec1, dec2], "cbytes": len(chunk),
                                  "chunk_sha256": hashlib.sha256(chunk).hexdigest()}
    blosc2.set_nthreads(1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
