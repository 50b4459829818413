/**
 * Elementwise add, sub and mul of two tensors of one shape.
 *
 *   | a (copy) | b (copy) | c (eq) | r (mul) | limbs (mul) | q |
 *
 *   add  q · (a + b − c) = 0
 *   sub  q · (a − b − c) = 0
 *   mul  q · (a·b + 2^(k−1) − c·2^k − r) = 0,  r ∈ [0, 2^k),  c ∈ signed B bits
 *
 * mul is followed by the rescale in the same row (k = `shift`, default the
 * scale of b, so the product keeps a's scale); rounding half up as in
 * `rescale.ts`. add/sub need equal scales; their outputs are bounded by the
 * inputs (|c| < 2^B when |a|, |b| < 2^(B−1)), and an `outBits` option adds a
 * range check on c when a tighter bound must be proven.
 */
import type { AdviceColumn, Layouter, Selector } from '../plonkish/frontend/index.js';
import type { GadgetContext } from './context.js';
import { assignRange, configureRange, copyIn, type RangeConfig, spanCells } from './range.js';
import { type AssignedTensor, assignedTensor, GadgetError, roundShift, sameScale } from './tensor.js';

export type ElementwiseOp = 'add' | 'sub' | 'mul';

export interface ElementwiseParams {
  readonly op: ElementwiseOp;
  /** mul: divide the product by 2^shift (≥ 1). */
  readonly shift?: number;
  /** Signed bit bound of c (required for mul, optional for add/sub). */
  readonly outBits?: number;
  readonly name?: string;
}

export function elementwiseSpec(op: ElementwiseOp, a: ArrayLike<bigint>, b: ArrayLike<bigint>, shift = 0): BigInt64Array {
  return BigInt64Array.from({ length: a.length }, (_, i) =>
    op === 'add' ? a[i]! + b[i]! : op === 'sub' ? a[i]! - b[i]! : roundShift(a[i]! * b[i]!, shift),
  );
}

export class ElementwiseChip {
  private constructor(
    readonly name: string,
    readonly params: ElementwiseParams,
    readonly a: AdviceColumn,
    readonly b: AdviceColumn,
    readonly c: AdviceColumn,
    readonly r: AdviceColumn | undefined,
    readonly q: Selector,
    readonly ranges: readonly [RangeConfig | undefined, RangeConfig | undefined],
  ) {}

  static configure(ctx: GadgetContext, params: ElementwiseParams): ElementwiseChip {
    const name = params.name ?? params.op;
    const cs = ctx.cs;
    const [a, b, c] = ['a', 'b', 'c'].map((s) => cs.adviceColumn({ name: `${name}.${s}` })) as [AdviceColumn, AdviceColumn, AdviceColumn];
    for (const col of [a, b, c]) cs.enableEquality(col);
    const q = cs.selector({ name: `${name}.q` });
    if (params.op !== 'mul') {
      const sign = params.op === 'add' ? 1n : -1n;
      cs.createGate(`${name}: ${params.op}`, (meta) => [meta.querySelector(q).mul(meta.query(a).add(meta.query(b).scale(sign)).sub(meta.query(c)))]);
      const cRange = params.outBits === undefined ? undefined : configureRange(ctx, `${name}.c`, q, (meta) => meta.query(c), params.outBits, true);
      return new ElementwiseChip(name, params, a, b, c, undefined, q, [undefined, cRange]);
    }
    const k = params.shift;
    if (k === undefined || !Number.isInteger(k) || k < 1) throw new GadgetError(`${name}: mul needs shift ≥ 1, got ${k}`);
    if (params.outBits === undefined) throw new GadgetError(`${name}: mul needs outBits`);
    const r = cs.adviceColumn({ name: `${name}.r` });
    cs.createGate(`${name}: mul`, (meta) => [
      meta.querySelector(q).mul(meta.query(a).mul(meta.query(b)).add(1n << BigInt(k - 1)).sub(meta.query(c).scale(1n << BigInt(k))).sub(meta.query(r))),
    ]);
    const rRange = configureRange(ctx, `${name}.r`, q, (meta) => meta.query(r), k);
    const cRange = configureRange(ctx, `${name}.c`, q, (meta) => meta.query(c), params.outBits, true);
    return new ElementwiseChip(name, params, a, b, c, r, q, [rRange, cRange]);
  }

  assign(layouter: Layouter, a: AssignedTensor, b: AssignedTensor): AssignedTensor {
    const { op, shift = 0 } = this.params;
    if (a.cells.length !== b.cells.length) throw new GadgetError(`${this.name}: expected equal sizes, got ${a.cells.length} and ${b.cells.length}`);
    if (op !== 'mul') sameScale(this.name, a, b);
    const n = a.cells.length;
    const c = a.values.zip(b.values).map(([x, y]) => elementwiseSpec(op, x, y, shift));
    const cells = layouter.region(this.name, (region) => {
      copyIn(region, this.a, 0, a);
      copyIn(region, this.b, 0, b);
      const out = spanCells(region.assignAdviceColumn(this.c, 0, c, n));
      region.enableSelectorRange(this.q, 0, n);
      const [rRange, cRange] = this.ranges;
      if (this.r && rRange) {
        const r = a.values.zip(b.values).zip(c).map(([[x, y], z]) =>
          BigInt64Array.from(x, (v, i) => v * y[i]! + (1n << BigInt(shift - 1)) - (z[i]! << BigInt(shift))),
        );
        region.assignAdviceColumn(this.r, 0, r, n);
        assignRange(region, rRange, 0, r, n);
      }
      if (cRange) assignRange(region, cRange, 0, c, n);
      return out;
    });
    return assignedTensor(a.shape, op === 'mul' ? a.scale + b.scale - shift : a.scale, cells, c);
  }
}
