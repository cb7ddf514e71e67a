#!/usr/bin/env python3
"""Native side of the chunk-decoding section (bench/decode.mjs), a round server.

Loads every decode chunk bench/datasets.py wrote into DATA_DIR (``manifest.json`` entries
with ``decode``: LZ4, BloscLZ and Zstd, SHUFFLE, clevel 5, Blosc1 and Blosc2) with its data
set, and checks that each native decoder gives the data set back: C-Blosc2 (python-blosc2)
reads both formats, C-Blosc 1.x (python-blosc) the Blosc1 chunks only. Then prints one JSON
line (versions, and per "SET CODEC FMT" the chunk's SHA-256 and the decoders that read it,
so the JavaScript side can check it times the same bytes) and answers requests, one per line
on stdin, "IMPL SET CODEC FMT" (IMPL: c-blosc2 or c-blosc), by timing one decode into a
preallocated numpy array and printing its wall seconds. A request it cannot serve gets a line
starting with "error:".

The calls are those bench/datasets.py times for native.json (``blosc2.decompress2(chunk,
dst=dst, nthreads=1)`` and ``blosc.decompress_ptr(chunk, dst_addr)``, nthreads 1), so the
numbers mean the same; here the JavaScript side asks in the same rounds as it times its own
decoders, so both are measured under the same load.

Usage: python3 bench/decode.py DATA_DIR
"""
import hashlib
import json
import sys
import time
from pathlib import Path

import blosc  # python-blosc, c-blosc 1.x
import blosc2  # python-blosc2, c-blosc2
import numpy as np


def main():
    data_dir = Path(sys.argv[1])
    manifest = json.loads((data_dir / "manifest.json").read_text())
    nbytes = manifest["nbytes"]
    blosc.set_nthreads(1)
    blosc2.set_nthreads(1)
    dst = np.empty(nbytes, dtype=np.uint8)
    dst_addr = dst.ctypes.data
    raws = {}
    for s in manifest["sets"]:
        raw = np.frombuffer((data_dir / s["file"]).read_bytes(), dtype=np.uint8)
        if raw.size != nbytes or hashlib.sha256(raw).hexdigest() != s["sha256"]:
            raise SystemExit(f"decode.py: {s['file']} does not match manifest.json")
        raws[s["name"]] = raw
    calls = {}
    ready = {
        "python-blosc": blosc.__version__,
        "c-blosc": blosc.blosclib_version,
        "python-blosc2": blosc2.__version__,
        "c-blosc2": blosc2.blosclib_version,
        "chunks": {},
    }
    for c in manifest["chunks"]:
        if c.get("decode") is False:
            continue
        chunk = (data_dir / c["file"]).read_bytes()
        key = f"{c['set']} {c['codec']} {c['format']}"
        # c-blosc 1.x reads Blosc1 chunks only.
        impls = [("c-blosc2", lambda ch=chunk: blosc2.decompress2(ch, dst=dst, nthreads=1))]
        if c["format"] == "b1":
            impls.append(("c-blosc", lambda ch=chunk: blosc.decompress_ptr(ch, dst_addr)))
        for impl, call in impls:
            dst.fill(0)
            call()
            if not np.array_equal(dst, raws[c["set"]]):
                raise SystemExit(f"decode.py: {impl} decoded {c['file']} wrongly")
            calls[f"{impl} {key}"] = call
        ready["chunks"][key] = {"sha256": hashlib.sha256(chunk).hexdigest(), "impls": [impl for impl, _ in impls]}
    raws.clear()
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        call = calls.get(" ".join(line.split()))
        if call is None:
            print(f"error: no native decoder for {line.strip()!r}", flush=True)
            continue
        t0 = time.perf_counter()
        call()
        dt = time.perf_counter() - t0
        print(repr(dt), flush=True)


if __name__ == "__main__":
    main()
