/**
 * Rescale (fixed-point truncation with rounding): y = round(c·x / 2^k), the
 * step after every product (scale 2s → s), with an optional constant
 * multiplier c (attention's 1/√d folded in).
 *
 *   | x (copy) | y (eq) | r | r limbs | y limbs | q |
 *
 *   gate  q · (c·x + 2^(k−1) − y·2^k − r) = 0
 *   range r ∈ [0, 2^k),  y ∈ [−2^(B−1), 2^(B−1))     (B = outBits)
 *
 * Rounding: half up (toward +∞ on ties), y = ⌊(c·x + 2^(k−1)) / 2^k⌋. The
 * range on y is what makes the division exact: without it a wrong r would
 * pass with y = (c·x + 2^(k−1) − r)/2^k a huge field element. It also flags
 * overflow of the output bound.
 */
import type { AdviceColumn, Layouter, Selector } from '../plonkish/frontend/index.js';
import type { GadgetContext } from './context.js';
import { assignRange, configureRange, copyIn, mapValues, type RangeConfig, spanCells } from './range.js';
import { type AssignedTensor, assignedTensor, GadgetError, roundShift } from './tensor.js';

export interface RescaleParams {
  /** k ≥ 1: divide by 2^k. */
  readonly shift: number;
  /** c (default 1). */
  readonly multiplier?: bigint;
  /** B: signed bit bound of the output. */
  readonly outBits: number;
  readonly name?: string;
}

export function rescaleSpec(x: ArrayLike<bigint>, shift: number, multiplier = 1n): BigInt64Array {
  return BigInt64Array.from({ length: x.length }, (_, i) => roundShift(x[i]! * multiplier, shift));
}

export class RescaleChip {
  private constructor(
    readonly name: string,
    readonly params: RescaleParams,
    readonly x: AdviceColumn,
    readonly y: AdviceColumn,
    readonly r: AdviceColumn,
    readonly q: Selector,
    readonly rRange: RangeConfig,
    readonly yRange: RangeConfig,
  ) {}

  static configure(ctx: GadgetContext, params: RescaleParams): RescaleChip {
    const name = params.name ?? 'rescale';
    if (!Number.isInteger(params.shift) || params.shift < 1) throw new GadgetError(`${name}: expected shift ≥ 1, got ${params.shift}`);
    const cs = ctx.cs;
    const x = cs.adviceColumn({ name: `${name}.x` });
    const y = cs.adviceColumn({ name: `${name}.y` });
    const r = cs.adviceColumn({ name: `${name}.r` });
    cs.enableEquality(x);
    cs.enableEquality(y);
    const q = cs.selector({ name: `${name}.q` });
    const k = BigInt(params.shift);
    const c = params.multiplier ?? 1n;
    cs.createGate(`${name}: round`, (meta) => [
      meta.querySelector(q).mul(meta.query(x).scale(c).add(1n << (k - 1n)).sub(meta.query(y).scale(1n << k)).sub(meta.query(r))),
    ]);
    const rRange = configureRange(ctx, `${name}.r`, q, (meta) => meta.query(r), params.shift);
    const yRange = configureRange(ctx, `${name}.y`, q, (meta) => meta.query(y), params.outBits, true);
    return new RescaleChip(name, params, x, y, r, q, rRange, yRange);
  }

  /** y = round(c·x / 2^k) entrywise, at scale `outScale` (default x.scale − k). */
  assign(layouter: Layouter, x: AssignedTensor, outScale = x.scale - this.params.shift): AssignedTensor {
    const n = x.cells.length;
    const c = this.params.multiplier ?? 1n;
    const k = this.params.shift;
    const y = mapValues(x.values, (v) => roundShift(v * c, k));
    const r = x.values.zip(y).map(([xs, ys]) => BigInt64Array.from(xs, (v, i) => v * c + (1n << BigInt(k - 1)) - (ys[i]! << BigInt(k))));
    const cells = layouter.region(this.name, (region) => {
      copyIn(region, this.x, 0, x);
      const out = spanCells(region.assignAdviceColumn(this.y, 0, y, n));
      region.assignAdviceColumn(this.r, 0, r, n);
      region.enableSelectorRange(this.q, 0, n);
      assignRange(region, this.rRange, 0, r, n);
      assignRange(region, this.yRange, 0, y, n);
      return out;
    });
    return assignedTensor(x.shape, outScale, cells, y);
  }
}
