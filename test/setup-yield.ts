/**
 * Setup for every test file: after each test, one turn of the event loop. Many tests here
 * run child processes with spawnSync or decode for seconds without awaiting anything, so a
 * file of them can keep its worker's event loop busy for over a minute; vitest's worker then
 * cannot read the answers to its progress reports, which time out after 60 s as an
 * unhandled "Timeout calling onTaskUpdate" error that fails the run although every test
 * passed. Yielding between tests lets those answers in.
 */
import { afterEach } from 'vitest';

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
