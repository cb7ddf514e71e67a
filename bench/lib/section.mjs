/**
 * A section run alone (`node bench/zarr.mjs`, `node bench/inspector.mjs`, or
 * `node bench/run.mjs --only ...` with some of the sections): printed to the console, and
 * written into RESULTS.md in place of its own earlier section (appended when there is none),
 * its targets' rows updated in the file's "Targets" table, leaving the rest of the file as
 * the last whole run wrote it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { machineLine } from './machine.mjs';
import { formatMarkdown, formatText } from './table.mjs';

const verdict = (t) => (t.pass === null ? 'not measured' : t.pass ? 'PASS' : 'FAIL');

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
