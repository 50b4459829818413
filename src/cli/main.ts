/**
 * The `zktensor` command line.
 *
 *   zktensor prove  --model <preset> --input <json|text|@file> [--out proof.json] [--srs file] [--visibility input=public,…] [--json]
 *   zktensor verify <proof.json> [--srs file] [--trust-vk] [--json]
 *   zktensor info   --model <preset> [--tokens N] [--json]      cost estimate, no proving
 *   zktensor srs    --k N --out <file> [--seed S]                an UNSAFE dev SRS (halo2 params format, k ≤ 16)
 *
 * Exit codes: 0 ok, 1 proof rejected, 2 usage or input error (the message
 * names the problem). Input: text in the preset's character vocabulary, a
 * JSON array of token ids, or {"tokens": […]} / {"text": "…"}.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Fr } from '../field/bn254.js';
import {
  compileModel,
  type CostEstimate,
  decodeToken,
  encodeText,
  estimateCost,
  getPreset,
  GraphError,
  instanceLayout,
  ModelCircuit,
  type ModelCircuitParams,
  type Preset,
  presetGraph,
  presetNames,
  presetQuant,
  QuantEvaluator,
  publicInstances,
  type Visibility,
  type VisibilitySpec,
  DEFAULT_VISIBILITY,
} from '../models/index.js';
import { keygen } from '../plonkish/backend/keygen.js';
import { prove } from '../plonkish/backend/prover.js';
import { verify } from '../plonkish/backend/verifier.js';
import { decodeVk, encodeVk } from '../plonkish/backend/vk.js';
import { KzgParams, unsafeDevSrs } from '../poly/kzg.js';
import { readHalo2Params, type Srs, truncateSrs, writeHalo2Params } from '../poly/srs.js';
import { lagrangeBasisSrs } from '../poly/lagrange-srs.js';
import { fromBase64, parseProofFile, PROOF_FILE_VERSION, PROOF_FORMAT, type ProofFile, toBase64, UsageError } from './proof-file.js';

export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;
export const DEV_SRS_SEED = 'zktensor-cli-dev';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = `usage:
  zktensor prove  --model <${presetNames().join('|')}> --input <json|text|@file> [--out proof.json] [--srs file] [--visibility input=public,weights=fixed,output=public] [--json]
  zktensor verify <proof.json> [--srs file] [--trust-vk] [--json]
  zktensor info   --model <preset> [--tokens N] [--json]
  zktensor srs    --k N --out <file> [--seed S]`;

interface Args {
  readonly command: string;
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

const BOOLEAN_FLAGS = new Set(['json', 'trust-vk', 'help']);

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

function flag(args: Args, name: string, required = false): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  if (v === undefined && required) throw new UsageError(`${args.command}: missing --${name}`);
  return v;
}

function checkFlags(args: Args, allowed: readonly string[]): void {
  for (const k of args.flags.keys()) if (!allowed.includes(k)) throw new UsageError(`${args.command}: unknown option --${k}`);
}

/** Token ids from --input: JSON ids / {"tokens"} / {"text"}, or text; "@path" reads a file. */
export function parseInput(p: Preset, raw: string): number[] {
  const text = raw.startsWith('@') ? readText(raw.slice(1), 'input file') : raw;
  const trimmed = text.trim();
  let ids: unknown;
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let j: unknown;
    try {
      j = JSON.parse(trimmed);
    } catch (e) {
      throw new UsageError(`input: invalid JSON (${(e as Error).message})`);
    }
    if (Array.isArray(j)) ids = j;
    else if (j && typeof j === 'object' && 'tokens' in j) ids = (j as { tokens: unknown }).tokens;
    else if (j && typeof j === 'object' && typeof (j as { text?: unknown }).text === 'string') return encode(p, (j as { text: string }).text);
    else throw new UsageError('input: expected a JSON array of token ids, {"tokens": [...]} or {"text": "..."}');
  } else return encode(p, text);
  if (!Array.isArray(ids) || ids.length === 0) throw new UsageError('input: expected a non-empty array of token ids');
  const V = p.config.vocabulary;
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= V) {
      throw new UsageError(`input: token ${i} = ${JSON.stringify(id)} is not an id in [0, ${V}) of model ${p.name}`);
    }
  });
  checkLength(p, ids.length);
  return ids as number[];
}

function encode(p: Preset, text: string): number[] {
  if (text.length === 0) throw new UsageError('input: empty text');
  let ids: number[];
  try {
    ids = encodeText(p, text);
  } catch (e) {
    throw new UsageError(`input: ${(e as Error).message}`);
  }
  checkLength(p, ids.length);
  return ids;
}

function checkLength(p: Preset, n: number): void {
  if (n > p.config.context) throw new UsageError(`input: ${n} tokens exceed the context of ${p.name} (${p.config.context})`);
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function parseVisibility(raw: string | undefined): VisibilitySpec {
  if (!raw) return DEFAULT_VISIBILITY;
  const out: Record<string, Visibility> = { ...DEFAULT_VISIBILITY };
  for (const part of raw.split(',')) {
    const [role, vis] = part.split('=');
    if (!role || !['input', 'weights', 'output'].includes(role) || !['public', 'private', 'fixed'].includes(vis ?? '')) {
      throw new UsageError(`--visibility: expected role=vis with role input|weights|output and vis public|private|fixed, got "${part}"`);
    }
    out[role] = vis as Visibility;
  }
  return out as unknown as VisibilitySpec;
}

function modelParams(p: Preset, tokens: number, visibility: VisibilitySpec): ModelCircuitParams {
  return compileModel(presetGraph(p, tokens), presetQuant(p), { visibility, fixedColumns: p.fixedColumns });
}

function loadSrs(path: string | undefined, k: number): { srs: Srs; source: ProofFile['srs'] } {
  if (!path) return { srs: unsafeDevSrs(k, DEV_SRS_SEED), source: { kind: 'unsafe-dev', seed: DEV_SRS_SEED } };
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`--srs: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let srs: Srs;
  try {
    srs = readHalo2Params(new Uint8Array(bytes));
  } catch (e) {
    throw new UsageError(`--srs: ${path} is not a halo2 params file (${(e as Error).message})`);
  }
  if (srs.k < k) throw new UsageError(`--srs: ${path} has k = ${srs.k}, the circuit needs k = ${k}`);
  return { srs: srs.k > k ? truncateSrs(srs, k) : srs, source: { kind: 'file', path } };
}

const seconds = (t0: number) => Math.round(performance.now() - t0) / 1000;

async function cmdProve(args: Args, io: CliIo): Promise<number> {
  checkFlags(args, ['model', 'input', 'out', 'srs', 'visibility', 'json']);
  const preset = getPreset(flag(args, 'model', true)!);
  const ids = parseInput(preset, flag(args, 'input', true)!);
  const visibility = parseVisibility(flag(args, 'visibility'));
  const params = modelParams(preset, ids.length, visibility);
  const cost = estimateCost(params);
  if (cost.tooLarge) throw new UsageError(`prove: ${preset.name} on ${ids.length} tokens: ${cost.tooLarge}`);
  const k = cost.k;
  const q = new QuantEvaluator(params.graph, params.quant, params.weights);
  const qin = { tokens: BigInt64Array.from(ids, BigInt) };
  const values = q.run(qin);
  const instances = publicInstances(params, values);
  const { srs, source } = loadSrs(flag(args, 'srs'), k);
  const kzg = new KzgParams(srs);
  let t = performance.now();
  const pk = keygen(new ModelCircuit(params), kzg, k);
  const keygenSeconds = seconds(t);
  t = performance.now();
  const proof = prove(pk, new ModelCircuit(params, qin), instances, kzg);
  const proveSeconds = seconds(t);
  const logitsQ = values.get(params.graph.outputs[0]!)!.data;
  const logits = Array.from(logitsQ, (v) => Number(v) / 2 ** params.quant.scale);
  const next = logits.indexOf(Math.max(...logits));
  const file: ProofFile = {
    format: PROOF_FORMAT,
    version: PROOF_FILE_VERSION,
    model: preset.name,
    tokens: ids.length,
    visibility,
    quant: params.quant,
    k,
    srs: source,
    ...(visibility.input === 'public' ? { input: { tokens: ids } } : {}),
    ...(visibility.output === 'public' ? { output: { next: { id: next, text: decodeToken(preset, next) }, logits } } : {}),
    instances: instances.map((c) => c.map(String)),
    vk: toBase64(encodeVk(pk.vk)),
    proof: toBase64(proof),
  };
  pk.free();
  kzg.free();
  const outPath = flag(args, 'out') ?? 'proof.json';
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, JSON.stringify(file, null, 1));
  const summary = { ok: true, out: outPath, model: preset.name, tokens: ids.length, k, proofBytes: proof.length, keygenSeconds, proveSeconds, next: file.output?.next };
  if (args.flags.has('json')) io.out(JSON.stringify(summary));
  else {
    io.out(`proved ${preset.name} on ${ids.length} tokens (k = ${k}): keygen ${keygenSeconds} s, prove ${proveSeconds} s, ${proof.length} bytes → ${outPath}`);
    if (file.output) io.out(`next token: ${file.output.next.id} ${JSON.stringify(file.output.next.text)}`);
  }
  return EXIT_OK;
}

async function cmdVerify(args: Args, io: CliIo): Promise<number> {
  checkFlags(args, ['srs', 'trust-vk', 'json']);
  const path = args.positional[0];
  if (!path) throw new UsageError('verify: expected the proof file, e.g. zktensor verify proof.json');
  const file = parseProofFile(readText(path, 'proof file'));
  const preset = getPreset(file.model);
  checkLength(preset, file.tokens);
  const params = modelParams(preset, file.tokens, file.visibility);
  const reject = (reason: string) => {
    if (args.flags.has('json')) io.out(JSON.stringify({ ok: false, reason }));
    else io.out(`proof REJECTED: ${reason}`);
    return EXIT_REJECTED;
  };
  if (JSON.stringify(file.quant) !== JSON.stringify(params.quant)) return reject(`quantization in the file differs from model ${preset.name}'s`);
  const expected = instanceLayout(params).reduce((a, s) => a + s.length, 0);
  if (file.instances.length !== 1 || file.instances[0]!.length !== expected) return reject(`expected ${expected} public values, got ${file.instances[0]?.length ?? 0}`);
  const instances = file.instances.map((c) => c.map((v) => BigInt(v)));
  if (instances[0]!.some((v) => v >= Fr.p)) return reject('a public value is not a field element');
  const srsPath = flag(args, 'srs') ?? (file.srs.kind === 'file' ? file.srs.path : undefined);
  const { srs } = loadSrs(srsPath, file.k);
  const kzg = new KzgParams(srs);
  const t = performance.now();
  let vk;
  if (args.flags.has('trust-vk')) {
    try {
      vk = decodeVk(fromBase64(file.vk, 'vk'), kzg);
    } catch (e) {
      return reject(`verifying key: ${(e as Error).message}`);
    }
  } else {
    const pk = keygen(new ModelCircuit(params), kzg, file.k);
    vk = pk.vk;
    pk.free();
  }
  const result = verify(vk, fromBase64(file.proof, 'proof'), instances, kzg.verifierParams());
  kzg.free();
  const verifySeconds = seconds(t);
  if (!result.ok) return reject(result.reason ?? 'unknown reason');
  // the output shown is decoded from the verified public values, not from the file's convenience copy
  const out = instanceLayout(params).find((s) => s.role === 'output');
  let next: { id: number; text: string } | undefined;
  if (out) {
    const logits = instances[0]!.slice(out.offset, out.offset + out.length).map((v) => Number(Fr.toSigned(v)));
    const id = logits.indexOf(Math.max(...logits));
    next = { id, text: decodeToken(preset, id) };
  }
  if (args.flags.has('json')) io.out(JSON.stringify({ ok: true, model: preset.name, tokens: file.tokens, k: file.k, verifySeconds, next }));
  else io.out(`proof OK: ${preset.name} on ${file.tokens} tokens (k = ${file.k}), verified in ${verifySeconds} s${next ? `; next token ${next.id} ${JSON.stringify(next.text)}` : ''}`);
  return EXIT_OK;
}

function formatCost(c: CostEstimate, p: Preset, tokens: number, scale: number): string[] {
  const mb = (b: number) => {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let u = 0;
    while (b >= 1024 && u < units.length - 1) (b /= 1024), u++;
    return `${b.toFixed(1)} ${units[u]}`;
  };
  const time = (s: number) => (s < 120 ? `${s.toFixed(1)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : s < 172800 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86400).toFixed(0)} days`);
  const cfg = p.config;
  return [
    `model ${p.name}: ${cfg.layers} layers, ${cfg.heads} heads, width ${cfg.width}, context ${cfg.context}, vocabulary ${cfg.vocabulary}; ${c.parameters} parameters`,
    `sequence: ${tokens} tokens; quantization: scale 2^${scale}`,
    `rows: ${c.rows} (regions ${c.regionRows}, largest table ${c.tableRows}) → k = ${c.k}`,
    `rows by op: ${Object.entries(c.rowsByOp).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `columns: advice ${c.columns.advice} (committed ${c.columns.committed}), fixed ${c.columns.fixed}, selectors ${c.columns.selectors}, instance ${c.columns.instance}, permutation ${c.columns.permutation}`,
    `gates ${c.gates} (${c.constraints} constraints), lookups ${c.lookups}, degree ${c.degree}, public values ${c.instanceValues}`,
    `estimate (rough, fitted on gpt2-tiny): keygen ${time(c.estimate.keygenSeconds)}, prove ${time(c.estimate.proveSeconds)}, memory ${mb(c.estimate.memoryBytes)}`,
    ...(c.tooLarge ? [`note: ${c.tooLarge}`] : []),
  ];
}

async function cmdInfo(args: Args, io: CliIo): Promise<number> {
  checkFlags(args, ['model', 'tokens', 'json', 'visibility']);
  const preset = getPreset(flag(args, 'model', true)!);
  const rawTokens = flag(args, 'tokens');
  const tokens = rawTokens === undefined ? preset.config.context : Number(rawTokens);
  if (!Number.isInteger(tokens) || tokens < 1) throw new UsageError(`--tokens: expected a positive integer, got ${rawTokens}`);
  checkLength(preset, tokens);
  const params = modelParams(preset, tokens, parseVisibility(flag(args, 'visibility')));
  const cost = estimateCost(params);
  if (args.flags.has('json')) io.out(JSON.stringify({ ...cost, model: preset.name, config: preset.config, tokens, quant: params.quant }));
  else formatCost(cost, preset, tokens, params.quant.scale).forEach((l) => io.out(l));
  return EXIT_OK;
}

async function cmdSrs(args: Args, io: CliIo): Promise<number> {
  checkFlags(args, ['k', 'out', 'seed', 'json']);
  const k = Number(flag(args, 'k', true));
  if (!Number.isInteger(k) || k < 1 || k > 16) throw new UsageError(`--k: expected an integer in 1…16, got ${flag(args, 'k')}`);
  const out = flag(args, 'out', true)!;
  const seed = flag(args, 'seed') ?? DEV_SRS_SEED;
  if (k > 16) throw new UsageError(`--k: the Lagrange points are derived naively here; expected k ≤ 16, got ${k}`);
  const bytes = writeHalo2Params(withLagrangeBasis(unsafeDevSrs(k, seed)));
  writeFileSync(out, bytes);
  const msg = { ok: true, k, out, bytes: bytes.length, warning: 'UNSAFE development SRS: its τ is derived from the seed; proofs over it are forgeable' };
  io.out(args.flags.has('json') ? JSON.stringify(msg) : `wrote ${out} (k = ${k}, ${bytes.length} bytes). ${msg.warning}`);
  return EXIT_OK;
}

/** Run the CLI; returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) }): Promise<number> {
  try {
    const args = parseArgs(argv);
    switch (args.command) {
      case 'prove':
        return await cmdProve(args, io);
      case 'verify':
        return await cmdVerify(args, io);
      case 'info':
        return await cmdInfo(args, io);
      case 'srs':
        return await cmdSrs(args, io);
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return EXIT_OK;
      default:
        throw new UsageError(`unknown command "${args.command}"`);
    }
  } catch (e) {
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

function withLagrangeBasis(srs: Srs): Srs {
  return { ...srs, g1Lagrange: lagrangeBasisSrs(srs) };
}
