/**
 * The statement `setup` (and `mock --model`) builds from its flags: the
 * model (preset + sequence length + weights, or an ONNX file + dims), its
 * calibrated quantization and the visibility, compiled, with the settings
 * fields that describe it. Nothing here depends on an input to be proven.
 */
import { committedWeightNames, getPreset, instanceLayout, type QuantParams, type VisibilitySpec } from '../models/index.js';
import { type Args, flag, intFlag, requireFlag } from './args.js';
import { calibrateOnnx, calibratePreset, type CalibrationInfo } from './calibration.js';
import { namesWeights, parseVisibility } from './common.js';
import { UsageError } from './errors.js';
import { type CompiledModel, compileSource, isModelFile, loadFile, type ModelSource, openOnnx, parseDims, presetSource } from './model-source.js';
import type { Settings } from './settings.js';

export interface Statement {
  readonly source: ModelSource;
  readonly quant: QuantParams;
  readonly visibility: VisibilitySpec;
  readonly compiled: CompiledModel;
  readonly calibration: CalibrationInfo;
  /** What the CLI decided for the user (a default visibility that did not fit the model). */
  readonly notes: readonly string[];
}

/** `overrides`: a sequence length and calibration file decided by the caller (info's --input). */
export async function statementFromArgs(args: Args, overrides: { tokens?: number; calibration?: string } = {}): Promise<Statement> {
  const modelArg = requireFlag(args, 'model', 'gpt2-tiny');
  const rawVisibility = flag(args, 'visibility');
  let visibility = parseVisibility(rawVisibility);
  const scale = intFlag(args, 'scale', 1, 24);
  const limbBits = intFlag(args, 'limb-bits', 1, 20);
  const calibrationFile = overrides.calibration ?? flag(args, 'calibration');
  let source: ModelSource;
  let cal: { quant: QuantParams; info: CalibrationInfo };
  if (isModelFile(modelArg)) {
    if (flag(args, 'weights')) throw new UsageError('--weights: only for presets (an ONNX file carries its weights)');
    if (flag(args, 'tokens')) throw new UsageError('--tokens: only for presets (give an ONNX model\'s symbolic dims with --dims)');
    const r = calibrateOnnx(openOnnx(loadFile(modelArg, '--model')), parseDims(flag(args, 'dims')), calibrationFile, scale, limbBits);
    source = r.source;
    cal = r;
  } else {
    const preset = getPreset(modelArg);
    if (flag(args, 'dims')) throw new UsageError('--dims: only for ONNX models (a preset\'s sequence length is --tokens)');
    const tokens = overrides.tokens ?? intFlag(args, 'tokens', 1, preset.config.context) ?? preset.config.context;
    const weightsPath = flag(args, 'weights');
    source = presetSource(preset, tokens, weightsPath ? loadFile(weightsPath, '--weights') : undefined);
    cal = await calibratePreset({ ...source, preset }, tokens, calibrationFile, scale, limbBits);
  }
  let compiled = compileSource(source, cal.quant, visibility);
  const notes: string[] = [];
  if (visibility.weights === 'committed' && committedWeightNames(compiled.params).length === 0) {
    if (namesWeights(rawVisibility)) throw new UsageError(`--visibility weights=committed: ${source.name} has no weight matrix that a matmul or gather uses, so there is nothing to commit; use weights=fixed`);
    visibility = { ...visibility, weights: 'fixed' };
    compiled = compileSource(source, cal.quant, visibility);
    notes.push(`${source.name} has no weight matrix that a matmul or gather uses: weights=fixed instead of the default weights=committed`);
  }
  return { source, quant: cal.quant, visibility, compiled, calibration: cal.info, notes };
}

/** The settings fields that describe the compiled statement (inputs, outputs, the instance layout). */
export function describeStatement(st: Pick<Statement, 'source' | 'compiled'>): Pick<Settings, 'inputs' | 'outputs' | 'publicValues'> {
  const { graph } = st.source;
  const info = st.compiled.params.info;
  const layout = instanceLayoutOf(st.compiled);
  return {
    inputs: graph.inputs.map((i) => ({ name: i.name, shape: [...i.shape], kind: i.kind === 'ids' ? 'ids' : 'real' })),
    outputs: [...st.source.outputs].map(([name, tensor]) => ({ name, tensor, shape: [...(info.get(tensor)?.shape ?? [])] })),
    publicValues: layout,
  };
}

const instanceLayoutOf = (m: CompiledModel) => instanceLayout(m.params).map((s) => ({ name: s.name, role: s.role, offset: s.offset, length: s.length }));
