/**
 * Dot-product gate: running sums down a column, one product per row.
 *
 *   | a (eq) | b (eq) | acc (eq)               | q_first | q_step |
 *   |--------|--------|------------------------|---------|--------|
 *   | a_0    | b_0    | a_0·b_0                |    1    |        |
 *   | a_i    | b_i    | acc_{i−1} + a_i·b_i    |         |   1    |
 *
 *   q_first · (acc − a·b) = 0,   q_step · (acc − acc(−1) − a·b) = 0   (degree 3)
 *
 * The last acc of each block is the dot product. Values are Fr elements, so
 * the same chip serves integer dot products (phase 0) and Freivalds' A·(B·r)
 * (b and acc in phase 1, b copied from challenge-dependent cells).
 */
import type { AdviceColumn, Cell, Layouter, Phase, Selector, VirtualCells } from '../plonkish/frontend/index.js';
import { Value } from '../plonkish/frontend/index.js';
import { Fr } from '../field/bn254.js';
import type { GadgetContext } from './context.js';
import { spanCells } from './range.js';
import { type AssignedTensor, assignedTensor, GadgetError, toField } from './tensor.js';

/** Cells with their values as canonical Fr elements. */
export interface FieldVector {
  readonly cells: readonly Cell[];
  readonly values: Value<readonly bigint[]>;
}

export function fieldVector(t: AssignedTensor): FieldVector {
  return { cells: t.cells, values: t.values.map((v) => Array.from(v, toField)) };
}

export function dotSpec(a: ArrayLike<bigint>, b: ArrayLike<bigint>): bigint {
  if (a.length !== b.length) throw new GadgetError(`dotSpec: lengths ${a.length} and ${b.length} differ`);
  let s = 0n;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export class DotChip {
  private constructor(
    readonly name: string,
    readonly a: AdviceColumn,
    readonly b: AdviceColumn,
    readonly acc: AdviceColumn,
    readonly qFirst: Selector,
    readonly qStep: Selector,
  ) {}

  /** `phase`: phase of b and acc (1 when b depends on a challenge). */
  static configure(ctx: GadgetContext, options: { name?: string; phase?: Phase } = {}): DotChip {
    const name = options.name ?? 'dot';
    const cs = ctx.cs;
    const phase = options.phase ?? 0;
    const a = cs.adviceColumn({ name: `${name}.a` });
    const b = cs.adviceColumn({ name: `${name}.b`, phase });
    const acc = cs.adviceColumn({ name: `${name}.acc`, phase });
    for (const c of [a, b, acc]) cs.enableEquality(c);
    const qFirst = cs.selector({ name: `${name}.q_first` });
    const qStep = cs.selector({ name: `${name}.q_step` });
    // two gates: the mock's assigned-cell check reads every query of a gate
    const prod = (meta: VirtualCells) => meta.query(a).mul(meta.query(b));
    cs.createGate(`${name}: first`, (meta) => [meta.querySelector(qFirst).mul(meta.query(acc).sub(prod(meta)))]);
    cs.createGate(`${name}: step`, (meta) => [meta.querySelector(qStep).mul(meta.query(acc).sub(meta.query(acc, -1)).sub(prod(meta)))]);
    return new DotChip(name, a, b, acc, qFirst, qStep);
  }

  /** Σ_k a_k·b_k for each pair, all in one region; returns the result cells and values (Fr). */
  assign(layouter: Layouter, pairs: readonly (readonly [FieldVector, FieldVector])[], region = this.name): FieldVector {
    const total = pairs.reduce((s, [a, b]) => {
      if (a.cells.length !== b.cells.length || a.cells.length === 0) {
        throw new GadgetError(`${this.name}: expected equal non-zero lengths, got ${a.cells.length} and ${b.cells.length}`);
      }
      return s + a.cells.length;
    }, 0);
    // each column's values depend only on its own inputs: in a multi-phase
    // synthesis a (phase 0) is known before b (drawn from a later challenge) is
    const flat = (vs: readonly (readonly bigint[])[]): bigint[] => vs.flat();
    const aValues = Value.all(pairs.map(([a]) => a.values)).map(flat);
    const bValues = Value.all(pairs.map(([, b]) => b.values)).map(flat);
    const all = Value.all(pairs.flatMap(([a, b]) => [a.values, b.values]));
    const cols = all.map((vs) => {
      const acc: bigint[] = [];
      const outs: bigint[] = [];
      for (let p = 0; p < pairs.length; p++) {
        const x = vs[2 * p]!;
        const y = vs[2 * p + 1]!;
        let s = 0n;
        for (let i = 0; i < x.length; i++) {
          s = Fr.add(s, Fr.mul(x[i]!, y[i]!));
          acc.push(s);
        }
        outs.push(s);
      }
      return { acc, outs };
    });
    const cells = layouter.region(region, (r) => {
      const aCells = spanCells(r.assignAdviceColumn(this.a, 0, aValues, total));
      const bCells = spanCells(r.assignAdviceColumn(this.b, 0, bValues, total));
      const accCells = spanCells(r.assignAdviceColumn(this.acc, 0, cols.map((c) => c.acc), total));
      const out: Cell[] = [];
      let row = 0;
      for (const [a, b] of pairs) {
        const len = a.cells.length;
        for (let i = 0; i < len; i++) {
          r.constrainEqual(a.cells[i]!, aCells[row + i]!);
          r.constrainEqual(b.cells[i]!, bCells[row + i]!);
        }
        r.enableSelector(this.qFirst, row);
        if (len > 1) r.enableSelectorRange(this.qStep, row + 1, len - 1);
        row += len;
        out.push(accCells[row - 1]!);
      }
      return out;
    });
    return { cells, values: cols.map((c) => c.outs) };
  }

  /** Integer dot product of two 1-D tensors (scale a.scale + b.scale). */
  dot(layouter: Layouter, a: AssignedTensor, b: AssignedTensor): AssignedTensor {
    const out = this.assign(layouter, [[fieldVector(a), fieldVector(b)]]);
    return assignedTensor([1], a.scale + b.scale, out.cells, out.values.map((v) => BigInt64Array.from(v, (x) => Fr.toSigned(x))));
  }
}
