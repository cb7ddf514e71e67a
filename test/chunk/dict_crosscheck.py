"""Live cross-check of Blosc2 dictionary chunks with c-blosc2 (through python-blosc2).

usage: dict_crosscheck.py DIR
DIR/cases.json lists cases {id, codec, clevel, typesize, filters, filtersMeta, blocksize,
splitmode}; DIR/<id>.raw is the input and DIR/<id>.ours the chunk we wrote. For each case
this writes DIR/<id>.c (C's chunk with use_dict=True, nthreads=1) and records in
DIR/results.json whether C reads our chunk back to the input and whether C reads its own.
"""
import json
import sys
from pathlib import Path

import blosc2

SPLITMODES = {
    "always": blosc2.SplitMode.ALWAYS_SPLIT,
    "never": blosc2.SplitMode.NEVER_SPLIT,
    "auto": blosc2.SplitMode.AUTO_SPLIT,
    "forward-compat": blosc2.SplitMode.FORWARD_COMPAT_SPLIT,
}
CODECS = {"lz4": blosc2.Codec.LZ4, "lz4hc": blosc2.Codec.LZ4HC, "zstd": blosc2.Codec.ZSTD}


def decode(chunk: bytes):
    try:
        return blosc2.decompress2(chunk)
    except Exception as e:  # noqa: BLE001
        return e


def main() -> int:
    d = Path(sys.argv[1])
    cases = json.loads((d / "cases.json").read_text())
    results = []
    for c in cases:
        raw = (d / f"{c['id']}.raw").read_bytes()
        chunk = blosc2.compress2(
            raw,
            codec=CODECS[c["codec"]],
            clevel=c["clevel"],
            typesize=c["typesize"],
            nthreads=1,
            blocksize=c["blocksize"],
            splitmode=SPLITMODES[c["splitmode"]],
            filters=c["filters"],
            filters_meta=c["filtersMeta"],
            use_dict=True,
        )
        (d / f"{c['id']}.c").write_bytes(chunk)
        own = decode(chunk)
        ours = decode((d / f"{c['id']}.ours").read_bytes())
        results.append({
            "id": c["id"],
            "cReadsOwn": own == raw,
            "cReadsOurs": ours == raw,
            "error": str(ours) if isinstance(ours, Exception) else None,
        })
    (d / "results.json").write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
