/**
 * A section run alone (`node bench/zarr.mjs`, `node bench/inspector.mjs`): printed to the
 * console, and written into RESULTS.md in place of its own earlier section (appended when
 * there is none), leaving the rest of the file as the last whole run wrote it.
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
