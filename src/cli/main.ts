/**
 * The `zktensor` command line: one command per file (setup.ts, prove.ts,
 * verify.ts, mock.ts, info.ts, srs.ts, bench.ts), arguments through
 * node:util's parseArgs (args.ts), `--help` per command, `--version`.
 *
 *   zktensor setup  --model M --out DIR          calibrate, compile, keys: settings.json, pk.bin, vk.bin
 *   zktensor prove  --setup DIR --input …        a proof file
 *   zktensor verify --vk DIR/vk.bin proof.json   checks against vk.bin + settings.json only
 *   zktensor mock   --setup DIR --input …        the MockProver, failures by name
 *   zktensor info   --model M                    cost estimate, no proving
 *   zktensor srs    --ptau FILE --out FILE       a ceremony .ptau as halo2 params
 *   zktensor bench  <suite>                      the benchmark suites
 *
 * Exit codes: 0 ok, 1 rejected (verification failed, mock failures),
 * 2 usage or input error (the message names the problem).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphError } from '../models/index.js';
import { type Args, type CommandSpec, parseCommandArgs } from './args.js';
import { BENCH, cmdBench } from './bench.js';
import { type CommandIo, EXIT_OK, EXIT_USAGE } from './common.js';
import { UsageError } from './errors.js';
import { cmdInfo, INFO } from './info.js';
import { cmdMock, MOCK } from './mock.js';
import { cmdProve, PROVE } from './prove.js';
import { cmdSetup, SETUP } from './setup.js';
import { cmdSrs, SRS } from './srs.js';
import { cmdVerify, VERIFY } from './verify.js';

export { EXIT_OK, EXIT_REJECTED, EXIT_USAGE } from './common.js';
export { DEV_SRS_SEED } from './srs-source.js';
export type CliIo = CommandIo;

const COMMANDS: readonly [CommandSpec, (args: Args, io: CommandIo) => Promise<number>][] = [
  [SETUP, cmdSetup],
  [PROVE, cmdProve],
  [VERIFY, cmdVerify],
  [MOCK, cmdMock],
  [INFO, cmdInfo],
  [SRS, cmdSrs],
  [BENCH, cmdBench],
];

export function usage(): string {
  const width = Math.max(...COMMANDS.map(([c]) => c.name.length));
  return [
    'usage: zktensor <command> [options]    (zktensor <command> --help for its options)',
    '',
    ...COMMANDS.map(([c]) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'quickstart:',
    '  zktensor setup --model gpt2-tiny --tokens 3 --out keys',
    '  zktensor prove --setup keys --input "the" --out proof.json',
    '  zktensor verify --vk keys/vk.bin proof.json',
    '',
    'exit codes: 0 ok, 1 rejected (verification failed, mock failures), 2 usage or input error',
  ].join('\n');
}

/** The package version, from the package.json above this file (src/cli or dist/cli alike). */
export function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'zktensor' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

const defaultIo = (): CommandIo => ({
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  progress: { isTTY: !!process.stderr.isTTY, columns: process.stderr.columns, write: (t) => void process.stderr.write(t) },
});

/** Run the CLI; returns the exit code. */
export async function runCli(argv: readonly string[], io: CommandIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.err(usage());
    return EXIT_USAGE;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(usage());
    return EXIT_OK;
  }
  if (command === '--version' || command === '-v') {
    io.out(version());
    return EXIT_OK;
  }
  const entry = COMMANDS.find(([c]) => c.name === command);
  try {
    if (!entry) throw new UsageError(`unknown command "${command}": expected one of ${COMMANDS.map(([c]) => c.name).join(', ')}`);
    const [spec, run] = entry;
    const args = parseCommandArgs(spec, rest);
    if (args.flags.has('help')) {
      io.out(spec.help);
      return EXIT_OK;
    }
    return await run(args, io);
  } catch (e) {
    // a progress line may be open on a TTY: end it before the message
    if (io.progress?.isTTY) io.progress.write('\n');
    if (e instanceof UsageError || e instanceof GraphError) {
      io.err(`zktensor: ${e.message}`);
      if (e instanceof UsageError && /unknown command|missing --|Unknown option|argument missing|unexpected argument/.test(e.message)) {
        io.err(entry ? `(zktensor ${entry[0].name} --help for its options)` : usage());
      }
      return EXIT_USAGE;
    }
    io.err(`zktensor: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT_USAGE;
  }
}

// run when executed directly (tsx src/cli/main.ts …)
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await runCli(process.argv.slice(2));
}
