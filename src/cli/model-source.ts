/**
 * What `--model` names, turned into a compiled circuit:
 *
 *   preset     gpt2-tiny | nanogpt | gpt2-small, synthetic weights from the
 *              preset's seed, or `--weights file.safetensors` (GPT-2 names;
 *              quantization recalibrated on the preset's sample prompts);
 *   .onnx      an ONNX file: lowered to the IR (symbolic dims from `--dims`
 *              or inferred from the input's length), quantization calibrated
 *              on the input values (recorded in the proof file, so the
 *              verifier calibrates identically).
 *
 * `identity` is what the key cache hashes (key-cache.ts): everything that
 * decides the circuit except k and the SRS.
 */
import { basename } from 'node:path';
import {
  calibrate,
  compileModel,
  type CostEstimate,
  encodeText,
  estimateCost,
  gpt2WeightsFromSafetensors,
  type Graph,
  type ModelCircuitParams,
  numel,
  type OnnxModel,
  onnxToGraph,
  parseOnnx,
  parseSafetensors,
  type Preset,
  presetGraph,
  presetQuant,
  type QuantParams,
  type VisibilitySpec,
  withWeights,
} from '../models/index.js';
import { readBytes } from './args.js';
import { sha256Hex } from './key-cache.js';
import { UsageError } from './proof-file.js';

/** A file read for the statement: its bytes and their sha256. */
export interface LoadedFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly sha256: string;
}

export function loadFile(path: string, what: string): LoadedFile {
  const bytes = readBytes(path, what);
  return { path, bytes, sha256: sha256Hex(bytes) };
}

/** True when `--model` names a model file rather than a preset. */
export const isModelFile = (arg: string): boolean => /\.onnx$/i.test(arg);

export const DEFAULT_ONNX_SCALE = 8;

export interface CompiledModel {
  readonly params: ModelCircuitParams;
  readonly cost: CostEstimate;
  readonly identity: Record<string, unknown>;
}

function finish(params: ModelCircuitParams, identity: Record<string, unknown>): CompiledModel {
  return {
    params,
    cost: estimateCost(params),
    identity: { ...identity, visibility: params.visibility, quant: params.quant, fixedColumns: params.fixedColumns },
  };
}

// ---- presets -------------------------------------------------------------

/** GPT-2 weights from a safetensors file, by our weight names (cached per file hash). */
const weightCache = new Map<string, Map<string, Float64Array>>();
export function presetWeights(p: Preset, file: LoadedFile): Map<string, Float64Array> {
  const key = `${p.name}:${file.sha256}`;
  let w = weightCache.get(key);
  if (!w) weightCache.set(key, (w = gpt2WeightsFromSafetensors(parseSafetensors(file.bytes), p.config)));
  return w;
}

const quantCache = new Map<string, QuantParams>();
/** The preset's quantization for these weights (as presetQuant: its sample prompts at full context). */
function quantFor(p: Preset, weights: LoadedFile | undefined): QuantParams {
  if (!weights || p.quant) return presetQuant(p);
  const key = `${p.name}:${weights.sha256}`;
  let q = quantCache.get(key);
  if (!q) {
    const T = p.config.context;
    const g = withWeights(presetGraph(p, T), presetWeights(p, weights));
    const samples = p.samples.map((text) => ({ tokens: encodeText(p, text.padEnd(T, ' ').slice(0, T)) }));
    quantCache.set(key, (q = calibrate(g, samples, { scale: p.scale }).quant));
  }
  return q;
}

export function compilePreset(p: Preset, tokens: number, visibility: VisibilitySpec, weights?: LoadedFile): CompiledModel {
  let graph: Graph = presetGraph(p, tokens);
  if (weights) graph = withWeights(graph, presetWeights(p, weights));
  const params = compileModel(graph, quantFor(p, weights), { visibility, fixedColumns: p.fixedColumns });
  return finish(params, { model: 'preset', name: p.name, seed: p.seed, config: p.config, tokens, weights: weights?.sha256 ?? null });
}

// ---- ONNX ----------------------------------------------------------------

export interface OnnxSource {
  readonly file: LoadedFile;
  readonly model: OnnxModel;
}

export function openOnnx(path: string): OnnxSource {
  const file = loadFile(path, '--model');
  return { file, model: parseOnnx(file.bytes) };
}

const shapeText = (dims: readonly (number | string | undefined)[]) => `[${dims.map((d) => d ?? '?').join(', ')}]`;

/** Parse `--dims T=4,B=1`. */
export function parseDims(raw: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!raw) return out;
  for (const part of raw.split(',')) {
    const [name, v] = part.split('=');
    const n = Number(v);
    if (!name || !Number.isInteger(n) || n < 1) throw new UsageError(`--dims: expected name=positive integer, got "${part}"`);
    out[name] = n;
  }
  return out;
}

/**
 * Real-valued inputs from JSON: `{ "<input>": [numbers…] }` (flat row-major,
 * nested arrays are flattened) or a bare array when the model has one input;
 * `{ "inputs": {…} }` (the fixtures' layout) is accepted too. Symbolic dims
 * not in `dims` are inferred from the length when an input has exactly one.
 * Errors name the input and its expected shape.
 */
export function parseOnnxInputs(src: OnnxSource, json: unknown, dimsIn: Readonly<Record<string, number>>): { values: Record<string, number[]>; dims: Record<string, number> } {
  const inputs = src.model.graph.inputs;
  const names = inputs.map((i) => i.name);
  let obj: Record<string, unknown>;
  if (Array.isArray(json)) {
    if (inputs.length !== 1) throw new UsageError(`input: the model has ${inputs.length} inputs (${names.join(', ')}); give an object {"name": [...]}`);
    obj = { [names[0]!]: json };
  } else if (json && typeof json === 'object') {
    obj = json as Record<string, unknown>;
    if (!names.includes('inputs') && obj['inputs'] && typeof obj['inputs'] === 'object' && !Array.isArray(obj['inputs'])) obj = obj['inputs'] as Record<string, unknown>;
  } else throw new UsageError(`input: expected a JSON object {"${names[0] ?? 'x'}": [numbers…]} or an array`);
  for (const k of Object.keys(obj)) if (!names.includes(k)) throw new UsageError(`input: the model has no input "${k}"; its inputs: ${names.join(', ')}`);
  const dims: Record<string, number> = { ...dimsIn };
  const values: Record<string, number[]> = {};
  for (const i of inputs) {
    const raw = obj[i.name];
    const shape = i.shape ?? [];
    if (raw === undefined) throw new UsageError(`input: missing "${i.name}" (shape ${shapeText(shape)})`);
    const flat = flatten(raw, i.name);
    const unknown = shape.filter((d) => typeof d !== 'number' && (d === undefined || dims[d] === undefined));
    const known = shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : d !== undefined && dims[d] !== undefined ? dims[d]! : 1), 1);
    if (unknown.length === 1 && typeof unknown[0] === 'string' && flat.length % known === 0 && flat.length > 0) dims[unknown[0]] = flat.length / known;
    else if (unknown.length > 0) throw new UsageError(`input "${i.name}": shape ${shapeText(shape)} has dynamic dimensions; give their values with --dims name=N`);
    const resolved = shape.map((d) => (typeof d === 'number' ? d : dims[d!]!));
    if (flat.length !== numel(resolved)) throw new UsageError(`input "${i.name}": expected ${numel(resolved)} values (shape ${shapeText(shape)} = [${resolved.join(', ')}]), got ${flat.length}`);
    values[i.name] = flat;
  }
  return { values, dims };
}

function flatten(v: unknown, name: string): number[] {
  const out: number[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (typeof x === 'number' && Number.isFinite(x)) out.push(x);
    else throw new UsageError(`input "${name}": expected finite numbers, got ${JSON.stringify(x)}`);
  };
  if (!Array.isArray(v)) throw new UsageError(`input "${name}": expected an array of numbers, got ${JSON.stringify(v)}`);
  walk(v);
  return out;
}

export interface CompiledOnnx extends CompiledModel {
  /** ONNX output name → IR tensor. */
  readonly outputs: ReadonlyMap<string, string>;
}

/** Lower and compile; quantization calibrated on `inputs` (scale `scale`) unless `quant` is given. */
export function compileOnnx(
  src: OnnxSource,
  dims: Readonly<Record<string, number>>,
  visibility: VisibilitySpec,
  q: { inputs: Readonly<Record<string, readonly number[]>>; scale: number } | { quant: QuantParams },
): CompiledOnnx {
  const { graph, outputs } = onnxToGraph(src.model, { dims, name: basename(src.file.path).replace(/\.onnx$/i, '') });
  const quant = 'quant' in q ? q.quant : calibrate(graph, [q.inputs], { scale: q.scale }).quant;
  const params = compileModel(graph, quant, { visibility });
  return { ...finish(params, { model: 'onnx', sha256: src.file.sha256, dims }), outputs };
}
