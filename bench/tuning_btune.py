"""BTune's choice for one data file, for bench/tuning.mjs.

Run with the interpreter of the virtual environment bench/tuning.mjs makes (python-blosc2
3.12.2 + blosc2-btune 1.2.1: blosc2-btune 1.2.1 was built for C-Blosc2 2.x and tunes
nothing under python-blosc2 4.x).

  tuning_btune.py DATA_FILE TYPESIZE TRADEOFF CHUNKSIZE

Compresses the file into a super-chunk with the BTune tuner (nthreads 1: it deadlocks at 2
on a 2-core machine), perf mode BALANCED, BTune's defaults otherwise, with BTUNE_TRACE=1,
and prints one JSON line: the configuration of the last winner row of the trace (codec,
filter, split, clevel; the block size from the last chunk's header), the seconds the whole
super-chunk took, and the trace's row count. The interpreter's directory must lead PATH
(python-blosc2 finds the plugin through the `python` it runs).
"""
import json
import os
import re
import sys
import time
import ctypes


def main():
    path, typesize, tradeoff, chunksize = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    os.environ['BTUNE_TRACE'] = '1'
    import blosc2
    import blosc2_btune
    blosc2_btune.set_params_defaults(tradeoff=tradeoff, perf_mode=blosc2_btune.PerformanceMode.BALANCED)
    with open(path, 'rb') as f:
        data = f.read()
    # The C library prints the trace on file descriptor 1: send it to a file and read it back.
    trace_path = path + f'.btune-{tradeoff}.trace'
    sys.stdout.flush()
    saved = os.dup(1)
    fd = os.open(trace_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    try:
        t0 = time.perf_counter()
        cparams = {'typesize': typesize, 'nthreads': 1, 'tuner': blosc2.Tuner.BTUNE}
        schunk = blosc2.SChunk(chunksize=chunksize, data=data, cparams=cparams, dparams={'nthreads': 1})
        seconds = time.perf_counter() - t0
    finally:
        sys.stdout.flush()
        ctypes.CDLL(None).fflush(None)  # the C library's buffered trace
        os.dup2(saved, 1)
        os.close(fd)
    with open(trace_path) as f:
        trace = f.read()
    os.remove(trace_path)
    rows = []
    for line in trace.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        # | Codec | Filter | Split | C.Level | C.Threads | D.Threads | S.Score | C.Ratio | State | Readapt | Winner
        if len(cells) == 11 and re.fullmatch(r'\d+', cells[1] or 'x'):
            rows.append(cells)
    winners = [r for r in rows if r[-1] == 'W']
    pick = (winners or rows or [None])[-1]
    last = schunk.get_chunk(schunk.nchunks - 1)
    out = {'seconds': seconds, 'rows': len(rows), 'cbytes': schunk.cbytes, 'nbytes': schunk.nbytes,
           'blosc2': blosc2.__version__, 'blocksize': int.from_bytes(last[8:12], 'little'),
           'last_chunk_filters': list(last[16:22]), 'last_chunk_codec': last[22]}
    if pick is not None:
        out.update({'codec': pick[0], 'filter': int(pick[1]), 'split': int(pick[2]), 'clevel': int(pick[3])})
    print(json.dumps(out))


if __name__ == '__main__':
    main()
