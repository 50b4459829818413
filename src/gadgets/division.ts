/**
 * Division with remainder checks: y = round(a·2^k / b) for b > 0 (the
 * reciprocal of a tensor is a = 1, or use the table in lookup-fn.ts).
 *
 *   | a (copy) | b (copy) | y (eq) | rem | limbs: rem, 2b − 1 − rem, y | q |
 *
 *   q · (2·a·2^k + b − 2·b·y − rem) = 0                 (degree 3)
 *   range rem ∈ [0, 2^R),  2b − 1 − rem ∈ [0, 2^R),  y ∈ signed B bits
 *
 * So 0 ≤ rem < 2b, i.e. y = ⌊(2a·2^k + b) / 2b⌋ = a·2^k / b rounded half
 * up, and b ≥ 1. R = `divisorBits` + 1 bounds 2b; the y range makes the
 * equation an integer identity (no wrap-around in Fr).
 */
import type { AdviceColumn, Layouter, Selector } from '../plonkish/frontend/index.js';
import type { GadgetContext } from './context.js';
import { assignRange, configureRange, copyIn, type RangeConfig, spanCells } from './range.js';
import { type AssignedTensor, assignedTensor, divRound, GadgetError } from './tensor.js';

export interface DivParams {
  /** k: numerator scaled by 2^k. */
  readonly shift: number;
  /** Divisors satisfy 1 ≤ b < 2^divisorBits. */
  readonly divisorBits: number;
  /** Signed bit bound of y. */
  readonly outBits: number;
  readonly name?: string;
}

export function divSpec(a: ArrayLike<bigint>, b: ArrayLike<bigint>, shift: number): BigInt64Array {
  return BigInt64Array.from({ length: a.length }, (_, i) => divRound(a[i]! << BigInt(shift), b[i]!));
}

export class DivChip {
  private constructor(
    readonly name: string,
    readonly params: DivParams,
    readonly cols: { a: AdviceColumn; b: AdviceColumn; y: AdviceColumn; rem: AdviceColumn },
    readonly q: Selector,
    readonly ranges: { rem: RangeConfig; gap: RangeConfig; y: RangeConfig },
  ) {}

  static configure(ctx: GadgetContext, params: DivParams): DivChip {
    const name = params.name ?? 'div';
    const cs = ctx.cs;
    const adv = (s: string) => cs.adviceColumn({ name: `${name}.${s}` });
    const cols = { a: adv('a'), b: adv('b'), y: adv('y'), rem: adv('rem') };
    for (const c of [cols.a, cols.b, cols.y]) cs.enableEquality(c);
    const q = cs.selector({ name: `${name}.q` });
    const k = 1n << BigInt(params.shift + 1);
    cs.createGate(`${name}: divide`, (meta) => {
      const b = meta.query(cols.b);
      return [meta.querySelector(q).mul(meta.query(cols.a).scale(k).add(b).sub(b.mul(meta.query(cols.y)).scale(2)).sub(meta.query(cols.rem)))];
    });
    const R = params.divisorBits + 1;
    const ranges = {
      rem: configureRange(ctx, `${name}.rem`, q, (meta) => meta.query(cols.rem), R),
      gap: configureRange(ctx, `${name}.gap`, q, (meta) => meta.query(cols.b).scale(2).sub(1).sub(meta.query(cols.rem)), R),
      y: configureRange(ctx, `${name}.y`, q, (meta) => meta.query(cols.y), params.outBits, true),
    };
    return new DivChip(name, params, cols, q, ranges);
  }

  /** y = round(a·2^k / b) entrywise, scale a.scale + k − b.scale. */
  assign(layouter: Layouter, a: AssignedTensor, b: AssignedTensor): AssignedTensor {
    const n = a.cells.length;
    if (b.cells.length !== n) throw new GadgetError(`${this.name}: expected equal sizes, got ${n} and ${b.cells.length}`);
    const k = this.params.shift;
    const ab = a.values.zip(b.values);
    const y = ab.map(([x, z]) => BigInt64Array.from(x, (v, i) => (z[i]! > 0n ? divRound(v << BigInt(k), z[i]!) : 0n)));
    const rem = ab.zip(y).map(([[x, z], w]) => BigInt64Array.from(x, (v, i) => 2n * (v << BigInt(k)) + z[i]! - 2n * z[i]! * w[i]!));
    const gap = ab.zip(rem).map(([[, z], r]) => BigInt64Array.from(z, (v, i) => 2n * v - 1n - r[i]!));
    const cells = layouter.region(this.name, (region) => {
      copyIn(region, this.cols.a, 0, a);
      copyIn(region, this.cols.b, 0, b);
      const out = spanCells(region.assignAdviceColumn(this.cols.y, 0, y, n));
      region.assignAdviceColumn(this.cols.rem, 0, rem, n);
      region.enableSelectorRange(this.q, 0, n);
      assignRange(region, this.ranges.rem, 0, rem, n);
      assignRange(region, this.ranges.gap, 0, gap, n);
      assignRange(region, this.ranges.y, 0, y, n);
      return out;
    });
    return assignedTensor(a.shape, a.scale + k - b.scale, cells, y);
  }
}
