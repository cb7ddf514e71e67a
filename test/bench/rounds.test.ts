/**
 * The bench's same-round timing of another process's calls: timeInterleaved's selfTimed
 * entries (bench/lib/timing.mjs) and the round-server client (bench/lib/round-server.mjs).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers.js';

interface Entry {
  fn: () => unknown;
  isAsync: boolean;
  selfTimed?: boolean;
}
interface Summary {
  medianMs: number;
  minMs: number;
  maxMs: number;
  reps: number;
}
interface TimingModule {
  timeInterleaved(entries: Entry[], options?: Record<string, number | boolean>): Promise<Summary[]>;
  afterIdenticalCall(entry: Entry): Entry;
}
interface RoundServer {
  next(): Promise<string>;
  ask(request: string): Promise<string>;
  close(): void;
}
interface RoundServerModule {
  spawnRoundServer(command: string, args: string[]): RoundServer;
  answerMs(line: string): number;
}

const importBench = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(ROOT, 'bench', 'lib', path)).href)) as T;
const { timeInterleaved, afterIdenticalCall } = await importBench<TimingModule>('timing.mjs');
const { spawnRoundServer, answerMs } = await importBench<RoundServerModule>('round-server.mjs');

describe('timeInterleaved selfTimed entries', () => {
  it('takes the reported milliseconds as samples, under the same rounds and repeat rule as the others', async () => {
    const order: string[] = [];
    // Reported times of the self-timed entry: one warm-up, then samples.
    const reports = [3, 10, 20, 30, 40, 50, 60, 70];
    let next = 0;
    const [own, other] = await timeInterleaved(
      [
        { fn: () => order.push('own'), isAsync: false },
        { fn: () => { order.push('other'); return reports[next++]; }, isAsync: false, selfTimed: true },
      ],
      { targetMs: 50, minReps: 5, maxReps: 7, warmups: 1 },
    );
    // 10 + 20 + 30 reach 50 ms, but at least 5 samples are taken; its own clock (~0 ms) plays no part.
    expect(other).toEqual({ medianMs: 30, minMs: 10, maxMs: 50, reps: 5 });
    // The instant local call never reaches 50 ms: it stops at maxReps.
    expect(own!.reps).toBe(7);
    expect(own!.medianMs).toBeLessThan(10);
    // Warm-ups, then one call of each per round while both want samples.
    expect(order).toEqual(['own', 'other', ...Array<string[]>(5).fill(['own', 'other']).flat(), 'own', 'own']);
  });

  it('awaits an async self-timed entry and counts its reports toward the slow-path floor', async () => {
    const [slow] = await timeInterleaved(
      [{ fn: async () => 1000, isAsync: true, selfTimed: true }],
      { targetMs: 100, minReps: 5, maxReps: 100, warmups: 1 },
    );
    // A 1000 ms warm-up exceeds the target: 3 repeats, as for any slow call.
    expect(slow).toEqual({ medianMs: 1000, minMs: 1000, maxMs: 1000, reps: 3 });
  });

  it('rejects a report that is not a time', async () => {
    for (const bad of [Number.NaN, -1, '5', undefined, Infinity]) {
      await expect(timeInterleaved([{ fn: async () => bad, isAsync: true, selfTimed: true }], { targetMs: 1, minReps: 1, maxReps: 1, warmups: 1 }))
        .rejects.toThrow(/selfTimed entry reported/);
    }
  });
});

describe('afterIdenticalCall', () => {
  const busy = (ms: number): void => {
    const t0 = performance.now();
    while (performance.now() - t0 < ms);
  };

  it('makes each sample the second of two calls, timing only the second (sync and async)', async () => {
    // The first call of each pair is slow, the second fast: the samples must be the fast ones.
    for (const isAsync of [false, true]) {
      let calls = 0;
      const call = (): void => busy(calls++ % 2 === 0 ? 30 : 1);
      const entry = afterIdenticalCall(isAsync ? { fn: async () => call(), isAsync: true } : { fn: call, isAsync: false });
      expect(entry.selfTimed).toBe(true);
      const [steady] = await timeInterleaved([entry], { targetMs: 1, minReps: 3, maxReps: 3, warmups: 1 });
      // One warm-up and three samples, two calls each.
      expect(calls).toBe(8);
      expect(steady!.maxMs).toBeGreaterThanOrEqual(1);
      expect(steady!.maxMs).toBeLessThan(25);
    }
  });

  it('asks a self-timed entry twice and takes its second report', async () => {
    const reports = [50, 5, 60, 6, 70, 7];
    let next = 0;
    const entry = afterIdenticalCall({ fn: async () => reports[next++], isAsync: true, selfTimed: true });
    const [steady] = await timeInterleaved([entry], { targetMs: 1, minReps: 2, maxReps: 2, warmups: 1 });
    expect(next).toBe(6);
    expect(steady).toEqual({ medianMs: 6.5, minMs: 6, maxMs: 7, reps: 2 });
  });
});

describe('round server client', () => {
  // A stand-in server: a ready line, then "t S" answers S, "bad" answers an error line, "quit" dies.
  const script = [
    "const rl = require('node:readline').createInterface({ input: process.stdin });",
    "console.log(JSON.stringify({ ready: true }));",
    "rl.on('line', (l) => {",
    "  const [cmd, arg] = l.split(' ');",
    "  if (cmd === 't') console.log(arg);",
    "  else if (cmd === 'bad') console.log('error: no such call');",
    "  else { console.error('first line'); console.error('server gave up'); process.exit(3); }",
    "});",
  ].join('\n');

  it('answers requests in order, rejects error lines, and rejects every request once the process died', async () => {
    const server = spawnRoundServer(process.execPath, ['-e', script]);
    expect(JSON.parse(await server.next())).toEqual({ ready: true });
    const [a, b] = await Promise.all([server.ask('t 0.25'), server.ask('t 0.5')]);
    expect(answerMs(a)).toBe(250);
    expect(answerMs(b)).toBe(500);
    await expect(server.ask('bad')).rejects.toThrow('error: no such call');
    await expect(server.ask('quit')).rejects.toThrow(/exited \(status 3\): server gave up/);
    await expect(server.ask('t 1')).rejects.toThrow(/server gave up/);
    server.close();
  });

  it('rejects when the command cannot start', async () => {
    const server = spawnRoundServer(join(ROOT, 'no-such-interpreter'), ['x.py']);
    await expect(server.next()).rejects.toThrow(/no-such-interpreter/);
  });

  it('answerMs refuses what is not seconds', () => {
    for (const bad of ['', 'abc', '-1', 'NaN']) expect(() => answerMs(bad)).toThrow(/not seconds/);
  });
});
