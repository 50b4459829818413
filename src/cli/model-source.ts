/**
 * The model a statement names, turned into a graph and a compiled circuit:
 *
 *   preset   gpt2-tiny | nanogpt | gpt2-small at a fixed sequence length,
 *            synthetic weights from the preset's seed or GPT-2 weights
 *            from a safetensors file (Hugging Face names);
 *   .onnx    an ONNX file lowered to the IR, symbolic dims fixed.
 *
 * Quantization is never chosen here: `setup` calibrates once
 * (calibration.ts) and every later command compiles with the settings'.
 * Files are found relative to settings.json and checked against the sha256
 * setup recorded (a changed or missing file is a `UsageError`, exit 2).
 */
import { basename, dirname, relative, resolve } from 'node:path';
import {
  compileModel,
  type CostEstimate,
  estimateCost,
  gpt2WeightsFromSafetensors,
  type Graph,
  type ModelCircuitParams,
  numel,
  type OnnxModel,
  onnxToGraph,
  rescaleTokenModel,
  weightColumns,
  parseOnnx,
  parseSafetensors,
  type Preset,
  getPreset,
  presetGraph,
  type QuantParams,
  type VisibilitySpec,
  withWeights,
} from '../models/index.js';
import { readBytes } from './args.js';
import { UsageError } from './errors.js';
import { sha256Hex } from './hash.js';
import type { FileRef, ModelRef, Settings } from './settings.js';

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

export interface OnnxSource {
  readonly file: LoadedFile;
  readonly model: OnnxModel;
}

export function openOnnx(file: LoadedFile): OnnxSource {
  return { file, model: parseOnnx(file.bytes) };
}

/** A model ready to compile: its graph and where it came from. */
export interface ModelSource {
  readonly name: string;
  readonly graph: Graph;
  readonly fixedColumns: number;
  readonly preset?: Preset;
  readonly weights?: LoadedFile;
  readonly onnx?: OnnxSource & { readonly dims: Readonly<Record<string, number>> };
  /** ONNX output name → IR tensor (presets: the graph's outputs by their own names). */
  readonly outputs: ReadonlyMap<string, string>;
}

/** GPT-2 weights from a safetensors file, by our weight names (cached per file hash). */
const weightCache = new Map<string, Map<string, Float64Array>>();
function presetWeights(p: Preset, file: LoadedFile): Map<string, Float64Array> {
  const key = `${p.name}:${file.sha256}`;
  let w = weightCache.get(key);
  if (!w) weightCache.set(key, (w = gpt2WeightsFromSafetensors(parseSafetensors(file.bytes), p.config)));
  return w;
}

export function presetSource(p: Preset, tokens: number, weights?: LoadedFile): ModelSource {
  if (!Number.isInteger(tokens) || tokens < 1 || tokens > p.config.context) throw new UsageError(`--tokens: expected an integer in 1…${p.config.context} (the context of ${p.name}), got ${tokens}`);
  let graph = presetGraph(p, tokens);
  if (weights) graph = withWeights(graph, presetWeights(p, weights));
  return { name: p.name, graph, fixedColumns: p.fixedColumns, preset: p, ...(weights ? { weights } : {}), outputs: new Map(graph.outputs.map((o) => [o, o])) };
}

export function onnxSource(src: OnnxSource, dims: Readonly<Record<string, number>>): ModelSource {
  const name = basename(src.file.path).replace(/\.onnx$/i, '');
  const lowered = onnxToGraph(src.model, { dims, name });
  // token models with small activations: the exact residual-stream rescale (models/onnx-rescale.ts)
  const { graph } = rescaleTokenModel(lowered.graph);
  return { name, graph, fixedColumns: weightColumns(graph), onnx: { ...src, dims }, outputs: lowered.outputs };
}

export interface CompiledModel {
  readonly params: ModelCircuitParams;
  readonly cost: CostEstimate;
}

export function compileSource(m: ModelSource, quant: QuantParams, visibility: VisibilitySpec, fixedColumns = m.fixedColumns): CompiledModel {
  const params = compileModel(m.graph, quant, { visibility, fixedColumns });
  return { params, cost: estimateCost(params) };
}

/** How settings.json refers to the source (file paths relative to the settings' folder). */
export function modelRef(m: ModelSource, settingsDir: string): ModelRef {
  const ref = (f: LoadedFile): FileRef => ({ path: relative(settingsDir, resolve(f.path)) || basename(f.path), sha256: f.sha256 });
  if (m.onnx) return { kind: 'onnx', ...ref(m.onnx.file), dims: m.onnx.dims };
  const tokens = m.graph.inputs[0] ? numel(m.graph.inputs[0].shape) : 0;
  return { kind: 'preset', name: m.name, tokens, ...(m.weights ? { weights: ref(m.weights) } : {}) };
}

/** A file settings.json names, found relative to it (or at `override`) and checked against its sha256. */
function boundFile(ref: FileRef, settingsPath: string, override: string | undefined, what: string, optionName: string): LoadedFile {
  const path = override ?? resolve(dirname(resolve(settingsPath)), ref.path);
  let f: LoadedFile;
  try {
    f = loadFile(path, what);
  } catch (e) {
    throw new UsageError(`the ${what} named in ${settingsPath} is missing: ${(e as Error).message.replace(/^[^:]*: /, '')}${override ? '' : `; pass --${optionName} PATH if it moved`}`);
  }
  if (f.sha256 !== ref.sha256) throw new UsageError(`the ${what} ${path} is not the one setup used: its sha256 is ${f.sha256}, the settings name ${ref.sha256}`);
  return f;
}

/** The model of settings.json, for proving (the verifier never needs it). */
export function sourceFromSettings(s: Settings, settingsPath: string, overrides: { model?: string; weights?: string }): ModelSource {
  const m = s.model;
  if (m.kind === 'onnx') return onnxSource(openOnnx(boundFile(m, settingsPath, overrides.model, 'model file', 'model')), m.dims);
  if (overrides.model !== undefined && overrides.model !== m.name) throw new UsageError(`--model ${overrides.model}: the settings are for ${m.name}`);
  const weights = m.weights ? boundFile(m.weights, settingsPath, overrides.weights, 'weights file', 'weights') : undefined;
  return presetSource(getPreset(m.name), m.tokens, weights);
}

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
