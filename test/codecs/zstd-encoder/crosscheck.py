#!/usr/bin/env python3
"""Python side of the zstd encoder cross-checks (python-blosc2 4.14.1, c-blosc2 with libzstd).

python-blosc2 has no raw zstd API, so a frame reaches libzstd inside a Blosc2 chunk: a
32-byte header (codec 5, NOFILTER, dont_split, one block), bstarts, the stream size, then the
frame. ``blosc2.decompress`` hands the stream to ``ZSTD_decompressDCtx``.

Usage:
  crosscheck.py decode DIR   DIR holds <name>.raw and <name>.zst pairs; prints a JSON list
                             of {"name", "ok", "error"}. A .zst may hold several frames.
  crosscheck.py native DIR   writes the four benchmark data sets (1 MiB each, byte-shuffled)
                             as DIR/<set>.raw and prints JSON with the libzstd frame (hex) of
                             each set at zstd levels 1, 3, 5, 9 (Blosc clevels 1, 2, 3, 5).
  crosscheck.py frames DIR   for every DIR/<name>.raw, what c-blosc2 stored for it at each
                             Blosc clevel 1..9 (zstd levels 1, 3, ..., 15, 22) in a one-block
                             chunk, where libzstd gets exactly the block size as room:
                             {name: {level: hex frame | "raw" | "special"}}; "raw" when
                             libzstd failed or filled the room (Blosc then copies the block),
                             "special" for Blosc's zero/run chunks that never reach libzstd.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import blosc2
import numpy as np

NBYTES = 1 << 20
# zstd level -> Blosc clevel (level = 2 * clevel - 1)
LEVELS = {1: 1, 3: 2, 5: 3, 9: 5}


def chunk_around(frame: bytes, nbytes: int) -> bytes:
    """A Blosc2 chunk of one block whose only stream is `frame`."""
    header = bytearray(32)
    header[0] = 5  # version
    header[1] = 1  # versionlz
    header[2] = 0x01 | 0x04 | 0x10 | (4 << 5)  # extended header, dont_split, zstd format
    header[3] = 1  # typesize
    struct.pack_into("<iii", header, 4, nbytes, nbytes, 32 + 4 + 4 + len(frame))
    header[22] = 5  # codec id: zstd
    return bytes(header) + struct.pack("<i", 36) + struct.pack("<i", len(frame)) + frame


def decode(directory: Path) -> None:
    results = []
    for zst in sorted(directory.glob("*.zst")):
        name = zst.stem
        raw = (directory / f"{name}.raw").read_bytes()
        frame = zst.read_bytes()
        try:
            out = blosc2.decompress(chunk_around(frame, len(raw)))
            ok = bytes(out) == raw
            results.append({"name": name, "ok": ok, "error": None if ok else "decoded bytes differ"})
        except Exception as e:  # noqa: BLE001 - report any failure of the C decoder
            results.append({"name": name, "ok": False, "error": f"{type(e).__name__}: {e}"})
    print(json.dumps(results))


def data_sets() -> dict[str, np.ndarray]:
    """The four compressible sets of bench/datasets.py, 1 MiB each."""
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


def native_frame(raw: bytes, clevel: int) -> str:
    """What c-blosc2 stored for `raw` at a Blosc clevel in a one-block, unfiltered chunk."""
    chunk = blosc2.compress2(
        raw,
        codec=blosc2.Codec.ZSTD,
        clevel=clevel,
        filters=[blosc2.Filter.NOFILTER],
        filters_meta=[0],
        typesize=1,
        blocksize=len(raw),
        splitmode=blosc2.SplitMode.NEVER_SPLIT,
        nthreads=1,
    )
    if chunk[31] & 0x70 or len(chunk) < 40:  # zeros / repeated-value chunk
        return "special"
    if chunk[2] & 0x02:  # memcpyed: libzstd gave up or filled the room
        return "raw"
    size = struct.unpack_from("<i", chunk, 36)[0]
    if size <= 0:  # a run of one byte, stored without the codec
        return "special"
    if size == len(raw):
        return "raw"
    return chunk[40 : 40 + size].hex()


def frames(directory: Path) -> None:
    out = {}
    for raw_path in sorted(directory.glob("*.raw")):
        raw = raw_path.read_bytes()
        out[raw_path.stem] = {str(2 * c - 1 if c < 9 else 22): native_frame(raw, c) for c in range(1, 10)}
    print(json.dumps(out))


def native(directory: Path) -> None:
    out = {}
    for name, arr in data_sets().items():
        # Blosc's byte shuffle: byte j of every item, then byte j+1, ...
        shuffled = arr.view(np.uint8).reshape(-1, arr.itemsize).T.copy().tobytes()
        (directory / f"{name}.raw").write_bytes(shuffled)
        frames = {}
        levels = {}
        for level, clevel in LEVELS.items():
            frame = native_frame(shuffled, clevel)
            if frame in ("raw", "special"):
                raise SystemExit(f"{name}: blosc2 stored level {level} without a frame")
            levels[str(level)] = frame
        out[name] = levels
    out["versions"] = {"python-blosc2": blosc2.__version__, "c-blosc2": blosc2.blosclib_version}
    print(json.dumps(out))


def main() -> None:
    mode, directory = sys.argv[1], Path(sys.argv[2])
    if mode == "decode":
        decode(directory)
    elif mode == "native":
        native(directory)
    elif mode == "frames":
        frames(directory)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
