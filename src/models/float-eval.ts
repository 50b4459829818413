/**
 * The float64 reference evaluator: the model in ordinary real arithmetic
 * (GELU in GPT-2's tanh form, softmax with the max subtracted, LayerNorm with
 * ε = 1e-5, causal attention scaled by 1/√d). The quantized evaluator is
 * measured against it.
 */
import { type Graph, GraphError, inferShapes, numel, type TableFnName, transposeIndices, weightData } from './ir.js';

export interface FloatTensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export const LAYERNORM_EPS = 1e-5;

export function geluFloat(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

/** erf(x), |error| < 1.2e-7 (Numerical Recipes erfc with a Chebyshev fit). */
export function erfFloat(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

/** The real functions of the IR's `fn` op. */
export const TABLE_FN_FLOAT: Readonly<Record<TableFnName, (x: number) => number>> = {
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  exp: Math.exp,
  erf: erfFloat,
  sqrt: Math.sqrt,
};

/**
 * Evaluate the graph. `inputs` by name (ids as integers); `weights` overrides
 * weights by name (e.g. their dequantized values). Returns every tensor.
 */
export function evaluateFloat(g: Graph, inputs: Readonly<Record<string, ArrayLike<number>>>, weights: Readonly<Record<string, Float64Array>> = {}): Map<string, FloatTensor> {
  const info = inferShapes(g);
  const env = new Map<string, FloatTensor>();
  for (const i of g.inputs) {
    const v = inputs[i.name];
    if (!v) throw new GraphError(`evaluateFloat: missing input "${i.name}"`);
    if (v.length !== numel(i.shape)) throw new GraphError(`evaluateFloat: input "${i.name}" needs ${numel(i.shape)} values, got ${v.length}`);
    env.set(i.name, { shape: i.shape, data: Float64Array.from(v) });
  }
  for (const w of g.weights) env.set(w.name, { shape: w.shape, data: weights[w.name] ?? weightData(w) });
  const get = (name: string) => env.get(name)!;
  for (const n of g.nodes) {
    const x = n.inputs.map(get);
    const shape = info.get(n.output)!.shape;
    const out = new Float64Array(numel(shape));
    const a = x[0]!.data;
    switch (n.op) {
      case 'matmul': {
        const [m, k] = x[0]!.shape as [number, number];
        const p = x[1]!.shape[1]!;
        const b = x[1]!.data;
        for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) {
          let s = 0;
          for (let t = 0; t < k; t++) s += a[i * k + t]! * b[t * p + j]!;
          out[i * p + j] = s;
        }
        if (x[2]) for (let i = 0; i < out.length; i++) out[i]! += x[2].data[i % x[2].data.length]!;
        break;
      }
      case 'add':
      case 'mul': {
        const b = x[1]!.data;
        for (let i = 0; i < out.length; i++) out[i] = n.op === 'add' ? a[i]! + b[i % b.length]! : a[i]! * b[i % b.length]!;
        break;
      }
      case 'relu':
        for (let i = 0; i < out.length; i++) out[i] = Math.max(0, a[i]!);
        break;
      case 'gelu':
        for (let i = 0; i < out.length; i++) out[i] = geluFloat(a[i]!);
        break;
      case 'softmax': {
        const w = shape[shape.length - 1]!;
        for (let o = 0; o < out.length; o += w) {
          let mx = -Infinity;
          for (let j = 0; j < w; j++) mx = Math.max(mx, a[o + j]!);
          let s = 0;
          for (let j = 0; j < w; j++) s += out[o + j] = Math.exp(a[o + j]! - mx);
          for (let j = 0; j < w; j++) out[o + j]! /= s;
        }
        break;
      }
      case 'layernorm': {
        const w = shape[shape.length - 1]!;
        const gamma = x[1]!.data;
        const beta = x[2]!.data;
        for (let o = 0; o < out.length; o += w) {
          let mu = 0;
          for (let j = 0; j < w; j++) mu += a[o + j]!;
          mu /= w;
          let v = 0;
          for (let j = 0; j < w; j++) v += (a[o + j]! - mu) ** 2;
          const inv = 1 / Math.sqrt(v / w + (n.attrs.eps ?? LAYERNORM_EPS));
          for (let j = 0; j < w; j++) out[o + j] = (a[o + j]! - mu) * inv * gamma[j]! + beta[j]!;
        }
        break;
      }
      case 'reshape':
        out.set(a);
        break;
      case 'transpose': {
        const perm = n.attrs.perm ?? x[0]!.shape.map((_, i) => x[0]!.shape.length - 1 - i);
        transposeIndices(x[0]!.shape, perm).forEach((src, i) => (out[i] = a[src]!));
        break;
      }
      case 'slice': {
        const row = numel(x[0]!.shape.slice(1));
        out.set(a.subarray((n.attrs.start ?? 0) * row, (n.attrs.start ?? 0) * row + out.length));
        break;
      }
      case 'gather': {
        const [vocab, d] = x[0]!.shape as [number, number];
        const ids = x[1]!.data;
        ids.forEach((id, t) => {
          if (!(Number.isInteger(id) && id >= 0 && id < vocab)) throw new GraphError(`node ${n.name}: token id ${id} outside [0, ${vocab})`);
          out.set(a.subarray(id * d, id * d + d), t * d);
        });
        break;
      }
      case 'attention': {
        const [H, T, d] = shape as [number, number, number];
        const q = a;
        const k = x[1]!.data;
        const v = x[2]!.data;
        const c = 1 / Math.sqrt(d);
        const p = new Float64Array(T);
        for (let h = 0; h < H; h++) {
          const o = h * T * d;
          for (let i = 0; i < T; i++) {
            let mx = -Infinity;
            for (let j = 0; j <= i; j++) {
              let s = 0;
              for (let t = 0; t < d; t++) s += q[o + i * d + t]! * k[o + j * d + t]!;
              p[j] = s * c;
              mx = Math.max(mx, p[j]!);
            }
            let sum = 0;
            for (let j = 0; j <= i; j++) sum += p[j] = Math.exp(p[j]! - mx);
            for (let t = 0; t < d; t++) {
              let s = 0;
              for (let j = 0; j <= i; j++) s += p[j]! * v[o + j * d + t]!;
              out[o + i * d + t] = s / sum;
            }
          }
        }
        break;
      }
      case 'view': {
        const all = x.length === 1 ? a : concatFloat(x.map((t) => t.data));
        n.attrs.indices!.forEach((src, i) => (out[i] = all[src]!));
        break;
      }
      case 'rowmax': {
        const w = x[0]!.shape[x[0]!.shape.length - 1]!;
        for (let r = 0; r < out.length; r++) {
          let m = -Infinity;
          for (let j = 0; j < w; j++) m = Math.max(m, a[r * w + j]!);
          out[r] = m;
        }
        break;
      }
      case 'fn': {
        const f = TABLE_FN_FLOAT[n.attrs.fn!];
        for (let i = 0; i < out.length; i++) out[i] = f(a[i]!);
        break;
      }
    }
    env.set(n.output, { shape, data: out });
  }
  return env;
}

function concatFloat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}
