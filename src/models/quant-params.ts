/**
 * Quantization settings and the helpers the op definitions share for their
 * quantized (bigint) evaluation: per-op gadget parameters derived from the
 * settings, the table an `fn` op uses, quantize/dequantize, and the range
 * checks that throw a `QuantRangeError` naming the tensor. Split from
 * quant.ts (the evaluator) so ops/*.ts can use them while quant.ts
 * dispatches through the op registry.
 */
import { fnSpec, type FnTableSpec } from '../gadgets/index.js';
import type { ExactFnSpec } from '../gadgets/lookup-exact.js';
import { GraphError, type TableFnName } from './graph.js';

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
/** ε as the rational the LayerNorm rsqrt uses: 1e-5 → 1/100000 (exact decimal, up to 12 digits). */
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

/** Throws a QuantRangeError naming `name` when an entry leaves |q| < 2^(B−1). */
export function checkBits(name: string, data: BigInt64Array, q: QuantParams): void {
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

/** Throws a QuantRangeError naming `name` when an entry leaves a table's input range [min, max]. */
export function checkTable(name: string, data: ArrayLike<bigint>, min: bigint, max: bigint, table: string, q: QuantParams, hint: string): void {
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

/** Broadcast b (a trailing shape of a) to a's size. */
export function broadcastBig(b: BigInt64Array, size: number): BigInt64Array {
  if (b.length === size) return b;
  return BigInt64Array.from({ length: size }, (_, i) => b[i % b.length]!);
}
