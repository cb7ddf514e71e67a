#!/usr/bin/env python3
"""Run lz4 1.10.0's LZ4_compress_HC (from python-blosc2's libblosc2) on cases given as JSON.

stdin:  {"cases": [{"data": <base64>, "level": int, "cap": int, "dict"?: <base64>}, ...]}
stdout: {"lz4": <version number>, "results": [<base64 of the output, "" when C returned 0>, ...]}

A case with "dict" runs what c-blosc2's lz4hc_wrap_compress does for dictionary chunks, on
one stream reused across cases: LZ4_resetStreamHC_fast(level), LZ4_loadDictHC(dict),
LZ4_compress_HC_continue(data).
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
    lib.LZ4_createStreamHC.restype = ctypes.c_void_p
    lib.LZ4_resetStreamHC_fast.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.LZ4_loadDictHC.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.LZ4_compress_HC_continue.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
    lib.LZ4_compress_HC_continue.restype = ctypes.c_int
    stream = lib.LZ4_createStreamHC()
    request = json.load(sys.stdin)
    results = []
    for case in request["cases"]:
        data = base64.b64decode(case["data"])
        cap = case["cap"]
        dst = ctypes.create_string_buffer(max(cap, 1))
        if "dict" in case:
            # Separate buffers, as in c-blosc2, so the input never follows the dictionary.
            dictionary = ctypes.create_string_buffer(base64.b64decode(case["dict"]))
            src = ctypes.create_string_buffer(data)
            lib.LZ4_resetStreamHC_fast(stream, case["level"])
            lib.LZ4_loadDictHC(stream, dictionary, len(dictionary.raw) - 1)
            r = lib.LZ4_compress_HC_continue(stream, src, dst, len(data), cap)
        else:
            r = lib.LZ4_compress_HC(data, dst, len(data), cap, case["level"])
        if r < 0 or r > cap:
            sys.exit(f"LZ4_compress_HC returned {r} for cap {cap}")
        results.append(base64.b64encode(dst.raw[:r]).decode())
    json.dump({"lz4": lib.LZ4_versionNumber(), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
