/**
 * The command line's option parser. Each command declares its options in a table
 * ({@link OptionSpec}: name, kind, help); the parser checks names and values against it,
 * so a new option is one more row, and the usage text is generated from the same rows.
 */

/**
 * How an option's value is read:
 * - flag: no value;
 * - string, int: as written (int: a decimal integer);
 * - size: bytes, with an optional binary suffix ({@link parseSize});
 * - shape: a comma-separated list of non-negative integers (`10,20`).
 */
export type OptionKind = 'flag' | 'string' | 'int' | 'size' | 'shape';

export interface OptionSpec {
  /** Long name, without the dashes. */
  readonly name: string;
  readonly kind: OptionKind;
  /** Placeholder for the value in the usage text (`N`, `SIZE`, `NAME`). */
  readonly value?: string;
  readonly help: string;
}

export type OptionValue = true | string | number | number[];

/** A usage error: one line saying what is wrong (the caller adds where to look for help). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * A byte count: plain bytes (`65536`) or a number with a binary suffix, K = 1024
 * (`64K`, `4M`, `1.5M`, `1G`; `KB`, `KiB`, `k` are the same as `K`), as bloscpack's
 * `--chunk-size` reads them. The result must be a whole number of bytes.
 */
export function parseSize(text: string, what = 'size'): number {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:i?B)?|(B))?$/i.exec(text.trim());
  if (m === null) throw new UsageError(`${what} takes a size (bytes, or with a suffix: 64K, 4M, 1G), got '${text}'`);
  const unit = (m[2] ?? m[3] ?? '').toUpperCase();
  const bytes = Number(m[1]) * SIZE_UNITS[unit]!;
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`${what} must be a whole number of bytes, got '${text}'`);
  return bytes;
}

function parseValue(spec: OptionSpec, text: string): OptionValue {
  const what = `--${spec.name}`;
  switch (spec.kind) {
    case 'int':
      if (!/^-?\d+$/.test(text)) throw new UsageError(`${what} takes an integer, got '${text}'`);
      return Number(text);
    case 'size':
      return parseSize(text, what);
    case 'shape':
      if (!/^\d+(,\d+)*$/.test(text)) throw new UsageError(`${what} takes a comma-separated list of sizes (e.g. ${what} 10,20), got '${text}'`);
      return text.split(',').map(Number);
    default:
      return text;
  }
}

/** The options of one command line, checked and converted. */
export class ParsedOptions {
  constructor(private readonly values: ReadonlyMap<string, OptionValue>) {}

  has(name: string): boolean {
    return this.values.has(name);
  }
  string(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }
  /** An int or size option. */
  number(name: string): number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : undefined;
  }
  shape(name: string): number[] | undefined {
    const v = this.values.get(name);
    return Array.isArray(v) ? v : undefined;
  }
  names(): string[] {
    return [...this.values.keys()];
  }
}

export interface ParsedArgs {
  readonly positional: string[];
  readonly options: ParsedOptions;
}

/**
 * Parse `argv` against `specs`: `--name value`, `--name=value`, `--flag`, and `--` to end
 * the options. `aliases` maps short forms (`-h`) to long names. Unknown options and bad
 * values are UsageErrors.
 */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], aliases: ReadonlyMap<string, string> = new Map()): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s] as const));
  const positional: string[] = [];
  const values = new Map<string, OptionValue>();
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    if (raw === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const arg = aliases.get(raw) ?? raw;
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = byName.get(name);
    if (spec === undefined) throw new UsageError(`unknown option --${name}`);
    if (spec.kind === 'flag') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      values.set(name, true);
      continue;
    }
    let text: string;
    if (eq >= 0) {
      text = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`--${name} needs a value (${spec.value ?? 'VALUE'})`);
      text = next;
      i++;
    }
    values.set(name, parseValue(spec, text));
  }
  return { positional, options: new ParsedOptions(values) };
}

/** Usage lines for a table of options, aligned. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const heads = specs.map((s) => `--${s.name}${s.kind === 'flag' ? '' : ` ${s.value ?? 'VALUE'}`}`);
  const width = Math.max(0, ...heads.map((h) => h.length));
  return specs.map((s, i) => `  ${heads[i]!.padEnd(width)}  ${s.help}`).join('\n');
}
