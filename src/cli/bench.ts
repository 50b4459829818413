/**
 * `zktensor bench <suite> [--json] [--quick]`: runs bench/run.ts (the
 * benchmark suites of docs/benchmarks.md) in a child process through tsx, streaming its output.
 * The suite name is checked here, against bench/suites/, so a typo exits 2
 * before anything starts.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Args, CommandSpec } from './args.js';
import type { CommandIo } from './common.js';
import { UsageError } from './errors.js';

export const BENCH: CommandSpec = {
  name: 'bench',
  summary: 'the benchmark suites (bench/run.ts; from a source checkout)',
  help: 'usage: zktensor bench <suite> [--json] [--quick]\n\n  suites: the files of bench/suites (field, ntt, msm, prove, models)',
  options: { json: 'boolean', quick: 'boolean' },
  positionals: 2,
};

/** The package root (holds bench/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export function benchSuites(): string[] {
  try {
    return readdirSync(join(packageRoot(), 'bench', 'suites'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3))
      .sort();
  } catch {
    return [];
  }
}

export async function cmdBench(args: Args, io: CommandIo): Promise<number> {
  const suites = benchSuites();
  if (suites.length === 0) throw new UsageError('bench: no bench/ folder next to this zktensor (benchmarks run from a source checkout)');
  const [suite, ...extra] = args.positional;
  if (!suite) throw new UsageError(`bench: expected a suite, one of ${suites.join(', ')}`);
  if (extra.length) throw new UsageError(`bench: expected one suite, got ${args.positional.join(' ')}`);
  if (!suites.includes(suite)) throw new UsageError(`bench: unknown suite "${suite}": expected one of ${suites.join(', ')}`);
  const root = packageRoot();
  const tsxCli = createRequire(join(root, 'package.json')).resolve('tsx/cli');
  const argv = [tsxCli, join(root, 'bench', 'run.ts'), suite, ...(args.flags.has('json') ? ['--json'] : []), ...(args.flags.has('quick') ? ['--quick'] : [])];
  const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = (stream: NodeJS.ReadableStream, emit: (l: string) => void) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        emit(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    stream.on('end', () => buf && emit(buf));
  };
  lines(child.stdout!, (l) => io.out(l));
  lines(child.stderr!, (l) => io.err(l));
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => res(code ?? (signal ? 1 : 0)));
  });
}
