/**
 * The `zktensor` command line.
 *
 *   zktensor prove  --model <preset|model.onnx> --input <json|text|@file|file.json> [--out proof.json]
 *                   [--weights w.safetensors] [--dims T=4] [--scale S] [--srs file]
 *                   [--visibility input=public,…] [--cache-dir DIR | --no-cache] [--workers N] [--quiet] [--json]
 *   zktensor verify <proof.json> [--model PATH] [--weights PATH] [--srs file] [--trust-vk]
 *                   [--cache-dir DIR | --no-cache] [--quiet] [--json]
 *   zktensor info   --model <preset|model.onnx> [--tokens N | --input …] [--json]   cost estimate, no proving
 *   zktensor srs    --k N --out <file> [--seed S]       an UNSAFE dev SRS (halo2 params format, k ≤ 24)
 *   zktensor srs    --ptau FILE [--k N] --out <file>    a ceremony .ptau as halo2 params (with its Lagrange basis)
 *   zktensor bench  <suite> [--json] [--quick]          the BENCH.md suites (bench/run.ts)
 *
 * Exit codes: 0 ok, 1 proof rejected, 2 usage or input error (the message
 * names the problem). Keys are cached under .cache/keys (key-cache.ts);
 * progress goes to stderr (progress.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type CostEstimate, getPreset, GraphError, presetNames, type Preset } from '../models/index.js';
import { unsafeDevSrs } from '../pcs/kzg.js';
import { readPtau, type Srs, truncateSrs, writeHalo2Params } from '../pcs/srs.js';
import { lagrangeBasisSrs } from '../pcs/lagrange-srs.js';
import { type Args, checkFlags, flag, parseArgs } from './args.js';
import { cmdBench } from './bench.js';
import { checkLength, inputText, parseJson, parseTokenInput } from './input.js';
import { DEV_SRS_SEED } from './keys.js';
import { compileOnnx, compilePreset, DEFAULT_ONNX_SCALE, isModelFile, loadFile, openOnnx, parseDims, parseOnnxInputs } from './model-source.js';
import type { ProgressSink } from './progress.js';
import { type CommandIo, cmdProve, parseVisibility } from './prove.js';
import { UsageError } from './proof-file.js';
import { cmdVerify } from './verify.js';

export { parseArgs } from './args.js';
export { DEV_SRS_SEED } from './keys.js';

export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Where progress goes (stderr by default); none: no progress. */
  readonly progress?: ProgressSink;
}

const USAGE = `usage:
  zktensor prove  --model <${presetNames().join('|')}|model.onnx> --input <json|text|@file|file.json> [--out proof.json]
                  [--weights w.safetensors] [--dims name=N,…] [--scale S] [--srs file]
                  [--visibility input=public,weights=fixed,output=public] [--cache-dir DIR | --no-cache] [--workers N] [--quiet] [--json]
  zktensor verify <proof.json> [--model PATH] [--weights PATH] [--srs file] [--trust-vk] [--cache-dir DIR | --no-cache] [--quiet] [--json]
  zktensor info   --model <preset|model.onnx> [--tokens N | --input …] [--json]
  zktensor srs    --k N --out <file> [--seed S]
  zktensor srs    --ptau FILE [--k N] --out <file>
  zktensor bench  <suite> [--json] [--quick]`;

function formatCost(c: CostEstimate, header: string[], scale: number): string[] {
  const mb = (b: number) => {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let u = 0;
    while (b >= 1024 && u < units.length - 1) (b /= 1024), u++;
    return `${b.toFixed(1)} ${units[u]}`;
  };
  const time = (s: number) => (s < 120 ? `${s.toFixed(1)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : s < 172800 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86400).toFixed(0)} days`);
  return [
    ...header,
    `quantization: scale 2^${scale}; ${c.parameters} parameters`,
    `rows: ${c.rows} (regions ${c.regionRows}, largest table ${c.tableRows}) → k = ${c.k}`,
    `rows by op: ${Object.entries(c.rowsByOp).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `columns: advice ${c.columns.advice} (committed ${c.columns.committed}), fixed ${c.columns.fixed}, selectors ${c.columns.selectors}, instance ${c.columns.instance}, permutation ${c.columns.permutation}`,
    `gates ${c.gates} (${c.constraints} constraints), lookups ${c.lookups}, degree ${c.degree}, public values ${c.instanceValues}`,
    `estimate (rough, fitted on nanogpt): keygen ${time(c.estimate.keygenSeconds)}, prove ${time(c.estimate.proveSeconds)}, memory ${mb(c.estimate.memoryBytes)}`,
    ...(c.tooLarge ? [`note: ${c.tooLarge}`] : []),
  ];
}

async function cmdInfo(args: Args, io: CliIo): Promise<number> {
  checkFlags(args, ['model', 'tokens', 'input', 'json', 'visibility', 'weights', 'dims', 'scale']);
  const modelArg = flag(args, 'model', true)!;
  const visibility = parseVisibility(flag(args, 'visibility'));
  if (isModelFile(modelArg)) {
    const src = openOnnx(modelArg);
    const raw = flag(args, 'input');
    if (!raw) throw new UsageError('info: an ONNX model needs --input (its quantization is calibrated on the input)');
    const { values, dims } = parseOnnxInputs(src, parseJson(inputText(raw)), parseDims(flag(args, 'dims')));
    const m = compileOnnx(src, dims, visibility, { inputs: values, scale: Number(flag(args, 'scale') ?? DEFAULT_ONNX_SCALE) });
    const header = [`model ${modelArg}: ONNX opset ${src.model.opset}, ${src.model.graph.nodes.length} nodes; dims ${JSON.stringify(dims)}`];
    if (args.flags.has('json')) io.out(JSON.stringify({ ...m.cost, model: modelArg, dims, quant: m.params.quant }));
    else formatCost(m.cost, header, m.params.quant.scale).forEach((l) => io.out(l));
    return EXIT_OK;
  }
  const preset = getPreset(modelArg);
  const rawTokens = flag(args, 'tokens');
  const rawInput = flag(args, 'input');
  if (rawTokens !== undefined && rawInput !== undefined) throw new UsageError('info: give --tokens or --input, not both');
  const input = rawInput === undefined ? undefined : await parseTokenInput(preset, rawInput);
  const tokens = input ? input.ids.length : rawTokens === undefined ? preset.config.context : Number(rawTokens);
  if (!Number.isInteger(tokens) || tokens < 1) throw new UsageError(`--tokens: expected a positive integer, got ${rawTokens}`);
  checkLength(preset, tokens);
  const weightsPath = flag(args, 'weights');
  const m = compilePreset(preset, tokens, visibility, weightsPath ? loadFile(weightsPath, '--weights') : undefined);
  const inputInfo = input ? { tokenIds: input.ids, ...(input.tokenizer ? { tokenizer: input.tokenizer.kind } : {}) } : {};
  if (args.flags.has('json')) io.out(JSON.stringify({ ...m.cost, model: preset.name, config: preset.config, tokens, ...inputInfo, quant: m.params.quant }));
  else formatCost(m.cost, presetHeader(preset, tokens, input?.ids), m.params.quant.scale).forEach((l) => io.out(l));
  return EXIT_OK;
}

function presetHeader(p: Preset, tokens: number, ids: readonly number[] | undefined): string[] {
  const cfg = p.config;
  return [
    `model ${p.name}: ${cfg.layers} layers, ${cfg.heads} heads, width ${cfg.width}, context ${cfg.context}, vocabulary ${cfg.vocabulary}`,
    `sequence: ${tokens} tokens${ids ? ` [${ids.slice(0, 16).join(', ')}${ids.length > 16 ? ', …' : ''}]` : ''}`,
  ];
}

async function cmdSrs(args: Args, io: CliIo): Promise<number> {
  checkFlags(args, ['k', 'out', 'seed', 'ptau', 'json']);
  const out = flag(args, 'out', true)!;
  const ptau = flag(args, 'ptau');
  const kRaw = flag(args, 'k', !ptau);
  const k = kRaw === undefined ? undefined : Number(kRaw);
  if (k !== undefined && (!Number.isInteger(k) || k < 1 || k > 24)) throw new UsageError(`--k: expected an integer in 1…24, got ${kRaw}`);
  let srs: Srs;
  let warning: string | undefined;
  if (ptau) {
    // a ceremony file: its powers, truncated to k, with the Lagrange basis derived once
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(ptau));
    } catch (e) {
      throw new UsageError(`--ptau: cannot read ${ptau} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    let full: Srs;
    try {
      full = readPtau(bytes);
    } catch (e) {
      throw new UsageError(`--ptau: ${ptau} is not a usable .ptau file (${(e as Error).message})`);
    }
    if (k !== undefined && k > full.k) throw new UsageError(`--k: ${ptau} holds 2^${full.k} powers, asked for k = ${k}`);
    const cut = k === undefined || k === full.k ? full : truncateSrs(full, k);
    srs = { ...cut, g1Lagrange: lagrangeBasisSrs(cut) };
  } else {
    const seed = flag(args, 'seed') ?? DEV_SRS_SEED;
    srs = unsafeDevSrs(k!, seed);
    warning = 'UNSAFE development SRS: its τ is derived from the seed; proofs over it are forgeable';
  }
  const bytes = writeHalo2Params(srs.g1Lagrange ? srs : { ...srs, g1Lagrange: lagrangeBasisSrs(srs) });
  writeFileSync(out, bytes);
  const msg = { ok: true, k: srs.k, out, bytes: bytes.length, ...(ptau ? { from: ptau } : {}), ...(warning ? { warning } : {}) };
  io.out(args.flags.has('json') ? JSON.stringify(msg) : `wrote ${out} (k = ${srs.k}, ${bytes.length} bytes${ptau ? `, from ${ptau}` : ''}).${warning ? ` ${warning}` : ''}`);
  return EXIT_OK;
}

const defaultIo = (): CliIo => ({
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  progress: { isTTY: !!process.stderr.isTTY, columns: process.stderr.columns, write: (t) => void process.stderr.write(t) },
});

/** Run the CLI; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  try {
    const args = parseArgs(argv);
    const cio: CommandIo = io;
    switch (args.command) {
      case 'prove':
        return await cmdProve(args, cio);
      case 'verify':
        return await cmdVerify(args, cio);
      case 'info':
        return await cmdInfo(args, io);
      case 'srs':
        return await cmdSrs(args, io);
      case 'bench':
        return await cmdBench(args, cio);
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return EXIT_OK;
      default:
        throw new UsageError(`unknown command "${args.command}"`);
    }
  } catch (e) {
    // a progress line may be open on a TTY: end it before the message
    if (io.progress?.isTTY) io.progress.write('\n');
    if (e instanceof UsageError || e instanceof GraphError) {
      io.err(`zktensor: ${e.message}`);
      if (e instanceof UsageError && /unknown command|missing --|unknown option|needs a value/.test(e.message)) io.err(USAGE);
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
