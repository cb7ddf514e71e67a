/**
 * A process kept alive for a bench run that answers one request line with one line (a round
 * server: bench/decode.py, bench/threads.py, the CPU-time scripts of bench/lib/cpu-rounds.mjs).
 * The JavaScript side asks in the same rounds as it times its own calls, so the other side's
 * calls run under the same load as ours.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The last non-empty line of a process's stderr, for an error message. */
function lastLine(text) {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1];
}

/**
 * Start `command args`; returns { next, ask, close }: `next()` resolves to the next line the
 * process prints (its ready line, say), `ask(request)` sends one request line and resolves to
 * the line answered; an answer starting with "error:" rejects, and so does every request once
 * the process has exited or could not start (with the last line of its stderr).
 * @param {string} command
 * @param {string[]} args
 */
export function spawnRoundServer(command, args) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 65536) stderr = stderr.slice(-16384);
  });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  let failure = null;
  const fail = (why) => {
    failure ??= why;
    for (const w of waiting.splice(0)) w.reject(new Error(failure));
  };
  const what = `${command} ${args[0] ?? ''}`.trim();
  lines.on('line', (line) => {
    const w = waiting.shift();
    if (w === undefined) return;
    if (line.startsWith('error:')) w.reject(new Error(`${what}: ${line}`));
    else w.resolve(line);
  });
  child.on('error', (e) => fail(`could not run ${what}: ${e.message}`));
  // 'close' comes after stdout and stderr ended, so the error text is complete and every answer was read.
  child.on('close', (code, signal) => fail(`${what} exited (${signal === null ? `status ${code}` : signal})${stderr.trim() === '' ? '' : `: ${lastLine(stderr)}`}`));
  // A write after the process died: the 'close' handler says why.
  child.stdin.on('error', () => {});
  const next = () => new Promise((resolve, reject) => {
    if (failure !== null) reject(new Error(failure));
    else waiting.push({ resolve, reject });
  });
  return {
    next,
    ask(request) {
      const answer = next();
      if (failure === null) child.stdin.write(`${request}\n`);
      return answer;
    },
    close() {
      child.stdin.end();
    },
  };
}

/** An answer in seconds, as milliseconds: a number, or an error naming what was answered. */
export function answerMs(line) {
  const seconds = Number(line);
  if (line.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new Error(`round server answered ${JSON.stringify(line)}, not seconds`);
  return seconds * 1000;
}

/**
 * The timeInterleaved entry of one call the round server times: `request` is asked in the
 * entry's turn of each round, and the seconds answered are its sample (selfTimed).
 */
export function roundEntry(server, request) {
  return { fn: async () => answerMs(await server.ask(request)), isAsync: true, selfTimed: true };
}
