/**
 * Result tables: one structure, printed as aligned text on the console and as Markdown in
 * RESULTS.md.
 *
 * A table is { caption?: string, columns: Column[], rows: Cell[][] } where a Column is
 * { title, align?: 'left' | 'right' } and a Cell is a string, a number, or null (shown "–").
 * `strong` (optional) lists row indices whose label cells (the left-aligned ones) are
 * bold in Markdown, e.g. summary rows.
 */

/** MB/s with thousands separators: 3 significant digits below 100, none above. */
export function fmtMBps(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** A speed ratio such as "1.52×". */
export function fmtRatio(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

/** A percentage such as "27%". */
export function fmtPercent(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)}%`;
}

/** Compression ratio nbytes / cbytes. */
export function fmtCompressionRatio(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value >= 100 ? Math.round(value).toString() : value.toPrecision(3);
}

/** Geometric mean of the finite positive values, or null when there are none. */
export function geomean(values) {
  const usable = values.filter((v) => typeof v === 'number' && Number.isFinite(v) && v > 0);
  if (usable.length === 0) return null;
  return Math.exp(usable.reduce((sum, v) => sum + Math.log(v), 0) / usable.length);
}

function cellText(cell) {
  if (cell === null || cell === undefined) return '–';
  return typeof cell === 'number' ? String(cell) : cell;
}

/** Aligned plain text, for the console. */
export function formatText(table) {
  const head = table.columns.map((c) => c.title);
  const body = table.rows.map((row) => row.map(cellText));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells) =>
    cells
      .map((cell, i) => (table.columns[i].align === 'left' ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [];
  if (table.caption) out.push(table.caption);
  out.push(line(head), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) out.push(line(row));
  return out.join('\n');
}

/** A GitHub-flavoured Markdown table (caption as a paragraph above it). */
export function formatMarkdown(table) {
  const esc = (s) => s.replace(/\|/g, '\\|');
  const out = [];
  if (table.caption) out.push(table.caption, '');
  out.push(`| ${table.columns.map((c) => esc(c.title)).join(' | ')} |`);
  out.push(`|${table.columns.map((c) => (c.align === 'left' ? ':---' : '---:')).join('|')}|`);
  const strong = new Set(table.strong ?? []);
  table.rows.forEach((row, r) => {
    const cells = row.map((cell, i) => {
      const text = esc(cellText(cell));
      return strong.has(r) && table.columns[i].align === 'left' ? `**${text}**` : text;
    });
    out.push(`| ${cells.join(' | ')} |`);
  });
  return out.join('\n');
}
