/**
 * `zktensor prove`: load the model and input, compile, evaluate the
 * quantized model (the witness), take the keys (cache or keygen), prove,
 * check the proof against its own verifying key, write the proof file.
 *
 * The self-check makes a stale cached key harmless: a proof made with a
 * proving key for another circuit does not verify, and then the keys are
 * recomputed (and the cache overwritten) and the proof made again.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { type Preset, getPreset, QuantEvaluator, publicInstances, type Visibility, type VisibilitySpec, DEFAULT_VISIBILITY } from '../models/index.js';
import { encodeVk } from '../plonkish/backend/vk.js';
import { prove } from '../plonkish/backend/prover.js';
import { verify } from '../plonkish/backend/verifier.js';
import { availableParallelism } from 'node:os';
import { type Args, checkFlags, flag } from './args.js';
import { inputText, parseJson, parseTokenInput, tokenText } from './input.js';
import { freshProvingKey, keyCacheFrom, KeySession, loadSrs, provingKey } from './keys.js';
import { type CompiledModel, compileOnnx, compilePreset, DEFAULT_ONNX_SCALE, isModelFile, loadFile, openOnnx, parseDims, parseOnnxInputs } from './model-source.js';
import { Progress, type ProgressHook, type ProgressSink } from './progress.js';
import { PROOF_FILE_VERSION, PROOF_FORMAT, type ProofFile, toBase64, UsageError } from './proof-file.js';
import { ModelCircuit } from '../models/index.js';

export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  readonly progress?: ProgressSink;
}

/** A progress hook as keygen's / prove's `onStep`. */
export const steps = (hook: ProgressHook) => (step: string, done: number, total: number) => hook(done, total, step);

export const PROVE_PHASES = ['load', 'compile', 'witness', 'keygen', 'prove', 'verify'] as const;

export function parseVisibility(raw: string | undefined): VisibilitySpec {
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

/** Path of `file` as seen from the proof file's directory (portable, '/'-separated). */
const relativeTo = (outPath: string, file: string) => relative(dirname(resolve(outPath)), resolve(file)).split('\\').join('/');

interface Prepared {
  readonly model: CompiledModel;
  readonly qin: Record<string, BigInt64Array>;
  /** Parts of the proof file that depend on the kind of model. */
  readonly statement: Pick<ProofFile, 'model' | 'modelFile' | 'weights' | 'tokens' | 'input'>;
  /** The output section and the summary's view of it, from the evaluated values. */
  describeOutput(values: ReadonlyMap<string, { data: BigInt64Array }>): Promise<{ output: ProofFile['output']; text: string[]; summary: Record<string, unknown> }>;
  readonly inputSummary: Record<string, unknown>;
  readonly inputText: string[];
}

async function preparePreset(args: Args, preset: Preset, visibility: VisibilitySpec, outPath: string, progress: Progress): Promise<Prepared> {
  const input = await parseTokenInput(preset, flag(args, 'input', true)!);
  const weightsPath = flag(args, 'weights');
  const weights = weightsPath ? loadFile(weightsPath, '--weights') : undefined;
  progress.start('compile');
  const model = compilePreset(preset, input.ids.length, visibility, weights);
  const scale = model.params.quant.scale;
  const tokenizer = input.tokenizer?.kind;
  return {
    model,
    qin: { tokens: BigInt64Array.from(input.ids, BigInt) },
    statement: {
      model: preset.name,
      tokens: input.ids.length,
      ...(weights ? { weights: { kind: 'safetensors' as const, path: relativeTo(outPath, weights.path), sha256: weights.sha256 } } : {}),
      ...(visibility.input === 'public' ? { input: { tokens: input.ids, ...(tokenizer ? { tokenizer } : {}) } } : {}),
    },
    inputSummary: { tokens: input.ids.length, tokenIds: input.ids, ...(tokenizer ? { tokenizer } : {}) },
    inputText: [`input: ${input.ids.length} tokens [${input.ids.join(', ')}]${tokenizer ? ` (${tokenizer === 'gpt2-bpe' ? 'GPT-2 BPE' : 'characters'})` : ''}`],
    async describeOutput(values) {
      const logits = Array.from(values.get(model.params.graph.outputs[0]!)!.data, (v) => Number(v) / 2 ** scale);
      const id = logits.indexOf(Math.max(...logits));
      const next = { id, text: await tokenText(preset, id) };
      return { output: { next, logits }, text: [`next token: ${id} ${JSON.stringify(next.text)}`], summary: { next } };
    },
  };
}

function prepareOnnx(args: Args, path: string, visibility: VisibilitySpec, outPath: string, progress: Progress): Prepared {
  if (flag(args, 'weights')) throw new UsageError('--weights: only for presets (an ONNX file carries its weights)');
  const src = openOnnx(path);
  const rawScale = flag(args, 'scale');
  const scale = rawScale === undefined ? DEFAULT_ONNX_SCALE : Number(rawScale);
  if (!Number.isInteger(scale) || scale < 1 || scale > 16) throw new UsageError(`--scale: expected an integer in 1…16, got ${rawScale}`);
  const { values, dims } = parseOnnxInputs(src, parseJson(inputText(flag(args, 'input', true)!)), parseDims(flag(args, 'dims')));
  progress.start('compile');
  const model = compileOnnx(src, dims, visibility, { inputs: values, scale });
  const q = new QuantEvaluator(model.params.graph, model.params.quant, model.params.weights);
  const s = model.params.quant.scale;
  return {
    model,
    qin: q.quantizeInputs(values),
    statement: {
      model: path,
      modelFile: { kind: 'onnx', path: relativeTo(outPath, path), sha256: src.file.sha256, dims },
      ...(visibility.input === 'public' ? { input: { values } } : {}),
    },
    inputSummary: { inputs: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.length])) },
    inputText: [`input: ${Object.entries(values).map(([k, v]) => `${k} (${v.length} values)`).join(', ')}`],
    async describeOutput(vals) {
      const outputs: Record<string, number[]> = {};
      for (const [name, ir] of model.outputs) outputs[name] = Array.from(vals.get(ir)!.data, (v) => Number(v) / 2 ** s);
      const text = Object.entries(outputs).map(([k, v]) => `output ${k}: [${v.slice(0, 8).map((x) => +x.toFixed(4)).join(', ')}${v.length > 8 ? `, … (${v.length})` : ''}]`);
      return { output: { values: outputs }, text, summary: { outputs } };
    },
  };
}

export async function cmdProve(args: Args, io: CommandIo): Promise<number> {
  checkFlags(args, ['model', 'input', 'out', 'srs', 'visibility', 'json', 'weights', 'dims', 'scale', 'cache-dir', 'no-cache', 'quiet', 'workers']);
  const workers = workerCount(flag(args, 'workers'));
  const progress = new Progress(args.flags.has('quiet') ? undefined : io.progress, PROVE_PHASES.map((name) => ({ name })));
  const outPath = flag(args, 'out') ?? 'proof.json';
  const modelArg = flag(args, 'model', true)!;
  const visibility = parseVisibility(flag(args, 'visibility'));
  progress.start('load');
  const prep = isModelFile(modelArg) ? prepareOnnx(args, modelArg, visibility, outPath, progress) : await preparePreset(args, getPreset(modelArg), visibility, outPath, progress);
  const { model, qin } = prep;
  const { cost, params } = model;
  if (cost.tooLarge) throw new UsageError(`prove: ${params.graph.name}: ${cost.tooLarge}`);
  const k = cost.k;
  progress.estimate('keygen', cost.estimate.keygenSeconds);
  progress.estimate('prove', cost.estimate.proveSeconds);
  progress.start('witness');
  const values = new QuantEvaluator(params.graph, params.quant, params.weights).run(qin);
  const instances = publicInstances(params, values);
  const timings: Record<string, number> = {};

  const keygenHook = progress.start('keygen');
  const cache = keyCacheFrom(args.flags);
  const notes: string[] = [];
  const { kzg: base, source } = loadSrs(flag(args, 'srs'), k, cache, notes);
  const session = new KeySession(model, base, k, cache, notes);
  const kzg = session.proverParams().useWorkers(workers);
  let { pk, cached } = provingKey(session, model, steps(keygenHook));
  if (cached) progress.estimate('keygen', undefined);
  timings['keys'] = progress.end(cached ? 'cached' : session.cache ? 'computed, cached' : 'computed');
  let proof = prove(pk, new ModelCircuit(params, qin), instances, kzg, { onStep: steps(progress.start('prove')) });
  timings['prove'] = progress.end();
  progress.start('verify');
  let check = verify(pk.vk, proof, instances, kzg.verifierParams());
  if (!check.ok && cached) {
    // a cached key that fits its checksum but not this circuit: recompute, overwrite, prove again
    session.notes.push(`the proof made with the cached proving key ${session.cache!.path(session.key, 'pk')} does not verify (${check.reason}); recomputing the keys`);
    pk.free();
    pk = freshProvingKey(session, model);
    cached = false;
    proof = prove(pk, new ModelCircuit(params, qin), instances, kzg);
    check = verify(pk.vk, proof, instances, kzg.verifierParams());
  }
  timings['verify'] = progress.end();
  for (const n of session.notes) io.err(`zktensor: note: ${n}`);
  if (!check.ok) throw new Error(`prove: the proof does not verify against its own key (${check.reason})`);

  const out = await prep.describeOutput(values);
  const file: ProofFile = {
    format: PROOF_FORMAT,
    version: PROOF_FILE_VERSION,
    ...prep.statement,
    visibility,
    quant: params.quant,
    k,
    srs: source,
    ...(visibility.output === 'public' ? { output: out.output } : {}),
    instances: instances.map((c) => c.map(String)),
    vk: toBase64(encodeVk(pk.vk)),
    proof: toBase64(proof),
  };
  pk.free();
  session.free();
  mkdirSync(dirname(resolve(outPath)), { recursive: true });
  writeFileSync(outPath, JSON.stringify(file, null, 1));
  const keys = cached ? 'cached' : 'computed';
  const summary = {
    ok: true,
    out: outPath,
    model: prep.statement.model,
    ...prep.inputSummary,
    k,
    proofBytes: proof.length,
    keys,
    cache: session.cache ? session.cache.path(session.key, 'pk') : null,
    keygenSeconds: timings['keys'],
    proveSeconds: timings['prove'],
    verifySeconds: timings['verify'],
    ...(visibility.output === 'public' ? out.summary : {}),
  };
  if (args.flags.has('json')) io.out(JSON.stringify(summary));
  else {
    io.out(`proved ${prep.statement.model} (k = ${k}): keys ${keys} in ${timings['keys']} s, prove ${timings['prove']} s, ${proof.length} bytes → ${outPath}`);
    prep.inputText.forEach((l) => io.out(l));
    if (visibility.output === 'public') out.text.forEach((l) => io.out(l));
  }
  return 0;
}

/** `--workers N` (MSM worker threads beside the main thread), default: one per spare core, at most 3. */
export function workerCount(raw: string | undefined): number {
  if (raw === undefined) return Math.max(0, Math.min(3, availableParallelism() - 1));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new UsageError(`--workers: expected an integer in 0…64, got "${raw}"`);
  return n;
}
