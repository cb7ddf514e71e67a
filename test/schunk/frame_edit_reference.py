#!/usr/bin/env python3
"""python-blosc2 side of the live check of frames edited in place (test/schunk/frame-file-live.test.ts).

    frame_edit_reference.py make DIR     write py.b2frame (contiguous), py_sparse.b2frame (a
                                         sparse directory) and py.b2nd into DIR
    frame_edit_reference.py read PATH..  open each frame with blosc2.open; print JSON
                                         describing it
    frame_edit_reference.py edit PATH..  open each frame with blosc2.open(mode='a'), make
                                         the edits of `edit` below (each written to the
                                         frame at once), and print what python reads back
    frame_edit_reference.py resize PATH D0,D1 ...
                                         open the b2nd array with blosc2.open(mode='a'),
                                         resize it to each shape in turn, and print what
                                         python reads back
"""
import hashlib
import json
import sys

import blosc2
import numpy as np

from frames_reference import jsonable  # the same JSON encoding of msgpack values as the frames check

blosc2.set_nthreads(1)

CHUNK_ITEMS = 1000


def describe(path):
    a = blosc2.open(path)
    if isinstance(a, blosc2.NDArray):
        return {
            "shape": list(a.shape),
            "sha256": hashlib.sha256(a[...].tobytes()).hexdigest(),
            "vlmeta": {k: jsonable(a.schunk.vlmeta[k]) for k in a.schunk.vlmeta.getall()},
        }
    data = a[:] if a.nbytes > 0 else b""
    return {
        "nchunks": a.nchunks,
        "nbytes": a.nbytes,
        "sha256": hashlib.sha256(data).hexdigest(),
        "vlmeta": {k: jsonable(a.vlmeta[k]) for k in a.vlmeta.getall()},
    }


def make(d):
    data = np.arange(6 * CHUNK_ITEMS, dtype=np.int32)
    for name, contiguous in (("py.b2frame", True), ("py_sparse.b2frame", False)):
        s = blosc2.SChunk(chunksize=4 * CHUNK_ITEMS, data=data, urlpath=f"{d}/{name}", contiguous=contiguous, mode="w",
                          cparams={"typesize": 4, "codec": blosc2.Codec.LZ4})
        s.vlmeta["x"] = [1, 2]
    a = np.arange(40 * 30, dtype=np.float64).reshape(40, 30)
    blosc2.asarray(a, urlpath=f"{d}/py.b2nd", mode="w", chunks=(10, 10), blocks=(5, 5))


def edit(path):
    """The edits test/schunk/frame-file-live.test.ts makes on an in-memory copy to compare."""
    s = blosc2.open(path, mode="a")
    s.update_data(1, np.full(CHUNK_ITEMS, 7, dtype=np.int32), copy=True)
    s.insert_data(0, np.full(CHUNK_ITEMS, 9, dtype=np.int32), copy=True)
    s.delete_chunk(2)
    s.append_data(np.arange(CHUNK_ITEMS, dtype=np.int32) * 3)
    s.update_data(3, np.zeros(CHUNK_ITEMS, dtype=np.int32), copy=True)
    # Noise that compresses badly: the chunk no longer fits where the old one was.
    s.update_data(0, (np.arange(CHUNK_ITEMS, dtype=np.uint64) * 2654435761 % 2**31).astype(np.int32), copy=True)
    if "x" in s.vlmeta:
        del s.vlmeta["x"]
    s.vlmeta["y"] = "z"


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "make":
        make(args[0])
        print(json.dumps({}))
    elif cmd == "read":
        out = {}
        for p in args:
            try:
                out[p] = describe(p)
            except Exception as e:  # reported, compared by the test
                out[p] = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out))
    elif cmd == "edit":
        out = {}
        for p in args:
            edit(p)
            out[p] = describe(p)
        print(json.dumps(out))
    elif cmd == "resize":
        a = blosc2.open(args[0], mode="a")
        for shape in args[1:]:
            a.resize(tuple(int(x) for x in shape.split(",")))
        print(json.dumps({args[0]: describe(args[0])}))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
