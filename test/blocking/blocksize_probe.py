"""Ask the C libraries which blocksize and split decision they pick.

Usage: python3 test/blocking/blocksize_probe.py CASES.json

CASES.json holds {"blosc1": [...], "blosc2": [...]}; each case names nbytes, typesize,
clevel, codec (Blosc compcode), the shuffle (Blosc1) or the six filters and optionally
useDict (Blosc2), the forced/requested blocksize and the split mode. Every case is
compressed once, with nthreads = 1, by python-blosc (c-blosc 1.x) or python-blosc2
(c-blosc2), and the chunk header is reported: blocksize (offset 8), flags (offset 2),
typesize (offset 3), cbytes, blosc2_flags (offset 31) and the first bstart when the
chunk has one.

Split mode in python-blosc: the module holds the GIL by default (set_releasegil(False)),
so blosc.compress calls the C `blosc_compress`, which re-reads the BLOSC_SPLITMODE
environment variable on every call and stores it in the global split mode. (With the GIL
released it calls `blosc_compress_ctx`, which only reads that global.) The variable is set
per case here, and removed before python-blosc2 runs: `blosc2_create_cctx` reads it too.

Prints one JSON object: {"versions": {...}, "blosc1": [...], "blosc2": [...]}.
"""

import json
import os
import struct
import sys

import blosc
import blosc2
import numpy as np

BLOSC1_CNAMES = {0: "blosclz", 1: "lz4", 2: "lz4hc", 3: "snappy", 4: "zlib", 5: "zstd"}
SPLITMODE_ENV = {"always": "ALWAYS", "never": "NEVER", "auto": "AUTO", "forward-compat": "FORWARD_COMPAT"}
# Variables either library would read and let override the parameters under test.
FOREIGN_ENV = (
    "BLOSC_CLEVEL", "BLOSC_SHUFFLE", "BLOSC_DELTA", "BLOSC_TYPESIZE", "BLOSC_COMPRESSOR",
    "BLOSC_BLOCKSIZE", "BLOSC_NTHREADS", "BLOSC_SPLITMODE", "BLOSC_NOLOCK", "BLOSC_BLOSC1_COMPAT",
)


def make_data(nbytes):
    # Compressible but not constant: runs of 64 equal bytes cycling through 251 values.
    return (np.arange(nbytes, dtype=np.int64) // 64 % 251).astype(np.uint8).tobytes()


def header_fields(chunk, extended):
    nbytes, blocksize, cbytes = struct.unpack_from("<iii", chunk, 4)
    out = {
        "flags": chunk[2],
        "typesize": chunk[3],
        "nbytes": nbytes,
        "blocksize": blocksize,
        "cbytes": cbytes,
        "blosc2Flags": chunk[31] if extended else None,
        "bstart0": None,
    }
    header_len = 32 if extended else 16
    special = extended and (chunk[31] & 0x70) != 0
    if not (chunk[2] & 0x02) and not special and cbytes >= header_len + 4:
        out["bstart0"] = struct.unpack_from("<i", chunk, header_len)[0]
    return out


def run_blosc1(case, data):
    os.environ["BLOSC_SPLITMODE"] = SPLITMODE_ENV[case["splitmode"]]
    blosc.set_blocksize(case["forcedBlocksize"])
    src = data[: case["nbytes"]]
    cname = BLOSC1_CNAMES[case["codec"]]
    if case["typesize"] <= blosc.MAX_TYPESIZE:
        chunk = blosc.compress(src, case["typesize"], case["clevel"], case["shuffle"], cname)
    else:
        # blosc.compress refuses typesize > 255 in Python; the C library accepts it (as 1).
        chunk = blosc.blosc_extension.compress(src, case["typesize"], case["clevel"], case["shuffle"], cname)
    return header_fields(chunk, extended=False)


def run_blosc2(case, data):
    os.environ.pop("BLOSC_SPLITMODE", None)
    src = data[: case["nbytes"]]
    chunk = blosc2.compress2(
        src,
        typesize=case["typesize"],
        clevel=case["clevel"],
        codec=blosc2.Codec(case["codec"]),
        filters=[blosc2.Filter(f) for f in case["filters"]],
        filters_meta=[0] * len(case["filters"]),
        blocksize=case["userBlocksize"],
        splitmode=blosc2.SplitMode(case["splitmode"]),
        use_dict=case.get("useDict", False),
        nthreads=1,
    )
    return header_fields(chunk, extended=True)


def run_all(cases, runner, data):
    results = []
    for case in cases:
        try:
            results.append(runner(case, data))
        except Exception as exc:  # report, let the test decide
            results.append({"error": f"{type(exc).__name__}: {exc}"})
    return results


def main():
    with open(sys.argv[1], encoding="utf8") as f:
        cases = json.load(f)
    for name in FOREIGN_ENV:
        os.environ.pop(name, None)
    blosc.set_nthreads(1)
    blosc.set_releasegil(False)
    largest = max([c["nbytes"] for c in cases["blosc1"] + cases["blosc2"]] + [0])
    data = make_data(largest)
    out = {
        "versions": {
            "python-blosc": blosc.__version__,
            "c-blosc": blosc.blosclib_version,
            "python-blosc2": blosc2.__version__,
            "c-blosc2": blosc2.blosclib_version,
        },
        "blosc1": run_all(cases["blosc1"], run_blosc1, data),
        "blosc2": run_all(cases["blosc2"], run_blosc2, data),
    }
    blosc.set_blocksize(0)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
