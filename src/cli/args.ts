/**
 * Command-line arguments and file reading for the CLI: `--name value`,
 * `--name=value`, boolean flags, positionals; every failure is a
 * `UsageError` (exit 2) that names the flag or file.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './proof-file.js';

export interface Args {
  readonly command: string;
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

const BOOLEAN_FLAGS = new Set(['json', 'trust-vk', 'help', 'no-cache', 'quiet', 'quick']);

export function parseArgs(argv: readonly string[]): Args {
  const [command = 'help', ...rest] = argv;
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (eq > 0) flags.set(name, a.slice(eq + 1));
    else if (BOOLEAN_FLAGS.has(name)) flags.set(name, true);
    else {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, v);
    }
  }
  return { command, positional, flags };
}

export function flag(args: Args, name: string, required = false): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  if (v === undefined && required) throw new UsageError(`${args.command}: missing --${name}`);
  return v;
}

export function checkFlags(args: Args, allowed: readonly string[]): void {
  for (const k of args.flags.keys()) if (!allowed.includes(k)) throw new UsageError(`${args.command}: unknown option --${k}`);
}

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
