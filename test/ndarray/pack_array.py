"""Live check of packArray/unpackArray against python-blosc2.

  read FILE NPY   open a b2nd frame's bytes with blosc2.ndarray_from_cframe, compare with the .npy
  write DIR       write b2nd frames with NDArray.to_cframe() and the .npy of each array
Prints JSON.
"""
import json
import os
import sys

import blosc2
import numpy as np


def read(path, npy):
    with open(path, 'rb') as f:
        arr = blosc2.ndarray_from_cframe(f.read())
    got = arr[...]
    want = np.load(npy)
    print(json.dumps({'dtype': arr.dtype.str, 'shape': list(arr.shape), 'equal': bool(got.dtype == want.dtype and np.array_equal(got, want)),
                      'codec': str(arr.schunk.cparams.codec.name)}))


def write(d):
    rng = np.random.default_rng(20261206)
    arrays = {
        'f8_2d': np.linspace(0, 1, 60 * 70).reshape(60, 70),
        'i4_3d': rng.poisson(20, size=(10, 20, 30)).astype('<i4'),
        'u2_img': rng.integers(0, 4096, size=(64, 64), dtype='<u2'),
        'b1': rng.random(1000) > 0.5,
        'i8_be': np.arange(500, dtype='>i8'),
    }
    out = []
    for name, a in arrays.items():
        nd = blosc2.asarray(a, cparams=blosc2.CParams(codec=blosc2.Codec.LZ4, clevel=5, filters=[blosc2.Filter.BITSHUFFLE]))
        with open(os.path.join(d, name + '.b2nd'), 'wb') as f:
            f.write(nd.to_cframe())
        np.save(os.path.join(d, name + '.npy'), a)
        out.append({'name': name, 'dtype': a.dtype.str, 'shape': list(a.shape)})
    print(json.dumps(out))


if __name__ == '__main__':
    if sys.argv[1] == 'read':
        read(sys.argv[2], sys.argv[3])
    else:
        write(sys.argv[2])
