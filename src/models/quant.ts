/**
 * Quantization settings and the quantized (bigint) evaluator: exactly what
 * the compiled circuit computes, op by op, through the gadgets' bigint specs.
 *
 * Fixed point: every real tensor (activations and weights) is at one binary
 * scale s (q = round(x·2^s)); token ids are integers (scale 0). Per op:
 *   matmul   C = round(A·B / 2^s) (+ bias at scale s)      Freivalds + rescale (+ add)
 *   add      a + b                                          |result| < 2^(B−1) proven
 *   mul      round(a·b / 2^s)
 *   relu     max(x, 0)
 *   gelu     table lookup over the calibrated input range [min, max]
 *   softmax  zkAttn (softmax.ts), output scale s
 *   layernorm  y = LN(x) (rsqrt table over variance in [0, 2^R)), then ·γ (mul) and +β (add)
 *   attention  attention.ts (Freivalds QKᵀ, scaled scores, softmax, P·V)
 *   view     entries picked from the inputs (exact, no constraints)
 *   rowmax   max over the last axis (max.ts)
 *   fn       table lookup over the calibrated input range `fnRanges[fn]`: sigmoid, tanh, exp
 *            (tables.ts), erf, sqrt (lookup-exact.ts); ½ output ulp at the quantized input
 * Every real tensor must satisfy |q| < 2^(B−1) (B = `bits`); a tensor that
 * leaves that range or a table's range throws a `QuantRangeError` naming it.
 */
import {
  attentionSpec,
  buildTable,
  type FnTable,
  fnSpec,
  type FnTableSpec,
  GadgetError,
  layerNormSpec,
  lookupFnSpec,
  matmulSpec,
  rescaleSpec,
  reluSpec,
  rowMaxSpec,
  scoreScaling,
  softmaxSpec,
  tableKey,
} from '../gadgets/index.js';
import { type Graph, GraphError, inferShapes, numel, type TableFnName, transposeIndices, weightData } from './ir.js';
import { lowerIndices } from '../gadgets/attention.js';
import { type ExactFnSpec, exactFnKey, exactFnSpecValues, exactFnTable } from '../gadgets/lookup-exact.js';

export interface QuantParams {
  /** s: binary scale of every real tensor. */
  readonly scale: number;
  /** B: every real tensor satisfies |q| < 2^(B−1). */
  readonly bits: number;
  /** Integer input range of the GELU table (inclusive). */
  readonly gelu: { readonly min: number; readonly max: number };
  /** R: LayerNorm variances (scale s) lie in [0, 2^R). */
  readonly varBits: number;
  /** Softmax factor scale t (default 16). */
  readonly expScale?: number;
  /** Range-check limb bits (default 8). */
  readonly limbBits?: number;
  /** Integer input range (inclusive) of each `fn` op's table, by function. */
  readonly fnRanges?: Readonly<Partial<Record<TableFnName, FnRange>>>;
}

export interface FnRange {
  readonly min: number;
  readonly max: number;
}

export class QuantRangeError extends GraphError {
  constructor(
    message: string,
    readonly tensor: string,
  ) {
    super(message);
  }
}

export interface QTensor {
  readonly shape: readonly number[];
  readonly data: BigInt64Array;
  /** 0 for ids. */
  readonly scale: number;
}

export function geluTableSpec(q: QuantParams): FnTableSpec {
  return fnSpec('gelu', q.scale, q.scale, q.gelu.min, q.gelu.max);
}
export function softmaxParamsFor(q: QuantParams, width: number, name?: string) {
  return { inScale: q.scale, inBits: q.bits, maxWidth: width, expScale: q.expScale ?? 16, outScale: q.scale, ...(name ? { name } : {}) };
}
export function layerNormParamsFor(q: QuantParams, width: number, name?: string, eps?: number) {
  return { scale: q.scale, bits: q.bits, width, varBits: q.varBits, ...(eps === undefined ? {} : { eps: epsRational(eps) }), ...(name ? { name } : {}) };
}
/** ε as the rational the rsqrt table uses: 1e-5 → 1/100000 (exact decimal, up to 12 digits). */
export function epsRational(eps: number): readonly [bigint, bigint] {
  if (!(eps > 0 && eps < 1)) throw new GraphError(`layernorm: expected 0 < ε < 1, got ${eps}`);
  const den = 10n ** 12n;
  const num = BigInt(Math.round(eps * 1e12));
  if (num === 0n) throw new GraphError(`layernorm: ε = ${eps} is below 1e-12`);
  let [a, b] = [num, den];
  while (b) [a, b] = [b, a % b];
  return [num / a, den / a];
}

/** The table of an `fn` op: a tables.ts function table or a lookup-exact.ts table. */
export type FnOpTable = { readonly kind: 'fn'; readonly spec: FnTableSpec } | { readonly kind: 'exact'; readonly spec: ExactFnSpec };
export function fnTableFor(q: QuantParams, fn: TableFnName): FnOpTable {
  const r = q.fnRanges?.[fn];
  if (!r) throw new GraphError(`quant: no input range for ${fn} (quant.fnRanges.${fn}); calibrate with sample inputs`);
  return fn === 'erf' || fn === 'sqrt'
    ? { kind: 'exact', spec: { fn, inScale: q.scale, outScale: q.scale, min: r.min, max: r.max } }
    : { kind: 'fn', spec: fnSpec(fn, q.scale, q.scale, r.min, r.max) };
}
/**
 * The table range for inputs observed in [min, max] (floats): widened by
 * `margin` away from 0, inside the B-bit range; sqrt from 0; exp up to the
 * input whose output still fits B bits (table outputs are not range-checked).
 */
export function fnRangeFor(fn: TableFnName, observed: FnRange, scale: number, bits: number, margin: number): FnRange {
  const lim = 2 ** (bits - 1);
  let min = Math.max(-lim, Math.floor(Math.min(0, observed.min) * margin * 2 ** scale) - 1);
  let max = Math.min(lim - 1, Math.ceil(Math.max(0, observed.max) * margin * 2 ** scale) + 1);
  if (fn === 'sqrt') min = 0;
  if (fn === 'exp') max = Math.min(max, Math.floor(Math.log((lim - 1) / 2 ** scale) * 2 ** scale));
  return { min, max };
}
export function attentionParamsFor(q: QuantParams, shape: readonly number[], name?: string) {
  const [heads, tokens, headDim] = shape as [number, number, number];
  return { heads, tokens, headDim, scale: q.scale, bits: q.bits, expScale: q.expScale ?? 16, ...(name ? { name } : {}) };
}

/** q = round(x·2^s) (exact in float64 for |x·2^s| < 2^53). */
export function quantizeValues(values: ArrayLike<number>, scale: number, where: string): BigInt64Array {
  const f = 2 ** scale;
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i]! * f);
    if (!Number.isSafeInteger(v)) throw new QuantRangeError(`${where}: entry ${i} = ${values[i]} cannot be quantized at scale 2^${scale}`, where);
    out[i] = BigInt(v);
  }
  return out;
}

export function dequantizeValues(values: ArrayLike<bigint>, scale: number): Float64Array {
  const f = 2 ** -scale;
  return Float64Array.from({ length: values.length }, (_, i) => Number(values[i]!) * f);
}

/** Quantized weights by name, computed on first use (cost estimates never touch them). */
export class QuantizedWeights {
  private readonly cache = new Map<string, BigInt64Array>();
  constructor(
    readonly graph: Graph,
    readonly scale: number,
  ) {}
  get(name: string): BigInt64Array {
    let q = this.cache.get(name);
    if (!q) {
      const w = this.graph.weights.find((x) => x.name === name);
      if (!w) throw new GraphError(`weights: no weight "${name}"`);
      this.cache.set(name, (q = quantizeValues(weightData(w), this.scale, `weight ${name}`)));
    }
    return q;
  }
  /** Float values on the quantization grid (for comparing against the float evaluator). */
  dequantized(): Record<string, Float64Array> {
    return Object.fromEntries(this.graph.weights.map((w) => [w.name, dequantizeValues(this.get(w.name), this.scale)]));
  }
}

function checkBits(name: string, data: BigInt64Array, q: QuantParams): void {
  const lim = 1n << BigInt(q.bits - 1);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < -lim || v >= lim) {
      const real = Number(v) / 2 ** q.scale;
      throw new QuantRangeError(
        `tensor "${name}" leaves the ${q.bits}-bit range: entry ${i} = ${real} (quantized ${v}) is outside [${-lim}, ${lim}) at scale 2^${q.scale}; ` +
          `recalibrate (a larger bits) with inputs like this one`,
        name,
      );
    }
  }
}

function checkTable(name: string, data: ArrayLike<bigint>, min: bigint, max: bigint, table: string, q: QuantParams, hint: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min || v > max) {
      const real = Number(v) / 2 ** q.scale;
      throw new QuantRangeError(
        `tensor "${name}" leaves the ${table} table's range: entry ${i} = ${real} (quantized ${v}) is outside [${min}, ${max}] at scale 2^${q.scale}; ${hint}`,
        name,
      );
    }
  }
}

function concatBig(parts: readonly BigInt64Array[]): BigInt64Array {
  const out = new BigInt64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/** Broadcast b (a trailing shape of a) to a's size. */
function broadcast(b: BigInt64Array, size: number): BigInt64Array {
  if (b.length === size) return b;
  return BigInt64Array.from({ length: size }, (_, i) => b[i % b.length]!);
}

export class QuantEvaluator {
  private readonly tables = new Map<string, FnTable>();
  constructor(
    readonly graph: Graph,
    readonly quant: QuantParams,
    readonly weights: QuantizedWeights = new QuantizedWeights(graph, quant.scale),
  ) {}

  table(spec: FnTableSpec): FnTable {
    const key = tableKey(spec);
    let t = this.tables.get(key);
    if (!t) this.tables.set(key, (t = buildTable(spec)));
    return t;
  }

  /** Quantize float inputs (ids stay integers) by name. */
  quantizeInputs(inputs: Readonly<Record<string, ArrayLike<number>>>): Record<string, BigInt64Array> {
    const out: Record<string, BigInt64Array> = {};
    for (const i of this.graph.inputs) {
      const v = inputs[i.name];
      if (!v) throw new GraphError(`inputs: missing "${i.name}"`);
      if (v.length !== numel(i.shape)) throw new GraphError(`inputs: "${i.name}" needs ${numel(i.shape)} values (shape [${i.shape.join(', ')}]), got ${v.length}`);
      if (i.kind === 'ids') {
        out[i.name] = BigInt64Array.from({ length: v.length }, (_, t) => {
          const id = v[t]!;
          if (!Number.isInteger(id) || id < 0 || (i.vocab !== undefined && id >= i.vocab)) {
            throw new QuantRangeError(`input "${i.name}": token ${t} = ${id} is not an id in [0, ${i.vocab ?? '∞'})`, i.name);
          }
          return BigInt(id);
        });
      } else out[i.name] = quantizeValues(v, this.quant.scale, `input ${i.name}`);
    }
    return out;
  }

  /** Every tensor's quantized value, from quantized inputs. */
  run(inputs: Readonly<Record<string, BigInt64Array>>): Map<string, QTensor> {
    const g = this.graph;
    const q = this.quant;
    const s = q.scale;
    const info = inferShapes(g);
    const env = new Map<string, QTensor>();
    for (const i of g.inputs) {
      const v = inputs[i.name];
      if (!v || v.length !== numel(i.shape)) throw new GraphError(`quantized inputs: "${i.name}" needs ${numel(i.shape)} values, got ${v?.length ?? 'none'}`);
      if (i.kind === 'real') checkBits(i.name, v, q);
      env.set(i.name, { shape: i.shape, data: v, scale: i.kind === 'ids' ? 0 : s });
    }
    const get = (name: string): QTensor => {
      let t = env.get(name);
      if (!t) {
        const w = g.weights.find((x) => x.name === name)!;
        env.set(name, (t = { shape: w.shape, data: this.weights.get(name), scale: s }));
      }
      return t;
    };
    for (const n of g.nodes) {
      const x = n.inputs.map(get);
      const shape = info.get(n.output)!.shape;
      const a = x[0]!.data;
      let out: BigInt64Array;
      switch (n.op) {
        case 'matmul': {
          const [m, k] = x[0]!.shape as [number, number];
          const p = x[1]!.shape[1]!;
          const raw = rescaleSpec(matmulSpec(a, x[1]!.data, m, k, p), s);
          if (x[2]) {
            checkBits(`${n.name}.matmul`, raw, q);
            const b = broadcast(x[2].data, raw.length);
            out = raw.map((v, i) => v + b[i]!);
          } else out = raw;
          break;
        }
        case 'add':
        case 'mul': {
          const b = broadcast(x[1]!.data, a.length);
          out = n.op === 'add' ? a.map((v, i) => v + b[i]!) : rescaleSpec(a.map((v, i) => v * b[i]!), s);
          break;
        }
        case 'relu':
          out = reluSpec(a);
          break;
        case 'gelu': {
          const spec = geluTableSpec(q);
          checkTable(n.inputs[0]!, a, BigInt(spec.min), BigInt(spec.max), 'gelu', q, `recalibrate with inputs like this one or widen quant.gelu`);
          out = lookupFnSpec(this.table(spec), a);
          break;
        }
        case 'softmax': {
          const w = shape[shape.length - 1]!;
          out = softmaxSpec(a, Array(a.length / w).fill(w), softmaxParamsFor(q, w), q.limbBits ?? 8);
          break;
        }
        case 'layernorm': {
          const w = shape[shape.length - 1]!;
          const p = layerNormParamsFor(q, w, undefined, n.attrs.eps);
          let y: BigInt64Array;
          try {
            y = layerNormSpec(a, a.length / w, p);
          } catch (e) {
            if (!(e instanceof GadgetError)) throw e;
            throw new QuantRangeError(
              `tensor "${n.inputs[0]}" (input of layernorm ${n.name}) leaves the rsqrt table's range: a row variance is ≥ 2^${q.varBits} / 2^${s}; recalibrate (a larger varBits) with inputs like this one (${e.message})`,
              n.inputs[0]!,
            );
          }
          checkBits(`${n.name}.norm`, y, q);
          const gamma = broadcast(x[1]!.data, y.length);
          const scaled = rescaleSpec(y.map((v, i) => v * gamma[i]!), s);
          checkBits(`${n.name}.scaled`, scaled, q);
          const beta = broadcast(x[2]!.data, y.length);
          out = scaled.map((v, i) => v + beta[i]!);
          break;
        }
        case 'reshape':
          out = a;
          break;
        case 'transpose': {
          const perm = n.attrs.perm ?? x[0]!.shape.map((_, i) => x[0]!.shape.length - 1 - i);
          out = BigInt64Array.from(transposeIndices(x[0]!.shape, perm), (src) => a[src]!);
          break;
        }
        case 'slice': {
          const row = numel(x[0]!.shape.slice(1));
          const start = (n.attrs.start ?? 0) * row;
          out = a.slice(start, start + numel(shape));
          break;
        }
        case 'gather': {
          const [vocab, d] = x[0]!.shape as [number, number];
          out = new BigInt64Array(numel(shape));
          x[1]!.data.forEach((id, t) => {
            if (!(id >= 0n && id < BigInt(vocab))) throw new QuantRangeError(`node ${n.name}: token id ${id} outside [0, ${vocab})`, n.inputs[1]!);
            out.set(a.subarray(Number(id) * d, Number(id) * d + d), t * d);
          });
          break;
        }
        case 'attention': {
          const p = attentionParamsFor(q, shape);
          this.checkScores(n.name, x[0]!.data, x[1]!.data, shape);
          out = attentionSpec(a, x[1]!.data, x[2]!.data, p, q.limbBits ?? 8);
          break;
        }
        case 'view': {
          const all = x.length === 1 ? a : concatBig(x.map((t) => t.data));
          out = BigInt64Array.from(n.attrs.indices!, (src) => all[src]!);
          break;
        }
        case 'rowmax': {
          const w = x[0]!.shape[x[0]!.shape.length - 1]!;
          out = rowMaxSpec(a, Array(a.length / w).fill(w)).max;
          break;
        }
        case 'fn': {
          const t = fnTableFor(q, n.attrs.fn!);
          const [min, max, key] = t.kind === 'fn' ? [t.spec.min, t.spec.max, tableKey(t.spec)] : [t.spec.min, t.spec.max, exactFnKey(t.spec)];
          checkTable(n.inputs[0]!, a, BigInt(min), BigInt(max), key, q, `recalibrate with inputs like this one or widen quant.fnRanges.${n.attrs.fn}`);
          out = t.kind === 'fn' ? lookupFnSpec(this.table(t.spec), a) : exactFnSpecValues(exactFnTable(t.spec), a);
          break;
        }
      }
      checkBits(n.output, out, q);
      env.set(n.output, { shape, data: out, scale: s });
    }
    return env;
  }

  /** The attention chip range-checks the scaled scores to B bits: name the node when they overflow. */
  private checkScores(name: string, qv: BigInt64Array, kv: BigInt64Array, shape: readonly number[]): void {
    const [H, T, d] = shape as [number, number, number];
    const { multiplier, shift } = scoreScaling(this.quant.scale, d);
    const lower = lowerIndices(T);
    for (let h = 0; h < H; h++) {
      const qh = qv.subarray(h * T * d, (h + 1) * T * d);
      const kt = Array.from({ length: d * T }, (_, i) => kv[h * T * d + (i % T) * d + Math.floor(i / T)]!);
      const sc = matmulSpec(qh, kt, T, d, T);
      checkBits(`${name}.scores`, rescaleSpec(lower.map((i) => sc[i]!), shift, multiplier), this.quant);
    }
  }
}
