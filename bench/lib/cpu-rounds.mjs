/**
 * What bench/cpu-ratio.mjs and bench/blosclz-encode.mjs share: blosc-ts builds loaded side by
 * side, CPU time of this process, and a Python process kept alive for the run that times the
 * native side of each round (one request line in, one answer line out: CPU seconds per call;
 * bench/lib/round-server.mjs).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnRoundServer } from './round-server.mjs';

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
 * per line; returns a function sending a request and resolving to the number answered
 * (rejecting once the script has died, with the last line of its stderr).
 */
export function pythonRounds(python, script) {
  const server = spawnRoundServer(python, ['-c', script]);
  const ask = async (request) => Number(await server.ask(request));
  ask.close = () => server.close();
  return ask;
}
