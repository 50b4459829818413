/**
 * From `--input` to the witness, under the quantization setup pinned: parse
 * the input for the model (token ids / text, or ONNX input values), check
 * its shape against the settings, quantize and evaluate. An input whose
 * values leave the calibrated ranges is a `UsageError` naming the tensor
 * (the circuit's bit widths and tables were fixed by calibration; they do
 * not follow the input).
 */
import { GraphError, type ModelCircuitParams, publicInstances, type QTensor, QuantEvaluator, QuantRangeError } from '../models/index.js';
import { UsageError } from './errors.js';
import { inputText, parseJson, parseOnnxInputs, parseTokenInput } from './input.js';
import type { CompiledModel, ModelSource } from './model-source.js';
import type { Settings } from './settings.js';

export interface Witness {
  readonly qin: Record<string, BigInt64Array>;
  readonly values: Map<string, QTensor>;
  readonly instances: bigint[][];
}

async function inputValues(source: ModelSource, raw: string): Promise<Record<string, ArrayLike<number>>> {
  if (source.preset) {
    const expected = source.graph.inputs[0]?.shape[0] ?? 0;
    const { ids } = await parseTokenInput(source.preset, raw);
    if (ids.length !== expected) throw new UsageError(`input: ${ids.length} tokens; the setup fixed the sequence length of ${source.name} at ${expected} (run setup with --tokens ${ids.length} for this length)`);
    return { tokens: ids };
  }
  const onnx = source.onnx;
  if (!onnx) throw new UsageError(`input: model ${source.name} is neither a preset nor an ONNX file`);
  const { values, dims } = parseOnnxInputs(onnx.model, parseJson(inputText(raw)), onnx.dims);
  if (JSON.stringify(dims) !== JSON.stringify(onnx.dims)) throw new UsageError(`input: dims ${JSON.stringify(dims)} differ from the setup's ${JSON.stringify(onnx.dims)}`);
  return values;
}

export async function witnessFor(settings: Pick<Settings, 'calibration'>, source: ModelSource, model: CompiledModel, rawInput: string): Promise<Witness> {
  const { params } = model;
  const q = new QuantEvaluator(params.graph, params.quant, params.weights);
  const inputs = await inputValues(source, rawInput);
  return inputErrors(settings, () => {
    const qin = q.quantizeInputs(inputs);
    const values = q.run(qin);
    return { qin, values, instances: publicInstances(params, values) };
  });
}

/** The quantized input alone (a split model's prover evaluates the model as it proves: models/chain.ts). */
export async function quantizedInput(settings: Pick<Settings, 'calibration'>, source: ModelSource, params: ModelCircuitParams, rawInput: string): Promise<Record<string, BigInt64Array>> {
  const inputs = await inputValues(source, rawInput);
  return inputErrors(settings, () => new QuantEvaluator(params.graph, params.quant, params.weights).quantizeInputs(inputs));
}

/** Run `f`, an evaluation of the input: a value outside the calibrated range, or a bad input, is a UsageError naming it. */
export function inputErrors<T>(settings: Pick<Settings, 'calibration'>, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof QuantRangeError) throw outOfCalibratedRange(settings, e);
    if (e instanceof GraphError) throw new UsageError(`input: ${e.message}`);
    throw e;
  }
}

/** A value outside the calibrated range, as the UsageError that names the tensor and the calibration. */
export function outOfCalibratedRange(settings: Pick<Settings, 'calibration'>, e: QuantRangeError): UsageError {
  return new UsageError(
    `input outside the calibrated range at tensor "${e.tensor}": ${e.message}. The setup calibrated on ${settings.calibration.samples} sample(s) from ${settings.calibration.source}; ` +
      'run setup again with --calibration samples that cover inputs like this one',
  );
}
