/**
 * erf and √ by table lookup, with tables built in exact bigint arithmetic
 * (the same bytes on every JS engine), for the functions `tables.ts` does not
 * carry. The table is a custom two-column table of the gadget context (a tag
 * column plus input and output), registered once per spec:
 *
 *   | x (copy) | y (eq) | q |        lookup (q, q·x, q·y) ∈ (tag, x_T, f(x_T))
 *
 *   erf   y = round(2^t · erf(d / 2^s))     Maclaurin series at 192 bits, ±1 beyond |x| ≥ 8
 *   sqrt  y = round(2^t · √(d / 2^s))       exact (integer square root), d ≥ 0
 *
 * Error: at most half an output ulp, 2^−(t+1), at the quantized input (the
 * erf series is summed until its terms vanish at 2^−192: its error is far
 * below a rounding tie). Inputs outside [min, max] fail the lookup.
 */
import type { AdviceColumn, Layouter, Selector } from '../plonkish/frontend/index.js';
import type { CustomTableColumns, GadgetContext } from './context.js';
import { isqrt, ONE, piFix, PRECISION, roundFix, sqrtRatRound } from './exact.js';
import { assignTableFunction } from './lookup-fn.js';
import { type AssignedTensor, GadgetError } from './tensor.js';

export type ExactFn = 'erf' | 'sqrt';

export interface ExactFnSpec {
  readonly fn: ExactFn;
  /** s: the input d means d / 2^s. */
  readonly inScale: number;
  /** t: outputs are round(2^t · f(x)). */
  readonly outScale: number;
  /** Smallest and largest integer input (inclusive). */
  readonly min: number;
  readonly max: number;
}

export interface ExactFnTable {
  readonly spec: ExactFnSpec;
  readonly inputs: BigInt64Array;
  readonly outputs: BigInt64Array;
}

export function exactFnKey(spec: ExactFnSpec): string {
  return `${spec.fn}:s=${spec.inScale}:t=${spec.outScale}:[${spec.min},${spec.max}]`;
}

function checkSpec(spec: ExactFnSpec): void {
  const where = `table ${exactFnKey(spec)}`;
  if (spec.fn !== 'erf' && spec.fn !== 'sqrt') throw new GadgetError(`${where}: expected fn erf or sqrt, got ${JSON.stringify(spec.fn)}`);
  if (!Number.isSafeInteger(spec.min) || !Number.isSafeInteger(spec.max) || spec.max < spec.min) throw new GadgetError(`${where}: expected integers min ≤ max, got [${spec.min}, ${spec.max}]`);
  if (!Number.isInteger(spec.inScale) || spec.inScale < 0 || !Number.isInteger(spec.outScale) || spec.outScale < 0 || spec.outScale > 40) {
    throw new GadgetError(`${where}: expected scales 0 ≤ s and 0 ≤ t ≤ 40, got s=${spec.inScale}, t=${spec.outScale}`);
  }
  if (spec.fn === 'sqrt' && spec.min < 0) throw new GadgetError(`${where}: sqrt needs inputs ≥ 0, got min ${spec.min}`);
}

let twoOverSqrtPi: bigint | undefined;
const ERF_SATURATED = 8n * ONE;

/** erf(x / 2^P) · 2^P for x ≥ 0 (Maclaurin: 2/√π · Σ (−1)^n x^(2n+1) / (n!·(2n+1))). */
export function erfFix(x: bigint): bigint {
  if (x < 0n) return -erfFix(-x);
  if (x >= ERF_SATURATED) return ONE; // erfc(8) < 2^−95: 1 at every output scale ≤ 40 (and far below 2^−P·2^t ties)
  twoOverSqrtPi ??= (2n * ONE * ONE) / isqrt(piFix() << PRECISION);
  const x2 = (x * x) >> PRECISION;
  // 64 guard bits on top of P: the alternating terms reach ~2^91 for x < 8
  const G = 64n;
  let term = x << G;
  let sum = term;
  for (let n = 1n; term !== 0n; n++) {
    term = -((term * x2) >> PRECISION) / n;
    sum += term / (2n * n + 1n);
  }
  return ((sum >> G) * twoOverSqrtPi) >> PRECISION;
}

/** One entry: round(2^t · f(d / 2^s)). */
export function exactFnEntry(spec: ExactFnSpec, d: bigint): bigint {
  const { inScale: s, outScale: t } = spec;
  if (spec.fn === 'sqrt') {
    if (d < 0n) throw new GadgetError(`table ${exactFnKey(spec)}: sqrt of the negative input ${d}`);
    // 2^t·√(d / 2^s) = √(d·2^(2t) / 2^s)
    return 2 * t >= s ? sqrtRatRound(d << BigInt(2 * t - s), 1n) : sqrtRatRound(d, 1n << BigInt(s - 2 * t));
  }
  return roundFix(erfFix((d << PRECISION) >> BigInt(s)), t);
}

/**
 * The whole table, inputs min … max in order. erf is monotone, so once an
 * entry rounds to ±2^t every entry further out does too (not recomputed).
 */
export function buildExactFnTable(spec: ExactFnSpec): ExactFnTable {
  checkSpec(spec);
  const size = spec.max - spec.min + 1;
  const inputs = BigInt64Array.from({ length: size }, (_, i) => BigInt(spec.min + i));
  const outputs = new BigInt64Array(size);
  if (spec.fn === 'sqrt') {
    inputs.forEach((d, i) => (outputs[i] = exactFnEntry(spec, d)));
    return { spec, inputs, outputs };
  }
  const one = 1n << BigInt(spec.outScale);
  const zero = -spec.min; // index of d = 0 (may be outside the table)
  const fill = (from: number, to: number, step: number, limit: bigint) => {
    let saturated = false;
    for (let i = from; i !== to; i += step) {
      outputs[i] = saturated ? limit : exactFnEntry(spec, inputs[i]!);
      saturated = outputs[i] === limit;
    }
  };
  fill(Math.max(0, Math.min(size, zero)), size, 1, one);
  fill(Math.min(size, Math.max(0, zero)) - 1, -1, -1, -one);
  return { spec, inputs, outputs };
}

export function exactFnSpecValues(table: ExactFnTable, x: ArrayLike<bigint>, where = table.spec.fn): BigInt64Array {
  const { min, max } = table.spec;
  return BigInt64Array.from({ length: x.length }, (_, i) => {
    const j = Number(x[i]!) - min;
    if (!(j >= 0 && j < table.outputs.length)) throw new GadgetError(`${where}: input ${x[i]} is outside the table range [${min}, ${max}] of ${exactFnKey(table.spec)}`);
    return table.outputs[j]!;
  });
}

/** Built tables, shared by every chip and spec evaluation in this process (they are pure functions of the spec). */
const built = new Map<string, ExactFnTable>();
export function exactFnTable(spec: ExactFnSpec): ExactFnTable {
  const key = exactFnKey(spec);
  let t = built.get(key);
  if (!t) built.set(key, (t = buildExactFnTable(spec)));
  return t;
}

export class ExactFnChip {
  private constructor(
    readonly name: string,
    readonly spec: ExactFnSpec,
    readonly table: CustomTableColumns,
    readonly x: AdviceColumn,
    readonly y: AdviceColumn,
    readonly q: Selector,
  ) {}

  static configure(ctx: GadgetContext, spec: ExactFnSpec, name: string = spec.fn): ExactFnChip {
    checkSpec(spec);
    const cs = ctx.cs;
    const x = cs.adviceColumn({ name: `${name}.x` });
    const y = cs.adviceColumn({ name: `${name}.y` });
    cs.enableEquality(x);
    cs.enableEquality(y);
    const q = cs.selector({ name: `${name}.q` });
    const table = ctx.customTable(exactFnKey(spec), 2, () => {
      const t = exactFnTable(spec);
      return [t.inputs, t.outputs];
    });
    cs.lookup(`${name}: ${spec.fn} table`, (meta) => {
      const sel = meta.querySelector(q);
      return [
        [sel, table.tag],
        [sel.mul(meta.query(x)), table.columns[0]!],
        [sel.mul(meta.query(y)), table.columns[1]!],
      ];
    });
    return new ExactFnChip(name, spec, table, x, y, q);
  }

  /** y = f(x) entrywise at scale t; x must be at the table's input scale. */
  assign(layouter: Layouter, x: AssignedTensor): AssignedTensor {
    return assignTableFunction(layouter, this, x, () => exactFnTable(this.spec).outputs);
  }
}
