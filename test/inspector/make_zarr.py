"""Write the zarr fixtures of the inspector test (python zarr 3.x, numcodecs' Blosc).

v2.zarr: zarr format 2, int16 (20, 30) in (8, 8) chunks, Blosc lz4 + shuffle (Blosc1 chunks),
with one chunk left out (a missing chunk reads as the fill value 7).
v3.zarr: zarr format 3, float32 (4, 12, 10) in (2, 5, 4) chunks, codecs [bytes, blosc zstd].
Run from the repository root: python3 test/inspector/make_zarr.py
"""
import os
import shutil

import numpy as np
import zarr
from numcodecs import Blosc
from zarr.codecs import BloscCodec, BytesCodec

OUT = os.path.join(os.path.dirname(__file__), "fixtures")

def main():
    for name in ("v2.zarr", "v3.zarr"):
        shutil.rmtree(os.path.join(OUT, name), ignore_errors=True)
    a = (np.arange(20 * 30, dtype=np.int16).reshape(20, 30) * 3 - 500)
    z2 = zarr.create_array(os.path.join(OUT, "v2.zarr"), shape=a.shape, chunks=(8, 8), dtype="<i2", zarr_format=2,
                           compressors=Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE), fill_value=7)
    z2[:] = a
    os.remove(os.path.join(OUT, "v2.zarr", "1.1"))
    i, j, k = np.meshgrid(np.arange(4), np.arange(12), np.arange(10), indexing="ij")
    b = (np.sin(j / 3.0) * 10 + k * 0.5 + i * 100).astype(np.float32)
    z3 = zarr.create_array(os.path.join(OUT, "v3.zarr"), shape=b.shape, chunks=(2, 5, 4), dtype="float32", zarr_format=3,
                           serializer=BytesCodec(endian="little"), compressors=BloscCodec(cname="zstd", clevel=5, shuffle="shuffle"))
    z3[:] = b
    z3.attrs["units"] = "K"

if __name__ == "__main__":
    main()
