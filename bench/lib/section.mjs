/**
 * A section run alone (`node bench/zarr.mjs`, `node bench/inspector.mjs`, or
 * `node bench/run.mjs --only ...` with some of the sections): printed to the console, and
 * written into RESULTS.md in place of its own earlier section (appended when there is none),
 * its targets' rows updated in the file's "Targets" table, leaving the rest of the file as
 * the last whole run wrote it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine, machineLine } from './machine.mjs';
import { formatMarkdown, formatText } from './table.mjs';
import { ensureExposedGc, DEFAULT_TIMING } from './timing.mjs';

const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A target's result cell: PASS, FAIL, or 'not measured' when its anchor could not run. */
export const verdict = (t) => (t.pass === null ? 'not measured' : t.pass ? 'PASS' : 'FAIL');

/** True when `importMetaUrl` is the script node was started with. */
export function isMainScript(importMetaUrl) {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(importMetaUrl);
}

/** The version of the package installed at `dir`. */
export function packageVersion(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}

/**
 * Run one section as its own script (`node bench/<script>`): options `--target-ms`, `--lib`,
 * `--results`, `--no-write` and the script's own; the section printed, written into the
 * results file in place of its earlier self, and its targets' rows updated in "Targets".
 * `run(opts, timing, log)` returns the section; `versions(rootDir)` names what it measured
 * beside blosc-ts; `describeRun(timing, loadStart, loadEnd, machine)` is the section's run line.
 * `exposeGc` reruns node with --expose-gc (sections that collect before timed calls).
 */
export async function runSectionAlone({ script, defaultTargetMs = '3000', options = {}, exposeGc = true, run, versions = () => ({}), describeRun }) {
  if (exposeGc) ensureExposedGc();
  const { values: opts } = parseArgs({
    options: Object.assign({
      'target-ms': { type: 'string', default: defaultTargetMs },
      lib: { type: 'string', default: join(rootDir, 'dist', 'index.js') },
      results: { type: 'string', default: join(rootDir, 'bench', 'RESULTS.md') },
      'no-write': { type: 'boolean', default: false },
    }, options),
  });
  const timing = Object.assign({}, DEFAULT_TIMING, { targetMs: Number(opts['target-ms']) });
  const log = (line) => console.error(line);
  const loadStart = os.loadavg()[0];
  const section = await run(opts, timing, log);
  const loadEnd = os.loadavg()[0];
  const head = spawnSync('git', ['-C', rootDir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  const machine = describeMachine(Object.assign({
    'blosc-ts': `${packageVersion(rootDir)}${head.status === 0 ? ` (git ${head.stdout.trim()})` : ''}`,
  }, versions(rootDir)));
  printSection(section, machine, loadStart, loadEnd);
  if (opts['no-write']) return;
  writeSection(opts.results, section, machine, `Run alone (\`node bench/${script}\`). ${describeRun(timing, loadStart, loadEnd, machine)}`);
  updateTargets(opts.results, section.targets, ` (run alone ${machine.date.slice(0, 10)})`);
  log(`updated ${opts.results}`);
}

/** The section on the console: machine line, tables, targets, notes, load. */
export function printSection(section, machine, loadStart, loadEnd) {
  console.log(`\n${machineLine(machine)}\n`);
  console.log(`== ${section.title} ==`);
  for (const table of section.tables) console.log(`${formatText(table)}\n`);
  for (const t of section.targets) console.log(`${verdict(t)}  ${t.name}: ${t.value}`);
  for (const note of section.notes) console.log(`note: ${note}`);
  console.log(`load average ${loadStart.toFixed(2)} → ${loadEnd.toFixed(2)}`);
}

/** Write the section into the results file at `path`; `runLine` says how it was run and under what load. */
export function writeSection(path, section, machine, runLine) {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '# blosc-ts benchmark results\n\n';
  }
  const md = [`## ${section.title}`, ''];
  md.push(`**Machine:** ${machineLine(machine)}`, '');
  md.push(runLine, '');
  md.push(section.description, '');
  for (const table of section.tables) md.push(formatMarkdown(table), '');
  md.push(formatMarkdown({
    columns: [{ title: 'target', align: 'left' }, { title: 'measured' }, { title: 'result', align: 'left' }],
    rows: section.targets.map((t) => [t.name, t.value, verdict(t)]),
  }), '');
  for (const note of section.notes) md.push(`- ${note}`);
  const block = md.join('\n').trimEnd() + '\n';
  const heading = `## ${section.title}`;
  const at = text.indexOf(heading);
  let out;
  if (at < 0) {
    out = `${text.trimEnd()}\n\n${block}`;
  } else {
    const next = text.indexOf('\n## ', at + heading.length);
    out = `${text.slice(0, at)}${block}${next < 0 ? '' : `\n${text.slice(next + 1)}`}`;
  }
  writeFileSync(path, out);
}

/**
 * Replace, in the "## Targets" table of the results file at `path`, the rows of these
 * targets (matched by name), appending the ones it does not have; `suffix` is added to
 * each new measured cell (e.g. where and when it was measured). No table: nothing to do.
 */
export function updateTargets(path, targets, suffix = '') {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  const at = text.indexOf('\n## Targets\n');
  if (at < 0 || targets.length === 0) return;
  const tableStart = text.indexOf('\n|', at + 1);
  let tableEnd = tableStart + 1;
  while (text.startsWith('|', tableEnd)) tableEnd = text.indexOf('\n', tableEnd) + 1;
  const lines = text.slice(tableStart + 1, tableEnd).split('\n').filter((l) => l.length > 0);
  const row = (t) => `| ${t.name} | ${t.value}${suffix} | ${verdict(t)} |`;
  for (const t of targets) {
    const i = lines.findIndex((l, k) => k >= 2 && l.startsWith(`| ${t.name} |`));
    if (i >= 0) lines[i] = row(t);
    else lines.push(row(t));
  }
  writeFileSync(path, `${text.slice(0, tableStart + 1)}${lines.join('\n')}\n${text.slice(tableEnd)}`);
}
