/** Whether python bloscpack 0.16.0 can be imported (on top of what pythonReference() checks). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, pythonReference } from '../helpers.js';

let status: { ok: boolean; reason: string } | undefined;

export const CROSSCHECK = join(ROOT, 'fixtures/bloscpack/crosscheck.py');
export const GENERATOR = join(ROOT, 'fixtures/bloscpack/generate.py');

export function bloscpackReference(): { ok: boolean; reason: string } {
  if (status !== undefined) return status;
  const py = pythonReference();
  if (!py.ok) {
    status = { ok: false, reason: py.reason };
  } else {
    const probe = spawnSync(py.python, [CROSSCHECK, '--probe'], { encoding: 'utf8' });
    status = probe.status === 0 ? { ok: true, reason: probe.stdout.trim() } : { ok: false, reason: `bloscpack not importable: ${(probe.stderr ?? '').trim().split('\n').pop()}` };
  }
  if (!status.ok) console.warn(`[skip] bloscpack cross-checks need python bloscpack 0.16.0: ${status.reason}`);
  return status;
}
