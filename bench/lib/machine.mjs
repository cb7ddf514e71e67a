/**
 * The machine line printed with every result: CPU, cores, RAM, runtime and library
 * versions, and the date. Linux details come from /proc; elsewhere the fields fall back to
 * what `node:os` knows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const SIMD_FLAGS = ['sse2', 'ssse3', 'sse4_2', 'avx', 'avx2', 'avx512f', 'avx512bw', 'avx512vbmi', 'asimd'];

function readCpuinfo() {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

function cpuinfoField(text, field) {
  const match = new RegExp(`^${field}\\s*:\\s*(.*)$`, 'm').exec(text);
  return match === null ? null : match[1].trim();
}

/**
 * Facts about this machine and runtime.
 * @param {Record<string, string>} [libraries] extra "name → version" pairs (Python side, numcodecs, ...)
 */
export function describeMachine(libraries = {}) {
  const cpuinfo = readCpuinfo();
  const model = cpuinfoField(cpuinfo, 'model name') ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const flags = (cpuinfoField(cpuinfo, 'flags') ?? cpuinfoField(cpuinfo, 'Features') ?? '').split(/\s+/);
  const simd = SIMD_FLAGS.filter((f) => flags.includes(f));
  const nproc = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return {
    cpu: model,
    simd,
    nproc,
    ramGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavg: os.loadavg(),
    node: process.version,
    v8: process.versions.v8,
    libraries,
    date: new Date().toISOString(),
  };
}

/** One line for the console and the results file. */
export function machineLine(m) {
  const libs = Object.entries(m.libraries)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const simd = m.simd.length > 0 ? ` (${m.simd.join(' ')})` : '';
  return (
    `CPU ${m.cpu}${simd}; nproc ${m.nproc}; RAM ${m.ramGiB.toFixed(1)} GiB; ${m.os}; ` +
    `Node ${m.node}, V8 ${m.v8}${libs ? `; ${libs}` : ''}; ${m.date}`
  );
}

/**
 * Time on a core and time ready but waiting for one (ms), per thread of this process, from
 * /proc/self/task/<tid>/schedstat (Linux); null where there is no such file.
 * @returns {Map<string, { run: number, wait: number }> | null}
 */
export function schedTimes() {
  let tids;
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  const out = new Map();
  for (const tid of tids) {
    try {
      const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      out.set(tid, { run: run / 1e6, wait: wait / 1e6 });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}
