/**
 * The inspector page: open a Blosc file (picker, drop, URL) or folder, show its header,
 * metalayers, pipeline and chunk map, the blocks and streams of a chunk, and for arrays a
 * plane viewer or a line plot. Everything runs in the page (and the library's workers);
 * the file is read through `BlobSource`/`HttpRangeSource` and sent nowhere.
 */
import { BlobSource, chunkBlocks, chunkInfo, errorCodeName, isBloscError } from '../index.js';
import { bytesText, chunkPipeline, openFolder, openSource, openUrl, type ArrayModel, type Field, type Folder, type Opened } from './model.js';
import { decodeChunk, readRegion, valueReader, type RegionStats } from './region.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
/** Workers for chunks decoded whole (the library decodes small chunks on the page's thread anyway). */
const NTHREADS = Math.max(2, Math.min(4, navigator.hardwareConcurrency || 2));
/** Largest run of a 1-D array drawn at once. */
const LINE_WINDOW = 1 << 20;

/** Bumped on every open, so late answers for an earlier file are dropped. */
let generation = 0;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** An error, as the user should see it: a BloscError's code and where it happened. */
export function errorBox(where: string, e: unknown): HTMLElement {
  const box = el('div', { class: 'error' });
  if (isBloscError(e)) {
    const at: string[] = [];
    if (e.chunk !== undefined) at.push(`chunk ${e.chunk}`);
    if (e.block !== undefined) at.push(`block ${e.block}`);
    if (e.offset !== undefined) at.push(`offset ${e.offset}`);
    box.dataset.code = errorCodeName(e.code);
    box.textContent = `${where}: BloscError ${errorCodeName(e.code)} (${e.code})${at.length > 0 ? ` at ${at.join(', ')}` : ''}: ${e.message}`;
  } else {
    box.textContent = `${where}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
  return box;
}

function fillTable(table: HTMLElement, fields: readonly Field[]): void {
  table.replaceChildren(...fields.map((f) => {
    const tr = el('tr', { 'data-field': f.name });
    tr.append(el('th', {}, f.name), el('td', {}, f.value));
    return tr;
  }));
  if (fields.length === 0) table.replaceChildren(el('tr', {}, '(none)'));
}

function setStatus(s: string): void {
  $('status').textContent = s;
}

function ratioColour(ratio: number): string {
  if (!Number.isFinite(ratio)) return '#8a94a6';
  const t = Math.max(0, Math.min(1, Math.log2(Math.max(1, ratio)) / 6));
  return `hsl(${Math.round(t * 125)}, 65%, ${42 + t * 6}%)`;
}

/** Cells drawn in the chunk map (the totals count every chunk). */
const MAX_MAP_CELLS = 20_000;

const SPECIAL_MARK: Record<string, string> = { zeros: 'Z', nan: 'N', value: 'V', uninit: 'U', missing: '·' };

async function show(open: () => Promise<Opened>, label: string): Promise<void> {
  const gen = ++generation;
  document.body.dataset.state = 'opening';
  setStatus(`opening ${label}…`);
  for (const id of ['header-section', 'pipeline-section', 'map-section', 'chunk-section', 'array-section']) $(id).hidden = true;
  $('errors').replaceChildren();
  $('title').textContent = label;
  $('kind').textContent = '';
  let opened: Opened;
  try {
    opened = await open();
  } catch (e) {
    if (gen !== generation) return;
    $('kind').textContent = 'cannot be opened';
    $('errors').append(errorBox('opening', e));
    document.body.dataset.state = 'error';
    setStatus('');
    return;
  }
  if (gen !== generation) return;
  $('title').textContent = opened.name;
  $('kind').textContent = `${opened.kind}, ${bytesText(opened.size)}`;
  $('kind').dataset.kind = opened.kind;
  for (const p of opened.problems) $('errors').append(errorBox(p.where, p.error));
  fillTable($('header-fields'), opened.header);
  fillTable($('pipeline'), opened.pipeline);
  fillTable($('metalayers'), opened.metalayers);
  fillTable($('vlmeta'), opened.vlmeta);
  $('header-section').hidden = false;
  $('pipeline-section').hidden = false;
  renderMap(opened);
  document.body.dataset.state = 'ready';
  setStatus('');
  if (opened.array !== null) await setupArray(opened.array, gen);
}

function renderMap(o: Opened): void {
  const map = $('chunk-map');
  let nbytes = 0;
  let cbytes = 0;
  let specials = 0;
  let missing = 0;
  let unknown = false;
  const cells = o.cells.slice(0, MAX_MAP_CELLS).map((c) => {
    const d = el('div', { class: 'cell', 'data-index': String(c.index) });
    if (c.special === 'missing') {
      d.classList.add('missing');
    } else if (c.special !== null) {
      d.classList.add('special');
    } else {
      d.style.background = ratioColour(c.nbytes / c.cbytes);
    }
    if (c.special !== null) {
      d.dataset.special = c.special;
      d.textContent = SPECIAL_MARK[c.special] ?? 'S';
    }
    const ratio = c.special === null && Number.isFinite(c.nbytes / c.cbytes) ? `, ratio ${(c.nbytes / c.cbytes).toFixed(2)}×` : '';
    d.title = `chunk ${c.index}: ${c.special ?? 'data'}, ${Number.isFinite(c.nbytes) ? c.nbytes : '?'} bytes → ${Number.isFinite(c.cbytes) ? c.cbytes : '?'} stored${ratio}`;
    d.addEventListener('click', () => void showChunk(o, c.index));
    return d;
  });
  map.replaceChildren(...cells);
  if (o.cells.length > MAX_MAP_CELLS) map.append(el('div', { class: 'legend' }, `… the first ${MAX_MAP_CELLS} of ${o.cells.length} chunks are drawn`));
  for (const c of o.cells) {
    if (Number.isFinite(c.nbytes)) nbytes += c.nbytes;
    else unknown = true;
    if (Number.isFinite(c.cbytes)) cbytes += c.cbytes;
    else if (c.special !== 'missing') unknown = true;
    if (c.special === 'missing') missing++;
    else if (c.special !== null) specials++;
  }
  const totals = $('chunk-totals');
  totals.dataset.nchunks = String(o.cells.length);
  totals.textContent = `${o.cells.length} chunks (${specials} special${missing > 0 ? `, ${missing} missing` : ''}), ${bytesText(nbytes)} → ${bytesText(cbytes)} stored${cbytes > 0 ? `, ratio ${(nbytes / cbytes).toFixed(2)}×` : ''}${unknown ? ' (some sizes known only once read)' : ''}`;
  $('map-section').hidden = false;
}

async function showChunk(o: Opened, i: number): Promise<void> {
  $('chunk-map').querySelectorAll('.selected').forEach((c) => c.classList.remove('selected'));
  $('chunk-map').querySelector(`[data-index="${i}"]`)?.classList.add('selected');
  const detail = $('chunk-detail');
  $('chunk-title').textContent = `Chunk ${i}`;
  detail.replaceChildren(el('div', {}, 'reading…'));
  detail.dataset.chunk = String(i);
  detail.dataset.state = 'busy';
  $('chunk-section').hidden = false;
  const parts: HTMLElement[] = [];
  try {
    const chunk = await o.chunk(i);
    if (chunk === null) {
      parts.push(el('div', {}, 'missing: no chunk file, every element is the fill value'));
    } else {
      const info = chunkInfo(chunk);
      const t = el('table', { id: 'chunk-fields' });
      fillTable(t, [
        { name: 'format', value: info.version <= 2 ? `Blosc1 (version ${info.version})` : `Blosc2 (version ${info.version})` },
        { name: 'nbytes', value: String(info.nbytes) },
        { name: 'cbytes', value: String(info.cbytes) },
        { name: 'ratio', value: info.cbytes > 0 ? `${(info.nbytes / info.cbytes).toFixed(2)}×` : '-' },
        { name: 'typesize', value: String(info.typesize) },
        { name: 'blocksize', value: String(info.blocksize) },
        { name: 'nblocks', value: String(info.nblocks) },
        { name: 'special', value: info.special ?? 'no' },
        { name: 'memcpyed', value: info.memcpyed ? 'yes' : 'no' },
        ...chunkPipeline(chunk),
      ]);
      parts.push(t);
      try {
        parts.push(blocksTable(chunk));
      } catch (e) {
        parts.push(errorBox(`chunk ${i} blocks`, e));
      }
      try {
        const out = await decodeChunk(chunk, NTHREADS);
        parts.push(el('div', { class: 'ok' }, `decodes to ${out.length} bytes`));
      } catch (e) {
        parts.push(errorBox(`decoding chunk ${i}`, e));
      }
    }
  } catch (e) {
    parts.push(errorBox(`reading chunk ${i}`, e));
  }
  if (detail.dataset.chunk !== String(i)) return;
  // A chunk that failed stays marked in the map.
  if (parts.some((p) => p.classList.contains('error'))) {
    const cell = $('chunk-map').querySelector(`[data-index="${i}"]`) as HTMLElement | null;
    cell?.classList.add('corrupt');
    if (cell !== null) cell.textContent = '!';
  }
  detail.replaceChildren(...parts);
  detail.dataset.state = 'ready';
}

const STREAM_COLOURS: Record<string, string> = { codec: '#3b6fd8', raw: '#d88a3b', zeros: '#8a94a6', run: '#9b59b6' };
const MAX_BLOCK_ROWS = 512;

function blocksTable(chunk: Uint8Array): HTMLElement {
  const blocks = chunkBlocks(chunk);
  const wrap = el('div');
  wrap.append(el('h2', {}, `Blocks (${blocks.length})`));
  if (blocks.length === 0) {
    wrap.append(el('div', {}, 'no blocks: the header alone says what the chunk holds'));
    return wrap;
  }
  const t = el('table', { id: 'blocks' });
  const head = el('tr');
  for (const h of ['block', 'start', 'stored', 'decoded', 'ratio', 'streams (stored bytes)', '']) head.append(el('th', {}, h));
  t.append(head);
  const widest = Math.max(...blocks.map((b) => b.cbytes));
  for (const b of blocks.slice(0, MAX_BLOCK_ROWS)) {
    const tr = el('tr', { 'data-block': String(b.index) });
    const bar = el('div', { class: 'bar' });
    bar.style.width = `${Math.max(4, (b.cbytes / widest) * 240)}px`;
    for (const s of b.streams) {
      const span = el('span');
      span.style.flex = String(Math.max(s.cbytes, 1));
      span.style.background = STREAM_COLOURS[s.kind] ?? '#333';
      span.title = `${s.kind}: ${s.cbytes} → ${s.nbytes} bytes at ${s.offset}`;
      bar.append(span);
    }
    const streams = b.streams.map((s) => (s.kind === 'codec' ? String(s.cbytes) : `${s.kind}`)).join(' ');
    tr.append(
      el('td', {}, String(b.index)), el('td', {}, String(b.start)), el('td', {}, String(b.cbytes)), el('td', {}, String(b.nbytes)),
      el('td', {}, `${(b.nbytes / Math.max(1, b.cbytes)).toFixed(2)}×`), el('td', {}, `${b.split ? `${b.streams.length} split: ` : ''}${streams}`), el('td', {}, ''),
    );
    tr.lastElementChild!.append(bar);
    t.append(tr);
  }
  wrap.append(t);
  if (blocks.length > MAX_BLOCK_ROWS) wrap.append(el('div', {}, `… and ${blocks.length - MAX_BLOCK_ROWS} more blocks`));
  wrap.append(el('div', { class: 'legend' }, 'Streams: blue codec output, orange stored raw, grey zero run, purple run of one byte value.'));
  return wrap;
}

// ---------------------------------------------------------------------------------------
// Arrays: a plane viewer for n ≥ 2 dimensions, a line plot for 1.

interface PlaneState {
  arr: ArrayModel;
  /** Index of every axis that is not drawn. */
  index: number[];
  values: Float64Array | null;
  rows: number;
  cols: number;
  /** 1-D: first element of the drawn window. */
  start: number;
}

let plane: PlaneState | null = null;

async function setupArray(arr: ArrayModel, gen: number): Promise<void> {
  const fields: Field[] = [
    { name: 'shape', value: `[${arr.shape.join(', ')}]` },
    { name: 'chunks', value: `[${arr.chunks.join(', ')}]` },
    { name: 'blocks', value: arr.blocks === null ? '(whole chunks)' : `[${arr.blocks.join(', ')}]` },
    { name: 'dtype', value: arr.dtype },
    { name: 'itemsize', value: String(arr.itemsize) },
  ];
  fillTable($('array-fields'), fields);
  $('array-section').hidden = false;
  $('array-error').replaceChildren();
  const axes = $('axes');
  axes.replaceChildren();
  const nd = arr.shape.length;
  plane = { arr, index: arr.shape.map(() => 0), values: null, rows: 0, cols: 0, start: 0 };
  if (valueReader(arr.dtype) === null) {
    $('array-error').append(el('div', {}, `dtype ${arr.dtype} is not drawn (not a number type)`));
    return;
  }
  if (arr.shape.some((n) => n === 0) || nd === 0) {
    $('array-error').append(el('div', {}, nd === 0 ? 'a 0-d array: one value, nothing to draw' : 'the array is empty'));
    return;
  }
  const sliders = nd >= 2 ? arr.shape.slice(0, nd - 2) : arr.shape[0]! > LINE_WINDOW ? [arr.shape[0]!] : [];
  sliders.forEach((n, a) => {
    const label = el('label', {}, nd >= 2 ? `axis ${a} ` : 'window start ');
    const input = el('input', { type: 'range', min: '0', max: String(nd >= 2 ? n - 1 : n - 1), value: '0', step: nd >= 2 ? '1' : String(LINE_WINDOW), 'data-axis': String(a), class: 'axis-slider' });
    const out = el('output', {}, '0');
    input.addEventListener('input', () => {
      out.textContent = input.value;
      if (plane === null) return;
      if (nd >= 2) plane.index[a] = Number(input.value);
      else plane.start = Number(input.value);
      void drawArray(gen, true);
    });
    label.append(input, el('span', {}, ' '), out, el('span', {}, ` / ${n - 1}`));
    axes.append(label);
  });
  await drawArray(gen, true);
}

let drawing = Promise.resolve();

/** Read and draw the current plane (or window); queued so a fast slider never overlaps reads. */
function drawArray(gen: number, autorange: boolean): Promise<void> {
  drawing = drawing.then(() => drawNow(gen, autorange)).catch(() => undefined);
  return drawing;
}

async function drawNow(gen: number, autorange: boolean): Promise<void> {
  if (plane === null || gen !== generation) return;
  const p = plane;
  const { arr } = p;
  const nd = arr.shape.length;
  const lo = nd >= 2 ? arr.shape.map((_, a) => (a < nd - 2 ? p.index[a]! : 0)) : [p.start];
  const hi = nd >= 2 ? arr.shape.map((n, a) => (a < nd - 2 ? p.index[a]! + 1 : n)) : [Math.min(arr.shape[0]!, p.start + LINE_WINDOW)];
  const key = JSON.stringify(lo);
  document.body.dataset.plane = 'busy';
  $('array-error').replaceChildren();
  const stats: RegionStats = { chunks: 0, wholeChunks: 0, blocks: 0, blocksInChunks: 0 };
  const t0 = performance.now();
  try {
    p.values = await readRegion(arr, lo, hi, NTHREADS, stats);
  } catch (e) {
    if (gen !== generation) return;
    p.values = null;
    $('array-error').append(errorBox(`reading ${nd >= 2 ? 'the plane' : 'the values'} at ${key}`, e));
    document.body.dataset.plane = 'error';
    return;
  }
  if (gen !== generation || plane !== p) return;
  const ms = performance.now() - t0;
  p.rows = nd >= 2 ? arr.shape[nd - 2]! : 1;
  p.cols = nd >= 2 ? arr.shape[nd - 1]! : hi[0]! - lo[0]!;
  if (autorange) autoRange(p.values);
  $('plane-stats').textContent = `${nd >= 2 ? `plane ${p.rows} × ${p.cols}` : `${p.cols} values`} from ${stats.chunks} chunk(s): ${stats.blocks} block(s) decoded one by one, ${stats.wholeChunks} chunk(s) decoded whole (workers: ${NTHREADS}), of ${stats.blocksInChunks} block(s) in those chunks; ${ms.toFixed(1)} ms`;
  render();
  const canvas = nd >= 2 ? $('plane') : $('plot');
  canvas.dataset.key = key;
  document.body.dataset.plane = 'ready';
}

function autoRange(values: Float64Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) {
    min = 0;
    max = 1;
  }
  ($('vmin') as HTMLInputElement).value = String(min);
  ($('vmax') as HTMLInputElement).value = String(max);
}

/** viridis, sampled at 9 points (matplotlib's table), interpolated linearly. */
const VIRIDIS = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

function colour(t: number, map: string, out: Uint8ClampedArray, o: number): void {
  if (Number.isNaN(t)) {
    out[o] = 255; out[o + 1] = 0; out[o + 2] = 255; out[o + 3] = 255;
    return;
  }
  const x = Math.max(0, Math.min(1, t));
  if (map === 'gray') {
    const g = Math.round(x * 255);
    out[o] = g; out[o + 1] = g; out[o + 2] = g; out[o + 3] = 255;
    return;
  }
  const f = x * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(f));
  const u = f - k;
  const a = VIRIDIS[k]!;
  const b = VIRIDIS[k + 1]!;
  for (let c = 0; c < 3; c++) out[o + c] = Math.round(a[c]! + (b[c]! - a[c]!) * u);
  out[o + 3] = 255;
}

function range(): [number, number] {
  const min = Number(($('vmin') as HTMLInputElement).value);
  const max = Number(($('vmax') as HTMLInputElement).value);
  return [min, max];
}

function render(): void {
  const p = plane;
  if (p === null || p.values === null) return;
  const [min, max] = range();
  const span = max > min ? max - min : 1;
  const map = ($('colormap') as HTMLSelectElement).value;
  if (p.arr.shape.length >= 2) {
    const canvas = $('plane') as HTMLCanvasElement;
    $('plot').hidden = true;
    canvas.hidden = false;
    canvas.width = p.cols;
    canvas.height = p.rows;
    canvas.style.width = `${Math.min(900, Math.max(p.cols, Math.min(512, p.cols * 16)))}px`;
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(p.cols, p.rows);
    const v = p.values;
    for (let i = 0; i < v.length; i++) colour((v[i]! - min) / span, map, img.data, i * 4);
    ctx.putImageData(img, 0, 0);
  } else {
    const canvas = $('plot') as HTMLCanvasElement;
    $('plane').hidden = true;
    canvas.hidden = false;
    const ctx = canvas.getContext('2d')!;
    const w = canvas.width;
    const h = canvas.height;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = '#3b6fd8';
    ctx.beginPath();
    const v = p.values;
    const y = (x: number): number => h - 4 - ((x - min) / span) * (h - 8);
    if (v.length <= w) {
      for (let i = 0; i < v.length; i++) {
        const px = v.length === 1 ? w / 2 : (i / (v.length - 1)) * (w - 1);
        if (i === 0) ctx.moveTo(px, y(v[i]!));
        else ctx.lineTo(px, y(v[i]!));
      }
    } else {
      // More values than pixels: the min-max envelope of each pixel column.
      for (let px = 0; px < w; px++) {
        const a = Math.floor((px * v.length) / w);
        const b = Math.max(a + 1, Math.floor(((px + 1) * v.length) / w));
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = a; i < b; i++) {
          lo = Math.min(lo, v[i]!);
          hi = Math.max(hi, v[i]!);
        }
        // One path through every column's range, so flat runs are drawn too.
        if (px === 0) ctx.moveTo(px + 0.5, y(v[a]!));
        ctx.lineTo(px + 0.5, y(lo));
        ctx.lineTo(px + 0.5, y(hi));
        ctx.lineTo(px + 0.5, y(v[b - 1]!));
      }
    }
    ctx.stroke();
  }
}

function pointer(ev: MouseEvent): void {
  const p = plane;
  if (p === null || p.values === null) return;
  const canvas = ev.currentTarget as HTMLCanvasElement;
  const r = canvas.getBoundingClientRect();
  const nd = p.arr.shape.length;
  if (nd >= 2) {
    const col = Math.min(p.cols - 1, Math.floor(((ev.clientX - r.left) / r.width) * p.cols));
    const row = Math.min(p.rows - 1, Math.floor(((ev.clientY - r.top) / r.height) * p.rows));
    const idx = [...p.index.slice(0, nd - 2), row, col];
    $('pointer-value').textContent = `[${idx.join(', ')}] = ${p.values[row * p.cols + col]}`;
  } else {
    const i = Math.min(p.values.length - 1, Math.floor(((ev.clientX - r.left) / r.width) * p.values.length));
    $('pointer-value').textContent = `[${p.start + i}] = ${p.values[i]}`;
  }
}

// ---------------------------------------------------------------------------------------
// Inputs: file picker, folder picker, drop, URL (also ?url=).

function localFolder(files: readonly File[]): Folder {
  // webkitRelativePath is "chosen-folder/sub/path": paths are taken relative to the chosen folder.
  const byPath = new Map<string, File>();
  let name = 'folder';
  for (const f of files) {
    const rel = (f.webkitRelativePath || f.name).split('/');
    if (rel.length > 1) name = rel[0]!;
    byPath.set(rel.length > 1 ? rel.slice(1).join('/') : rel[0]!, f);
  }
  return {
    name,
    knownSize: (path) => byPath.get(path)?.size,
    listed: true,
    async file(path) {
      const f = byPath.get(path);
      return f === undefined ? null : { source: new BlobSource(f), size: f.size };
    },
  };
}

/** Files of a dropped directory, with their paths relative to it. */
async function droppedFolder(entry: FileSystemDirectoryEntry): Promise<Folder> {
  const files: File[] = [];
  const walk = async (dir: FileSystemDirectoryEntry, prefix: string): Promise<void> => {
    const reader = dir.createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const e of batch) {
        if (e.isDirectory) await walk(e as FileSystemDirectoryEntry, `${prefix}${e.name}/`);
        else {
          const f = await new Promise<File>((resolve, reject) => (e as FileSystemFileEntry).file(resolve, reject));
          files.push(new File([f], f.name));
          Object.defineProperty(files[files.length - 1], 'webkitRelativePath', { value: `${entry.name}/${prefix}${e.name}` });
        }
      }
    }
  };
  await walk(entry, '');
  return localFolder(files);
}

function openFile(f: File): void {
  void show(() => openSource(new BlobSource(f), f.name), f.name);
}

function start(): void {
  const fileInput = $('file') as HTMLInputElement;
  fileInput.addEventListener('change', () => {
    const f = fileInput.files?.[0];
    if (f !== undefined) openFile(f);
  });
  const folderInput = $('folder') as HTMLInputElement;
  folderInput.addEventListener('change', () => {
    const files = Array.from(folderInput.files ?? []);
    if (files.length > 0) {
      const folder = localFolder(files);
      void show(() => openFolder(folder), folder.name);
    }
  });
  $('url-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const url = ($('url') as HTMLInputElement).value.trim();
    if (url !== '') void show(() => openUrl(url, location.href), url);
  });
  let depth = 0;
  document.addEventListener('dragenter', (ev) => {
    ev.preventDefault();
    depth++;
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => {
    if (--depth <= 0) document.body.classList.remove('dragging');
  });
  document.addEventListener('dragover', (ev) => ev.preventDefault());
  document.addEventListener('drop', (ev) => {
    ev.preventDefault();
    depth = 0;
    document.body.classList.remove('dragging');
    const item = ev.dataTransfer?.items[0];
    const entry = item?.webkitGetAsEntry?.() ?? null;
    if (entry !== null && entry.isDirectory) {
      void show(async () => openFolder(await droppedFolder(entry as FileSystemDirectoryEntry)), entry.name);
      return;
    }
    const f = ev.dataTransfer?.files[0];
    if (f !== undefined) openFile(f);
  });
  for (const id of ['vmin', 'vmax', 'colormap']) $(id).addEventListener('input', render);
  $('autorange').addEventListener('click', () => {
    if (plane?.values) {
      autoRange(plane.values);
      render();
    }
  });
  for (const id of ['plane', 'plot']) $(id).addEventListener('mousemove', pointer);
  const url = new URLSearchParams(location.search).get('url');
  if (url !== null && url !== '') {
    ($('url') as HTMLInputElement).value = new URL(url, location.href).href;
    void show(() => openUrl(url, location.href), url);
  }
  document.body.dataset.state = document.body.dataset.state ?? 'idle';
}

start();
