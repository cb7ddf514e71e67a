#!/usr/bin/env python3
"""python-blosc2 side of the live super-chunk cross-check (test/schunk/live-python.test.ts).

    frames_reference.py read DIR    read every *.b2frame in DIR with blosc2.open and
                                    blosc2.schunk_from_cframe; print JSON describing each
    frames_reference.py write DIR N SEED
                                    write N seeded random super-chunks to DIR; print JSON
                                    with their parameters and what python reads back
"""
import hashlib
import json
import os
import sys

import blosc2
import numpy as np
from blosc2 import blosc2_ext

blosc2.set_nthreads(1)


def jsonable(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v if abs(v) <= 2**53 - 1 else {"__int__": str(v)}
    if isinstance(v, float):
        return {"__float__": repr(v)}
    if isinstance(v, (bytes, bytearray)):
        return {"__bytes__": bytes(v).hex()}
    if isinstance(v, tuple):
        return {"__tuple__": [jsonable(x) for x in v]}
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {"__map__": [[jsonable(k), jsonable(x)] for k, x in v.items()]}
    raise TypeError(type(v))


def describe(s):
    data = s[:] if s.nbytes > 0 else b""
    return {
        "nchunks": s.nchunks,
        "chunksize": s.chunksize,
        "typesize": s.typesize,
        "nbytes": s.nbytes,
        "sha256": hashlib.sha256(data).hexdigest(),
        "meta": {k: bytes(blosc2_ext.meta__getitem__(s.meta.schunk, k)).hex() for k in s.meta.keys()},
        "vlmeta": {k: jsonable(s.vlmeta[k]) for k in s.vlmeta.getall()},
    }


def read(d):
    out = {}
    for name in sorted(os.listdir(d)):
        if not name.endswith(".b2frame"):
            continue
        path = os.path.join(d, name)
        try:
            a = describe(blosc2.open(path))
            b = describe(blosc2.schunk_from_cframe(open(path, "rb").read()))
            out[name] = {"open": a, "fromCframe": b}
        except Exception as e:  # reported, the test fails on it
            out[name] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(out))


CODECS = ["blosclz", "lz4", "lz4hc", "zlib", "zstd"]
FILTERS = [blosc2.Filter.NOFILTER, blosc2.Filter.SHUFFLE, blosc2.Filter.BITSHUFFLE]


def write(d, n, seed):
    out = {}
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        typesize = int(rng.choice([1, 2, 4, 8, 3]))
        items = int(rng.integers(1, 3000))
        chunksize = typesize * int(rng.integers(64, 2048))
        nbytes = items * typesize * int(rng.integers(1, 4))
        kind = int(rng.integers(0, 3))
        if kind == 0:
            data = rng.integers(0, 256, nbytes, dtype=np.uint8)
        elif kind == 1:
            data = (np.arange(nbytes) // int(rng.integers(1, 50))).astype(np.uint8)
        else:
            data = rng.integers(0, 4, nbytes, dtype=np.uint8)
            if nbytes > chunksize:  # a whole zero chunk becomes a negative offset
                data[:chunksize] = 0
        codec = CODECS[int(rng.integers(0, len(CODECS)))]
        clevel = int(rng.integers(0, 10))
        filt = FILTERS[int(rng.integers(0, 3))]
        split = [blosc2.SplitMode.ALWAYS_SPLIT, blosc2.SplitMode.NEVER_SPLIT, blosc2.SplitMode.AUTO_SPLIT,
                 blosc2.SplitMode.FORWARD_COMPAT_SPLIT][int(rng.integers(0, 4))]
        cp = blosc2.CParams(codec=getattr(blosc2.Codec, codec.upper()), clevel=clevel, typesize=typesize,
                            nthreads=1, filters=[0, 0, 0, 0, 0, filt], splitmode=split)
        name = f"py{i:03d}.b2frame"
        path = os.path.join(d, name)
        meta = {"m": int(rng.integers(0, 1000))} if rng.random() < 0.5 else None
        kw = {"meta": meta} if meta else {}
        s = blosc2.SChunk(chunksize=chunksize, data=data.tobytes(), urlpath=path, contiguous=True, cparams=cp, **kw)
        if rng.random() < 0.5:
            s.vlmeta["v"] = [i, "s", (1, 2)]
        out[name] = {
            "params": {"codec": codec, "clevel": clevel, "typesize": typesize, "chunksize": chunksize,
                       "filter": int(filt.value), "splitmode": int(split.value)},
            "python": describe(s),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read(sys.argv[2])
    else:
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
