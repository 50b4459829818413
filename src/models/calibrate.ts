/**
 * Calibration: run the float model (on the quantization grid of its weights)
 * over sample inputs, record each tensor's range, and pick the quantization
 * settings the circuit is laid out with:
 *   bits B     so that every real tensor, the attention scores and the
 *              LayerNorm-normalised values fit |q| < 2^(B−1) with `margin`;
 *   gelu range the GELU inputs seen, widened by `margin`;
 *   varBits R  so that every LayerNorm row variance (scale s) stays below 2^R;
 *   fnRanges   each `fn` op's table range from the inputs seen (`fnRangeFor`).
 * The result is checked by running the quantized evaluator on the samples:
 * a `QuantRangeError` there names the tensor that still leaves a range.
 */
import { evaluateFloat, type FloatTensor } from './float-eval.js';
import type { Graph, TableFnName } from './ir.js';
import { type FnRange, fnRangeFor, QuantEvaluator, QuantizedWeights, type QuantParams } from './quant.js';

export interface CalibrateOptions {
  readonly scale: number;
  /** Headroom factor on every observed range (default 2). */
  readonly margin?: number;
  /** Smallest B (default 12). */
  readonly minBits?: number;
  readonly expScale?: number;
  readonly limbBits?: number;
}

export interface TensorStats {
  readonly min: number;
  readonly max: number;
}

export interface Calibration {
  readonly quant: QuantParams;
  /** Observed float range per tensor (and `<node>.scores`, `<node>.variance`). */
  readonly stats: ReadonlyMap<string, TensorStats>;
}

function range(data: ArrayLike<number>): TensorStats {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    min = Math.min(min, data[i]!);
    max = Math.max(max, data[i]!);
  }
  return { min, max };
}

export function calibrate(g: Graph, samples: readonly Readonly<Record<string, ArrayLike<number>>>[], options: CalibrateOptions): Calibration {
  const s = options.scale;
  const margin = options.margin ?? 2;
  const weights = new QuantizedWeights(g, s);
  const grid = weights.dequantized();
  const stats = new Map<string, TensorStats>();
  const merge = (name: string, r: TensorStats) => {
    const old = stats.get(name);
    stats.set(name, old ? { min: Math.min(old.min, r.min), max: Math.max(old.max, r.max) } : r);
  };
  const geluInputs: TensorStats[] = [];
  const fnInputs = new Map<TableFnName, TensorStats>();
  let maxVar = 0;
  for (const sample of samples) {
    const env = evaluateFloat(g, sample, grid);
    const kinds = new Map(g.inputs.map((i) => [i.name, i.kind]));
    for (const [name, t] of env) if (kinds.get(name) !== 'ids') merge(name, range(t.data));
    for (const n of g.nodes) {
      const x = env.get(n.inputs[0]!)!;
      if (n.op === 'gelu') geluInputs.push(range(x.data));
      if (n.op === 'fn') {
        const r = range(x.data);
        const old = fnInputs.get(n.attrs.fn!);
        fnInputs.set(n.attrs.fn!, old ? { min: Math.min(old.min, r.min), max: Math.max(old.max, r.max) } : r);
      }
      if (n.op === 'layernorm') {
        const w = x.shape[x.shape.length - 1]!;
        const { variances, normalized } = layerNormStats(x, w);
        maxVar = Math.max(maxVar, ...variances);
        merge(`${n.name}.variance`, range(variances));
        merge(`${n.name}.norm`, range(normalized));
      }
      if (n.op === 'attention') merge(`${n.name}.scores`, range(scores(x, env.get(n.inputs[1]!)!)));
      if (n.op === 'matmul' && n.inputs[2]) {
        const bias = env.get(n.inputs[2])!.data;
        merge(`${n.name}.matmul`, range(env.get(n.output)!.data.map((v, i) => v - bias[i % bias.length]!)));
      }
    }
  }
  let maxAbs = 1;
  for (const r of stats.values()) maxAbs = Math.max(maxAbs, Math.abs(r.min), Math.abs(r.max));
  const bits = Math.max(options.minBits ?? 12, Math.ceil(Math.log2(maxAbs * margin * 2 ** s)) + 1);
  const lim = 2 ** (bits - 1);
  const gMin = Math.min(0, ...geluInputs.map((r) => r.min));
  const gMax = Math.max(0, ...geluInputs.map((r) => r.max));
  const gelu = {
    min: Math.max(-lim, Math.floor(gMin * margin * 2 ** s) - 1),
    max: Math.min(lim - 1, Math.ceil(gMax * margin * 2 ** s) + 1),
  };
  const varBits = Math.max(1, Math.ceil(Math.log2(maxVar * margin * 2 ** s + 2)));
  const fnRanges: Partial<Record<TableFnName, FnRange>> = {};
  for (const [fn, r] of fnInputs) fnRanges[fn] = fnRangeFor(fn, r, s, bits, margin);
  const quant: QuantParams = {
    scale: s,
    bits,
    gelu,
    varBits,
    ...(fnInputs.size ? { fnRanges } : {}),
    ...(options.expScale === undefined ? {} : { expScale: options.expScale }),
    ...(options.limbBits === undefined ? {} : { limbBits: options.limbBits }),
  };
  // the quantized model must fit the ranges on every sample (throws naming the tensor otherwise)
  const q = new QuantEvaluator(g, quant, weights);
  for (const sample of samples) q.run(q.quantizeInputs(sample));
  return { quant, stats };
}

function layerNormStats(x: FloatTensor, w: number): { variances: number[]; normalized: Float64Array } {
  const variances: number[] = [];
  const normalized = new Float64Array(x.data.length);
  for (let o = 0; o < x.data.length; o += w) {
    let mu = 0;
    for (let j = 0; j < w; j++) mu += x.data[o + j]!;
    mu /= w;
    let v = 0;
    for (let j = 0; j < w; j++) v += (x.data[o + j]! - mu) ** 2;
    v /= w;
    variances.push(v);
    for (let j = 0; j < w; j++) normalized[o + j] = (x.data[o + j]! - mu) / Math.sqrt(v + 1e-5);
  }
  return { variances, normalized };
}

function scores(q: FloatTensor, k: FloatTensor): number[] {
  const [H, T, d] = q.shape as [number, number, number];
  const out: number[] = [];
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < T; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += q.data[h * T * d + i * d + t]! * k.data[h * T * d + j * d + t]!;
        out.push(s / Math.sqrt(d));
      }
    }
  }
  return out.length ? out : [0];
}

