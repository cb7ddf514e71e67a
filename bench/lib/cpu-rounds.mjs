/**
 * What bench/cpu-ratio.mjs and bench/blosclz-encode.mjs share: blosc-ts builds loaded side by
 * side, CPU time of this process, and a Python process kept alive for the run that times the
 * native side of each round (one request line in, one answer line out: CPU seconds per call).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** This build's module, and another build's when `otherPath` is given (timed in the same rounds). */
export async function loadBuilds(libPath, otherPath) {
  const lib = await import(pathToFileURL(resolve(libPath)).href);
  const other = otherPath === undefined ? null : await import(pathToFileURL(resolve(otherPath)).href);
  return other === null ? [lib] : [lib, other];
}

/** CPU milliseconds this process has spent (every thread: V8's helper threads count too). */
export function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The middle value (the upper one of an even count). */
export function median(x) {
  return x.slice().sort((a, b) => a - b)[x.length >> 1];
}

/**
 * Starts `python -c script`, which reads one request per line on stdin and prints one number
 * per line; returns a function sending a request and resolving to the number answered.
 */
export function pythonRounds(python, script) {
  const py = spawn(python, ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers = createInterface({ input: py.stdout });
  const pending = [];
  answers.on('line', (line) => pending.shift()(Number(line)));
  const ask = (request) =>
    new Promise((res) => {
      pending.push(res);
      py.stdin.write(`${request}\n`);
    });
  ask.close = () => py.stdin.end();
  return ask;
}
