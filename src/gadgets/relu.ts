/**
 * ReLU by a sign bit and a range check (no table over the input range).
 *
 *   | x (copy) | y (eq) | b | limbs of (2b − 1)·x − (1 − b) | q |
 *
 *   q · b·(b − 1) = 0,   q · (y − b·x) = 0,
 *   range  (2b − 1)·x − (1 − b) ∈ [0, 2^B)
 *
 * b = 1 forces x ∈ [0, 2^B), b = 0 forces −x − 1 ∈ [0, 2^B), i.e. x < 0:
 * b is the sign bit, unique for every x (x = 0 takes b = 1), and y = max(x, 0).
 * Inputs must satisfy |x| < 2^B (B = `bits`, default the circuit's value bound).
 */
import type { AdviceColumn, Layouter, Selector } from '../plonkish/frontend/index.js';
import type { GadgetContext } from './context.js';
import { assignRange, configureRange, copyIn, mapValues, type RangeConfig, spanCells } from './range.js';
import { type AssignedTensor, assignedTensor } from './tensor.js';

export function reluSpec(x: ArrayLike<bigint>): BigInt64Array {
  return BigInt64Array.from({ length: x.length }, (_, i) => (x[i]! > 0n ? x[i]! : 0n));
}

export class ReluChip {
  private constructor(
    readonly name: string,
    readonly x: AdviceColumn,
    readonly y: AdviceColumn,
    readonly b: AdviceColumn,
    readonly q: Selector,
    readonly range: RangeConfig,
  ) {}

  static configure(ctx: GadgetContext, options: { bits: number; name?: string }): ReluChip {
    const name = options.name ?? 'relu';
    const cs = ctx.cs;
    const x = cs.adviceColumn({ name: `${name}.x` });
    const y = cs.adviceColumn({ name: `${name}.y` });
    const b = cs.adviceColumn({ name: `${name}.sign` });
    cs.enableEquality(x);
    cs.enableEquality(y);
    const q = cs.selector({ name: `${name}.q` });
    cs.createGate(`${name}: sign`, (meta) => {
      const s = meta.querySelector(q);
      const bit = meta.query(b);
      return [
        ['bit', s.mul(bit.mul(bit.sub(1)))],
        ['y = b·x', s.mul(meta.query(y).sub(bit.mul(meta.query(x))))],
      ];
    });
    const range = configureRange(ctx, `${name}.sign`, q, (meta) => {
      const bit = meta.query(b);
      return bit.scale(2).sub(1).mul(meta.query(x)).sub(bit.neg().add(1));
    }, options.bits);
    return new ReluChip(name, x, y, b, q, range);
  }

  assign(layouter: Layouter, x: AssignedTensor): AssignedTensor {
    const n = x.cells.length;
    const y = mapValues(x.values, (v) => (v > 0n ? v : 0n));
    const b = mapValues(x.values, (v) => (v >= 0n ? 1n : 0n));
    const checked = mapValues(x.values, (v) => (v >= 0n ? v : -v - 1n));
    const cells = layouter.region(this.name, (region) => {
      copyIn(region, this.x, 0, x);
      const out = spanCells(region.assignAdviceColumn(this.y, 0, y, n));
      region.assignAdviceColumn(this.b, 0, b, n);
      region.enableSelectorRange(this.q, 0, n);
      assignRange(region, this.range, 0, checked, n);
      return out;
    });
    return assignedTensor(x.shape, x.scale, cells, y);
  }
}
