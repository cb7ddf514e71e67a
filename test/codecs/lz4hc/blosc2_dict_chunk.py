#!/usr/bin/env python3
"""Compress data into one c-blosc2 dictionary chunk with the lz4hc codec (python-blosc2).

stdin:  {"data": <base64>, "level": int, "blocksize": int}
stdout: {"chunk": <base64>}

No filter, no split, one thread, so each block is one stream of the raw block bytes,
compressed by LZ4_resetStreamHC_fast + LZ4_loadDictHC + LZ4_compress_HC_continue.
"""
import base64
import json
import sys

import blosc2


def main():
    request = json.load(sys.stdin)
    data = base64.b64decode(request["data"])
    chunk = blosc2.compress2(
        data,
        cparams=blosc2.CParams(
            codec=blosc2.Codec.LZ4HC,
            clevel=request["level"],
            use_dict=True,
            typesize=1,
            filters=[blosc2.Filter.NOFILTER],
            splitmode=blosc2.SplitMode.NEVER_SPLIT,
            blocksize=request["blocksize"],
            nthreads=1,
        ),
    )
    json.dump({"chunk": base64.b64encode(chunk).decode()}, sys.stdout)


if __name__ == "__main__":
    main()
