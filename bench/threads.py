"""Native side of the worker-threads benchmark (bench/threads.mjs), a round server.

Reads the 64 MiB input the JavaScript side wrote (raw float64 bytes) and compresses it with
python-blosc2 (C-Blosc2) into one chunk per codec given (SHUFFLE, clevel 5, typesize 8).
Prints one JSON line (versions, and per codec the chunk's size and SHA-256: when the codec's
output is deterministic, that checks both sides time the same work), then answers requests,
one per line on stdin, "CODEC KIND NTHREADS" (KIND: encode or decode), by timing one call
(compress2 of the input, or decompress2 of the chunk into a preallocated array) and printing
its wall seconds. The JavaScript side asks in the same rounds as it times its own calls, so
C-Blosc2's nthreads 2 ÷ 1 and blosc-ts's are measured under the same load.

Usage: python3 bench/threads.py INPUT_PATH CODEC[,CODEC...]
"""
import hashlib
import json
import sys
import time

import blosc2
import numpy as np


def main():
    path, codecs = sys.argv[1], sys.argv[2].split(",")
    data = np.fromfile(path, dtype=np.float64)
    out = np.empty_like(data)
    kwargs = {}
    chunks = {}
    ready = {"python_blosc2": blosc2.__version__, "c_blosc2": blosc2.blosclib_version, "codecs": {}}
    blosc2.set_nthreads(1)
    for name in codecs:
        kw = {"codec": blosc2.Codec[name.upper()], "clevel": 5, "typesize": 8, "filters": [blosc2.Filter.SHUFFLE]}
        kwargs[name] = kw
        chunks[name] = blosc2.compress2(data, **kw)
        ready["codecs"][name] = {"cbytes": len(chunks[name]), "chunk_sha256": hashlib.sha256(chunks[name]).hexdigest()}
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        name, kind, nthreads = line.split()
        blosc2.set_nthreads(int(nthreads))
        kw = kwargs[name]
        chunk = chunks[name]
        t0 = time.perf_counter()
        if kind == "encode":
            blosc2.compress2(data, **kw)
        else:
            blosc2.decompress2(chunk, dst=out)
        dt = time.perf_counter() - t0
        print(repr(dt), flush=True)
    blosc2.set_nthreads(1)


if __name__ == "__main__":
    main()
