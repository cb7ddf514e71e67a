/**
 * The one progress bar of the command line: a line on stderr, redrawn as work advances.
 * Shown for inputs of at least {@link PROGRESS_MIN_BYTES} when stderr is a terminal, or
 * always with `--progress`; never with `--no-progress`.
 */

/** Inputs at least this large get a progress bar when stderr is a terminal. */
export const PROGRESS_MIN_BYTES = 4 << 20;

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(s: string): unknown;
}

export interface ProgressBar {
  /** `done` of `total` units (chunks or bytes, as the bar was made for). */
  update(done: number, total: number): void;
  /** End the line (only if something was drawn). */
  done(): void;
}

const MIB = 2 ** 20;

/**
 * A bar for work on `bytes` input bytes, or undefined when none is to be shown (then
 * nothing is printed at all). `force`: true to show it whatever the size and stream, false
 * never to, undefined to decide by size and terminal. `unit` names what update() counts.
 */
export function progressBar(
  label: string, bytes: number, force: boolean | undefined, stream: ProgressStream = process.stderr, unit: 'chunks' | 'bytes' = 'bytes',
): ProgressBar | undefined {
  if (force === false) return undefined;
  if (force !== true && (stream.isTTY !== true || bytes < PROGRESS_MIN_BYTES)) return undefined;
  const width = 30;
  let drawn = -1;
  const amount = (n: number): string => (unit === 'bytes' ? (n / MIB).toFixed(1) : String(n));
  return {
    update(done: number, total: number): void {
      if (total <= 0) return;
      const filled = Math.round((width * Math.min(done, total)) / total);
      if (filled === drawn && done !== total) return;
      drawn = filled;
      const pct = Math.floor((100 * done) / total);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${amount(done)}/${amount(total)} ${unit === 'bytes' ? 'MiB' : 'chunks'}`);
    },
    done(): void {
      if (drawn >= 0) stream.write('\n');
    },
  };
}
