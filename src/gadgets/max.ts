/**
 * Row max and argmax. Each row (a group of consecutive entries) gets a
 * one-hot column e marking the first position of the maximum, a prefix sum
 * P = Σ_{i<j} e_i, and the row's max m and index idx repeated down the group.
 *
 *   | x (copy) | e | P | m (eq) | idx (eq) | j (fixed) | limbs of d | q_row | q_first | q_step | q_last |
 *
 *   q_row   · e·(e − 1) = 0,  e·(m − x) = 0,  e·(idx − j) = 0
 *   q_row   · range  d = m − x − (1 − P − e) ∈ [0, 2^(B+1))
 *   q_first · P = 0
 *   q_step  · (P − P(−1) − e(−1)) = 0,  (m − m(−1)) = 0,  (idx − idx(−1)) = 0
 *   q_last  · (P + e − 1) = 0
 *
 * Exactly one e is 1 (P ends at 1), m equals that x, every x ≤ m, and every
 * x before the marked position is < m (1 − P − e = 1 there): so idx is the
 * first index of the max, as the spec says. Inputs need |x| < 2^(B−1).
 */
import type { AdviceColumn, Cell, FixedColumn, Layouter, Selector } from '../plonkish/frontend/index.js';
import type { Value } from '../plonkish/frontend/index.js';
import type { GadgetContext } from './context.js';
import { assignRange, configureRange, copyIn, spanCells, type RangeConfig } from './range.js';
import { type AssignedTensor, assignedTensor, dims2, GadgetError } from './tensor.js';

export interface RowMaxResult {
  /** [rows] at the input's scale. */
  readonly max: AssignedTensor;
  /** [rows] at scale 0. */
  readonly argmax: AssignedTensor;
}

/** Max and first argmax of each group of `lengths` consecutive entries. */
export function rowMaxSpec(x: ArrayLike<bigint>, lengths: readonly number[]): { max: BigInt64Array; argmax: BigInt64Array } {
  const max = new BigInt64Array(lengths.length);
  const argmax = new BigInt64Array(lengths.length);
  let o = 0;
  lengths.forEach((len, g) => {
    let best = 0;
    for (let j = 1; j < len; j++) if (x[o + j]! > x[o + best]!) best = j;
    max[g] = x[o + best]!;
    argmax[g] = BigInt(best);
    o += len;
  });
  return { max, argmax };
}

export class RowMaxChip {
  private constructor(
    readonly name: string,
    readonly cols: { x: AdviceColumn; e: AdviceColumn; P: AdviceColumn; m: AdviceColumn; idx: AdviceColumn; j: FixedColumn },
    readonly sel: { row: Selector; first: Selector; step: Selector; last: Selector },
    readonly range: RangeConfig,
  ) {}

  static configure(ctx: GadgetContext, options: { bits: number; name?: string }): RowMaxChip {
    const name = options.name ?? 'max';
    const cs = ctx.cs;
    const adv = (s: string) => cs.adviceColumn({ name: `${name}.${s}` });
    const cols = { x: adv('x'), e: adv('e'), P: adv('P'), m: adv('m'), idx: adv('idx'), j: cs.fixedColumn({ name: `${name}.j` }) };
    for (const c of [cols.x, cols.m, cols.idx]) cs.enableEquality(c);
    const sel = {
      row: cs.selector({ name: `${name}.q_row` }),
      first: cs.selector({ name: `${name}.q_first` }),
      step: cs.selector({ name: `${name}.q_step` }),
      last: cs.selector({ name: `${name}.q_last` }),
    };
    cs.createGate(`${name}: one-hot`, (meta) => {
      const q = meta.querySelector(sel.row);
      const e = meta.query(cols.e);
      return [
        ['bit', q.mul(e.mul(e.sub(1)))],
        ['m = x at e', q.mul(e.mul(meta.query(cols.m).sub(meta.query(cols.x))))],
        ['idx = j at e', q.mul(e.mul(meta.query(cols.idx).sub(meta.query(cols.j))))],
      ];
    });
    cs.createGate(`${name}: first`, (meta) => [meta.querySelector(sel.first).mul(meta.query(cols.P))]);
    cs.createGate(`${name}: step`, (meta) => {
      const q = meta.querySelector(sel.step);
      const prev = (c: AdviceColumn) => meta.query(c).sub(meta.query(c, -1));
      return [
        ['prefix', q.mul(prev(cols.P).sub(meta.query(cols.e, -1)))],
        ['m same', q.mul(prev(cols.m))],
        ['idx same', q.mul(prev(cols.idx))],
      ];
    });
    cs.createGate(`${name}: last`, (meta) => [meta.querySelector(sel.last).mul(meta.query(cols.P).add(meta.query(cols.e)).sub(1))]);
    const range = configureRange(ctx, `${name}.d`, sel.row, (meta) =>
      meta.query(cols.m).sub(meta.query(cols.x)).sub(1).add(meta.query(cols.P)).add(meta.query(cols.e)), options.bits + 1);
    return new RowMaxChip(name, cols, sel, range);
  }

  /** Max/argmax of each row of a 2-D tensor. */
  assign(layouter: Layouter, x: AssignedTensor): RowMaxResult {
    const [rows, width] = dims2(x, this.name);
    return this.assignGroups(layouter, x, Array(rows).fill(width));
  }

  /** Max/argmax of consecutive groups of the flat entries (e.g. causal rows 1, 2, …, T). */
  assignGroups(layouter: Layouter, x: { cells: readonly Cell[]; values: Value<BigInt64Array>; scale: number }, lengths: readonly number[]): RowMaxResult {
    const total = lengths.reduce((a, b) => a + b, 0);
    if (total !== x.cells.length || lengths.some((l) => !Number.isInteger(l) || l < 1)) {
      throw new GadgetError(`${this.name}: group lengths sum to ${total}, expected ${x.cells.length} entries`);
    }
    const spec = x.values.map((v) => rowMaxSpec(v, lengths));
    const cols = x.values.zip(spec).map(([v, s]) => {
      // five separate arrays (not a destructured Array.from, whose elements the checker cannot see as present)
      const alloc = () => new BigInt64Array(total);
      const [e, P, m, idx, d] = [alloc(), alloc(), alloc(), alloc(), alloc()] as const;
      let o = 0;
      lengths.forEach((len, g) => {
        for (let j = 0; j < len; j++) {
          const r = o + j;
          e[r] = BigInt(j) === s.argmax[g] ? 1n : 0n;
          P[r] = BigInt(j) > s.argmax[g]! ? 1n : 0n;
          m[r] = s.max[g]!;
          idx[r] = s.argmax[g]!;
          d[r] = m[r]! - v[r]! - 1n + P[r]! + e[r]!;
        }
        o += len;
      });
      return { e, P, m, idx, d };
    });
    const { maxCells, idxCells } = layouter.region(this.name, (region) => {
      const c = this.cols;
      copyIn(region, c.x, 0, x);
      region.assignAdviceColumn(c.e, 0, cols.map((z) => z.e), total);
      region.assignAdviceColumn(c.P, 0, cols.map((z) => z.P), total);
      const mCells = spanCells(region.assignAdviceColumn(c.m, 0, cols.map((z) => z.m), total));
      const iCells = spanCells(region.assignAdviceColumn(c.idx, 0, cols.map((z) => z.idx), total));
      assignRange(region, this.range, 0, cols.map((z) => z.d), total);
      region.enableSelectorRange(this.sel.row, 0, total);
      const maxCells: Cell[] = [];
      const idxCells: Cell[] = [];
      let o = 0;
      for (const len of lengths) {
        region.assignFixedColumn(c.j, o, BigInt64Array.from({ length: len }, (_, j) => BigInt(j)));
        region.enableSelector(this.sel.first, o);
        if (len > 1) region.enableSelectorRange(this.sel.step, o + 1, len - 1);
        region.enableSelector(this.sel.last, o + len - 1);
        maxCells.push(mCells[o]!);
        idxCells.push(iCells[o]!);
        o += len;
      }
      return { maxCells, idxCells };
    });
    return {
      max: assignedTensor([lengths.length], x.scale, maxCells, spec.map((s) => s.max)),
      argmax: assignedTensor([lengths.length], 0, idxCells, spec.map((s) => s.argmax)),
    };
  }
}
