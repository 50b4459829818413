/**
 * Calibration, run once by `setup` (never per proof: a per-input
 * quantization would change the verifying key with the input and leak a
 * private input's magnitude through the bit widths).
 *
 * `--calibration FILE` is JSON: an array of samples, or one sample.
 *   presets  a sample is text, an array of token ids, {"tokens": […]} or
 *            {"text": "…"}; each is cut to the setup's sequence length
 *            (shorter ones are an error naming the sample);
 *   ONNX     a sample is {"<input>": [numbers…]} (or {"inputs": {…}}), or a
 *            bare array for a single-input model; symbolic dims come from
 *            `--dims` or the first sample, and every sample must agree.
 * Without the flag a preset calibrates on its own sample prompts; an ONNX
 * model has none, so the flag is required.
 */
import { calibrate, encodeText, presetQuant, type Preset, type QuantParams } from '../models/index.js';
import { UsageError } from './errors.js';
import { sha256Hex } from './hash.js';
import { inputText, parseJson, parseOnnxInputs, parseTokenInput } from './input.js';
import { type ModelSource, onnxSource, type OnnxSource, presetSource } from './model-source.js';

export interface CalibrationInfo {
  readonly source: string;
  readonly samples: number;
  readonly sha256?: string;
}

export interface Calibrated {
  readonly quant: QuantParams;
  readonly info: CalibrationInfo;
}

const DEFAULT_ONNX_SCALE = 8;

function readSamples(path: string): { samples: unknown[]; sha256: string } {
  // a file (its path, or "@path"); inline JSON too (info passes --input through here)
  const text = /^\s*[[{]/.test(path) ? path : inputText(path.startsWith('@') ? path : `@${path}`, '--calibration');
  const json = parseJson(text, '--calibration');
  return { samples: Array.isArray(json) && json.length > 0 && json.every((x) => typeof x !== 'number') ? json : [json], sha256: sha256Hex(new TextEncoder().encode(text)) };
}

/** The range-check limb width: `--limb-bits`, else the preset's when it sets one (models/presets.ts), else calibration's default. */
const limbs = (p: Preset | undefined, flag: number | undefined): { limbBits?: number } => {
  const bits = flag ?? p?.limbBits;
  return bits === undefined ? {} : { limbBits: bits };
};

/** A preset's quantization: its sample prompts, or `--calibration` samples cut to the setup's length. */
export async function calibratePreset(m: ModelSource & { preset: Preset }, tokens: number, file: string | undefined, scale: number | undefined, limbBits?: number): Promise<Calibrated> {
  const p = m.preset;
  const s = scale ?? p.scale;
  if (!file) {
    if (!m.weights && s === p.scale && (limbBits === undefined || limbBits === presetQuant(p).limbBits)) return { quant: presetQuant(p), info: { source: `${p.name} sample prompts`, samples: p.samples.length } };
    if (p.samples.length === 0) throw new UsageError(`setup: ${p.name} has no sample prompts; pass --calibration FILE`);
    // the preset's prompts at full context, as presetQuant, for these weights or this scale
    const T = p.config.context;
    const g = presetSource(p, T, m.weights).graph;
    const samples = p.samples.map((text) => ({ tokens: encodeText(p, text.padEnd(T, ' ').slice(0, T)) }));
    return { quant: calibrate(g, samples, { scale: s, ...limbs(p, limbBits) }).quant, info: { source: `${p.name} sample prompts`, samples: samples.length } };
  }
  const { samples: raw, sha256 } = readSamples(file);
  const samples: { tokens: number[] }[] = [];
  for (const [i, x] of raw.entries()) {
    const ids = (await parseTokenInput(p, typeof x === 'string' ? x : JSON.stringify(x), { calibrationSample: true }).catch((e: Error) => {
      throw new UsageError(`--calibration: sample ${i}: ${e.message}`);
    })).ids;
    if (ids.length < tokens) throw new UsageError(`--calibration: sample ${i} has ${ids.length} tokens, the setup's sequence length is ${tokens}`);
    samples.push({ tokens: ids.slice(0, tokens) });
  }
  return { quant: calibrate(m.graph, samples, { scale: s, ...limbs(p, limbBits) }).quant, info: { source: file, samples: samples.length, sha256 } };
}

/** An ONNX model's dims and quantization from `--calibration` samples. */
export function calibrateOnnx(src: OnnxSource, dimsFlag: Readonly<Record<string, number>>, file: string | undefined, scale: number | undefined, limbBits?: number): { source: ModelSource } & Calibrated {
  if (!file) throw new UsageError('setup: an ONNX model needs --calibration FILE (sample inputs as JSON) to pick its quantization');
  const { samples: raw, sha256 } = readSamples(file);
  let dims: Record<string, number> | undefined;
  const samples = raw.map((x, i) => {
    const got = parseOnnxInputs(src.model, x, dims ?? dimsFlag);
    if (dims && JSON.stringify(got.dims) !== JSON.stringify(dims)) throw new UsageError(`--calibration: sample ${i} has dims ${JSON.stringify(got.dims)}, the first has ${JSON.stringify(dims)}`);
    dims ??= got.dims;
    return got.values;
  });
  const source = onnxSource(src, dims ?? dimsFlag);
  return { source, quant: calibrate(source.graph, samples, { scale: scale ?? DEFAULT_ONNX_SCALE, ...limbs(undefined, limbBits) }).quant, info: { source: file, samples: samples.length, sha256 } };
}
