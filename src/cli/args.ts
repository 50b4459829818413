/**
 * Command-line arguments through node:util's parseArgs: each command
 * declares its options (strings and booleans), unknown options and missing
 * values are `UsageError`s (exit 2) naming the option, and every command
 * takes `--help`. File reading helpers name the file and the reason.
 */
import { readFileSync } from 'node:fs';
import { parseArgs as nodeParseArgs } from 'node:util';
import { UsageError } from './errors.js';

export type OptionKind = 'string' | 'boolean';

export interface CommandSpec {
  readonly name: string;
  /** One-line summary (for the global usage). */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  readonly options: Readonly<Record<string, OptionKind>>;
  /** Positional arguments accepted (default 0). */
  readonly positionals?: number;
}

export interface Args {
  readonly command: string;
  readonly positional: string[];
  readonly flags: ReadonlyMap<string, string | true>;
}

/** Parse a command's arguments (after the command name) against its spec. */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): Args {
  const options: Record<string, { type: OptionKind }> = { help: { type: 'boolean' } };
  for (const [name, type] of Object.entries(spec.options)) options[name] = { type };
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    // node's messages name the option ("Unknown option '--x'", "Option '--k <value>' argument missing")
    throw new UsageError(`${spec.name}: ${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')}`);
  }
  const flags = new Map<string, string | true>();
  for (const [k, v] of Object.entries(parsed.values)) {
    if (typeof v === 'string') flags.set(k, v);
    else if (v === true) flags.set(k, true);
  }
  const max = spec.positionals ?? 0;
  if (!flags.has('help') && parsed.positionals.length > max) {
    throw new UsageError(`${spec.name}: unexpected argument${parsed.positionals.length - max > 1 ? 's' : ''} ${parsed.positionals.slice(max).map((p) => JSON.stringify(p)).join(' ')}`);
  }
  return { command: spec.name, positional: parsed.positionals, flags };
}

export function flag(args: Args, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function requireFlag(args: Args, name: string, example = ''): string {
  const v = flag(args, name);
  if (v === undefined) throw new UsageError(`${args.command}: missing --${name}${example ? ` (e.g. --${name} ${example})` : ''}`);
  return v;
}

export const has = (args: Args, name: string): boolean => args.flags.has(name);

const reason = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path} (${reason(e)})`);
  }
}

export function readBytes(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path} (${reason(e)})`);
  }
}

/** A positive integer option, or the default. */
export function intFlag(args: Args, name: string, min: number, max: number): number | undefined {
  const raw = flag(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected an integer in ${min}…${max}, got "${raw}"`);
  return n;
}
