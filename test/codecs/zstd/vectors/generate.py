#!/usr/bin/env python3
"""Regenerate the zstd conformance vectors in this directory.

Frames come from the reference implementation: the `zstd` command-line tool (Debian
package `zstd`, libzstd 1.5.x) and python-blosc2's bundled libzstd (dictionary chunks).
Each vector's expected output is described by its size and SHA-256, computed here from
the input handed to the compressor, never from the decoder under test.

Usage: python3 test/codecs/zstd/vectors/generate.py   (needs `zstd`, numpy, blosc2)
"""
import hashlib
import json
import os
import struct
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp(prefix="zstd-vectors-")
manifest = []


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def zstd_cli(data: bytes, args, dict_path=None, stdin=False) -> bytes:
    src = os.path.join(TMP, "in.bin")
    out = os.path.join(TMP, "out.zst")
    with open(src, "wb") as f:
        f.write(data)
    cmd = ["zstd", "-q", "-f", *args]
    if dict_path:
        cmd += ["-D", dict_path]
    if stdin:
        with open(src, "rb") as f:
            return subprocess.run(cmd + ["-c", "-"], stdin=f, check=True, capture_output=True).stdout
    subprocess.run(cmd + [src, "-o", out], check=True)
    with open(out, "rb") as f:
        return f.read()


def add(name: str, frame: bytes, content: bytes, note: str, dictionary=None, fzstd=True):
    path = os.path.join(HERE, name + ".zst")
    with open(path, "wb") as f:
        f.write(frame)
    entry = {"file": name + ".zst", "size": len(content), "sha256": sha(content), "note": note, "fzstd": fzstd}
    if dictionary:
        entry["dict"] = dictionary
    manifest.append(entry)


rng = np.random.default_rng(20240611)

# Text-like data: words drawn from a skewed vocabulary (compressible, many literals and matches).
vocab = [bytes(rng.integers(97, 123, size=int(n)).tolist()) for n in rng.integers(2, 10, size=150)]
weights = 1.0 / np.arange(1, len(vocab) + 1)
weights /= weights.sum()


def text(n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        out += vocab[int(rng.choice(len(vocab), p=weights))] + (b"\n" if rng.random() < 0.08 else b" ")
    return bytes(out[:n])


def shuffled(arr: np.ndarray) -> bytes:
    """Blosc-style byte shuffle: all first bytes, then all second bytes, ..."""
    ts = arr.dtype.itemsize
    return arr.view(np.uint8).reshape(-1, ts).T.copy().tobytes()


text140k = text(140_000)
text40k = text140k[:40_000]
lin = shuffled(np.linspace(0, 1000, 32768, dtype="<f8"))           # 256 KiB
ar = shuffled(np.arange(32768, dtype="<i8"))                         # 256 KiB
noisy = shuffled((np.sin(np.arange(8192) / 50) + rng.normal(0, 0.01, 8192)).astype("<f4"))  # 32 KiB
rand = rng.integers(0, 256, size=20_000, dtype=np.uint8).tobytes()
zeros = bytes(300_000)
mixed = text(20_000) + bytes(70_000) + rand[:10_000] + text(40_000)

# Sizes and levels.
add("empty", zstd_cli(b"", ["-3"]), b"", "content size 0")
add("one-byte", zstd_cli(b"x", ["-3"]), b"x", "content size 1")
small = b"zstd small input: abcabcabcabc hello hello hello world"
add("small", zstd_cli(small, ["-3"]), small, "small, raw literals")
for lvl in (1, 3, 9, 19):
    add(f"text-l{lvl}", zstd_cli(text140k, [f"-{lvl}", "--no-check" if lvl in (3, 19) else "--check"]), text140k, f"text 140 kB level {lvl} (multi-block)")
add("text-l22", zstd_cli(text140k, ["--ultra", "-22"]), text140k, "text 140 kB level 22")
for lvl in (1, 9):
    add(f"linspace-f8-l{lvl}", zstd_cli(lin, [f"-{lvl}", "--no-check"]), lin, f"shuffled float64 linspace level {lvl}")
    add(f"arange-i8-l{lvl}", zstd_cli(ar, [f"-{lvl}", "--no-check"]), ar, f"shuffled int64 arange level {lvl}")
    add(f"noisy-f4-l{lvl}", zstd_cli(noisy, [f"-{lvl}"]), noisy, f"shuffled noisy float32 level {lvl}")
add("linspace-f8-l19", zstd_cli(lin, ["-19"]), lin, "shuffled float64 linspace level 19")
add("random-raw", zstd_cli(rand, ["-3"]), rand, "incompressible: raw blocks")
add("zeros-rle", zstd_cli(zeros, ["-3"]), zeros, "zeros: RLE blocks")
add("mixed-l3", zstd_cli(mixed, ["-3"]), mixed, "text, zeros, noise: mixed block types")
add("mixed-l19", zstd_cli(mixed, ["-19"]), mixed, "mixed, level 19")

# Rarer modes, each from data shaped to trigger it (checked by the test's feature walker).
for k in (3, 8, 16):
    pz = 1.0 / np.arange(1, k + 1)
    alpha = rng.choice(k, size=3000, p=pz / pz.sum()).astype(np.uint8).tobytes()
    add(f"alphabet{k}", zstd_cli(alpha, ["-3"]), alpha, f"{k}-symbol alphabet: Huffman weights sent directly")
normal = np.clip(rng.normal(128, 20, 30000), 0, 255).astype(np.uint8).tobytes()
add("literals-only", zstd_cli(normal, ["-1", "--no-check"]), normal, "no matches: compressed block without sequences")
alt = bytearray(rng.integers(0, 256, 200, dtype=np.uint8).tobytes())
k = 0
while len(alt) < 40000:
    back = 37 if k % 2 == 0 else 101
    for _ in range(3):
        alt.append(alt[len(alt) - back])
    k += 1
alt = bytes(alt)
add("alternating-offsets", zstd_cli(alt, ["-3", "--no-check"]), alt, "3-byte copies at two offsets: RLE match lengths")
table = rng.integers(0, 256, 256, dtype=np.uint8).tobytes()
slices = bytearray(table)
for p in rng.integers(0, 253, 36000):
    slices += table[p:p + 3]
slices = bytes(slices)
add("many-sequences", zstd_cli(slices, ["-19", "--no-check"]), slices, "over 32512 sequences in a block (3-byte count)")
no_z = bytes(x for x in rng.integers(0, 256, 6000, dtype=np.uint8).tobytes() if x != ord("Z"))[:4096]
slices_dict = os.path.join(HERE, "slices.dict")
with open(slices_dict, "wb") as f:
    f.write(no_z)
pieces = b"".join(no_z[p:p + int(n)] + b"Z" for p, n in zip(rng.integers(0, 3800, 150), rng.integers(60, 200, 150)))
for lvl in (3, 9):
    add(f"rle-literals-l{lvl}", zstd_cli(pieces, [f"-{lvl}", "--no-check"], dict_path=slices_dict), pieces,
        "raw-content dictionary slices joined by one byte: RLE literals", "slices.dict", False)

# Checksums, content size, windows.
add("text-check", zstd_cli(text40k, ["-3", "--check"]), text40k, "content checksum")
add("text-nocheck", zstd_cli(text40k, ["-3", "--no-check"]), text40k, "no checksum")
add("text-nosize", zstd_cli(text40k, ["-3", "--no-content-size"]), text40k, "no content size, not single-segment")
add("text-stdin", zstd_cli(text140k, ["-3"], stdin=True), text140k, "streamed from stdin: no content size")
add("text-wlog10", zstd_cli(text40k, ["-3", "--zstd=wlog=10"]), text40k, "window 1 KiB: 1 KiB blocks")
add("text-wlog17", zstd_cli(text140k, ["-19", "--zstd=wlog=17"]), text140k, "window 128 KiB")
add("lin-wlog12-check", zstd_cli(lin, ["-9", "--zstd=wlog=12", "--check"]), lin, "window 4 KiB with checksum")
add("text-long", zstd_cli(text140k, ["-3", "--long=20"]), text140k, "long-distance matching")

# Concatenated and skippable frames.
f1 = zstd_cli(text40k, ["-3"])
f2 = zstd_cli(zeros[:5000], ["-1", "--check"])
add("concat", f1 + f2, text40k + zeros[:5000], "two frames back to back")
skip = struct.pack("<II", 0x184D2A53, 11) + b"hello world"
add("skippable", skip + f1 + struct.pack("<II", 0x184D2A50, 0) + f2, text40k + zeros[:5000], "skippable frames around two frames")
add("skippable-only", skip, b"", "a lone skippable frame")

# Dictionaries: train on JSON-like records, then compress records with the dictionary.
samples_dir = os.path.join(TMP, "samples")
os.makedirs(samples_dir)
records = []
for i in range(400):
    rec = ('{"id": %d, "name": "%s", "tags": ["%s", "%s"], "score": %.3f, "active": %s}\n' % (
        i, text(12).decode().strip(), text(6).decode().strip(), text(5).decode().strip(),
        rng.random() * 100, "true" if rng.random() < 0.5 else "false")).encode() * int(rng.integers(1, 4))
    records.append(rec)
    with open(os.path.join(samples_dir, f"s{i}.json"), "wb") as f:
        f.write(rec)
dict_path = os.path.join(HERE, "json.dict")
subprocess.run(["zstd", "-q", "-f", "--train", "--maxdict=4096", "-r", samples_dir, "-o", dict_path], check=True)
sample = b"".join(records[:5])
for lvl in (1, 3, 19):
    add(f"dict-l{lvl}", zstd_cli(sample, [f"-{lvl}"], dict_path=dict_path), sample, f"formatted dictionary, level {lvl}", "json.dict", False)
one = records[7]
add("dict-one-record", zstd_cli(one, ["-3"], dict_path=dict_path), one, "formatted dictionary, one small record", "json.dict", False)
add("dict-nodictid", zstd_cli(sample, ["-3", "--no-dictID"], dict_path=dict_path), sample, "formatted dictionary, frame without dict id", "json.dict", False)
raw_dict = os.path.join(HERE, "raw-content.dict")
with open(raw_dict, "wb") as f:
    f.write(b"".join(records[100:140]))
add("rawdict-l3", zstd_cli(sample, ["-3"], dict_path=raw_dict), sample, "raw-content dictionary", "raw-content.dict", False)
add("rawdict-l19", zstd_cli(records[120] + records[3], ["-19"], dict_path=raw_dict), records[120] + records[3], "raw-content dictionary, level 19", "raw-content.dict", False)

with open(os.path.join(HERE, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
    f.write("\n")

# Blosc2 dictionary chunks (zstd + use_dict): each block is [int32 csize][zstd frame] after
# the dictionary section (chunk-format §3.9). Record what each frame must decode to.
import blosc2  # noqa: E402

chunks = []
for name, arr, filters in (
    ("blosc2-dict-noshuffle", np.arange(16_000, dtype="<i8") % 977, [blosc2.Filter.NOFILTER]),
    ("blosc2-dict-shuffle", np.linspace(0, 100, 16_000, dtype="<f8"), [blosc2.Filter.SHUFFLE]),
):
    data = arr.tobytes()
    cp = blosc2.CParams(codec=blosc2.Codec.ZSTD, clevel=5, typesize=8, use_dict=True, blocksize=32768,
                        filters=filters, filters_meta=[0] * len(filters), splitmode=blosc2.SplitMode.NEVER_SPLIT)
    chunk = blosc2.compress2(data, cparams=cp)
    assert chunk[31] & 1, "dictionary flag not set"
    assert bytes(blosc2.decompress2(chunk)) == data
    blocksize = struct.unpack_from("<i", chunk, 8)[0]
    blocks = []
    for off in range(0, len(data), blocksize):
        blk = np.frombuffer(data[off:off + blocksize], dtype=np.uint8)
        if filters[0] == blosc2.Filter.SHUFFLE:
            blk = blk.reshape(-1, 8).T.copy().ravel()
        blocks.append({"size": int(blk.size), "sha256": sha(blk.tobytes())})
    with open(os.path.join(HERE, name + ".b2chunk"), "wb") as f:
        f.write(chunk)
    chunks.append({"file": name + ".b2chunk", "nbytes": len(data), "blocks": blocks})
with open(os.path.join(HERE, "blosc2-chunks.json"), "w") as f:
    json.dump(chunks, f, indent=1)
    f.write("\n")
print(f"{len(manifest)} zstd vectors, {len(chunks)} blosc2 chunks")
