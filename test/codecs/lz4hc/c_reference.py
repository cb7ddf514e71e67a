#!/usr/bin/env python3
"""Run lz4 1.10.0's LZ4_compress_HC (from python-blosc2's libblosc2) on cases given as JSON.

stdin:  {"cases": [{"data": <base64>, "level": int, "cap": int}, ...]}
stdout: {"lz4": <version number>, "results": [<base64 of the output, "" when C returned 0>, ...]}
"""
import base64
import ctypes
import json
import os
import sys

import blosc2


def main():
    lib = ctypes.CDLL(os.path.join(os.path.dirname(blosc2.__file__), "lib", "libblosc2.so.9"))
    lib.LZ4_compress_HC.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.LZ4_compress_HC.restype = ctypes.c_int
    lib.LZ4_versionNumber.restype = ctypes.c_int
    request = json.load(sys.stdin)
    results = []
    for case in request["cases"]:
        data = base64.b64decode(case["data"])
        cap = case["cap"]
        dst = ctypes.create_string_buffer(max(cap, 1))
        r = lib.LZ4_compress_HC(data, dst, len(data), cap, case["level"])
        if r < 0 or r > cap:
            sys.exit(f"LZ4_compress_HC returned {r} for cap {cap}")
        results.append(base64.b64encode(dst.raw[:r]).decode())
    json.dump({"lz4": lib.LZ4_versionNumber(), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
