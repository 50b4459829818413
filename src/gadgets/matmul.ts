/**
 * Matrix product C = A·B (A: m×n, B: n×p), integers at scale sA + sB (the
 * caller rescales). Two strategies:
 *
 * Freivalds (Freivalds 1977; as in zkLLM / zkCNN): A, B and C are committed
 * in phase 0; then a challenge ρ is drawn and, with r = (1, ρ, …, ρ^(p−1)),
 * the circuit checks C·r = A·(B·r). A wrong C passes only if some row of
 * C − A·B, a nonzero polynomial of degree < p in ρ, vanishes at ρ:
 * probability ≤ (p − 1)/|Fr|. Cost n·p + m·p + m·n rows instead of m·n·p.
 *
 *   region "<name>: B·r" and "<name>: C·r" (Horner, one block of p rows per
 *   matrix row, entries in reverse column order):
 *   | ent (ph 0, eq) | h (ph 1, eq)          | q_h0 | q_h |
 *   |----------------|-----------------------|------|-----|
 *   | M_{i,p−1}      | M_{i,p−1}             |  1   |     |
 *   | M_{i,j}        | h(−1)·ρ + M_{i,j}     |      |  1  |
 *   last h of block i = Σ_j M_ij ρ^j
 *
 *   q_h0 · (h − ent) = 0,   q_h · (h − h(−1)·ρ − ent) = 0
 *
 *   region "<name>: A·(B·r)": the dot-product gate (dot.ts) with b and acc
 *   in phase 1, b copied from the u_k = (B·r)_k cells; its result for row i
 *   is copy-constrained to v_i = (C·r)_i.
 *
 * The C entries are assigned in the "C·r" region, whose `ent` cells are the
 * output. `causal`: A is lower triangular and passed packed (row i holds
 * entries 0 … i), as softmax's causal rows come out.
 *
 * Dot (small cases): C_ij is a dot-product block of n rows; m·n·p rows, no
 * challenge.
 */
import type { AdviceColumn, Cell, Challenge, Layouter, Selector } from '../plonkish/frontend/index.js';
import { Value } from '../plonkish/frontend/index.js';
import { Fr } from '../field/bn254.js';
import type { GadgetContext } from './context.js';
import { DotChip, type FieldVector } from './dot.js';
import { spanCells } from './range.js';
import { type AssignedTensor, assignedTensor, dims2, GadgetError, toField } from './tensor.js';

export type MatmulStrategy = 'freivalds' | 'dot';

/** C = A·B over the integers; `causal`: A packed lower triangular (m = n). */
export function matmulSpec(a: ArrayLike<bigint>, b: ArrayLike<bigint>, m: number, n: number, p: number, causal = false): BigInt64Array {
  const c = new BigInt64Array(m * p);
  let offset = 0;
  for (let i = 0; i < m; i++) {
    const len = causal ? i + 1 : n;
    for (let j = 0; j < p; j++) {
      let s = 0n;
      for (let k = 0; k < len; k++) s += a[offset + k]! * b[k * p + j]!;
      c[i * p + j] = s;
    }
    offset += len;
  }
  return c;
}

/** Freivalds rows: n·p + m·p + Σ row lengths of A. */
export function freivaldsRows(m: number, n: number, p: number, causal = false): number {
  return n * p + m * p + (causal ? (m * (m + 1)) / 2 : m * n);
}

export class MatmulChip {
  private constructor(
    readonly name: string,
    readonly strategy: MatmulStrategy,
    readonly dot: DotChip,
    readonly horner?: { ent: AdviceColumn; h: AdviceColumn; q0: Selector; q: Selector; rho: Challenge },
  ) {}

  static configure(ctx: GadgetContext, options: { name?: string; strategy?: MatmulStrategy } = {}): MatmulChip {
    const name = options.name ?? 'matmul';
    const strategy = options.strategy ?? 'freivalds';
    const cs = ctx.cs;
    if (strategy === 'dot') return new MatmulChip(name, strategy, DotChip.configure(ctx, { name: `${name}.dot` }));
    const ent = cs.adviceColumn({ name: `${name}.ent` });
    cs.enableEquality(ent);
    const rho = ctx.freivaldsChallenge();
    const h = cs.adviceColumn({ name: `${name}.h`, phase: 1 });
    cs.enableEquality(h);
    const q0 = cs.selector({ name: `${name}.q_h0` });
    const q = cs.selector({ name: `${name}.q_h` });
    cs.createGate(`${name}: horner first`, (meta) => [meta.querySelector(q0).mul(meta.query(h).sub(meta.query(ent)))]);
    cs.createGate(`${name}: horner step`, (meta) => [
      meta.querySelector(q).mul(meta.query(h).sub(meta.query(h, -1).mul(meta.queryChallenge(rho))).sub(meta.query(ent))),
    ]);
    const dot = DotChip.configure(ctx, { name: `${name}.dot`, phase: 1 });
    return new MatmulChip(name, strategy, dot, { ent, h, q0, q, rho });
  }

  /** C = A·B (raw, scale sA + sB). With `causal`, A has shape [m(m+1)/2] packed lower triangular and n = m. */
  assign(layouter: Layouter, a: AssignedTensor, b: AssignedTensor, options: { causal?: boolean; m?: number } = {}): AssignedTensor {
    const causal = options.causal ?? false;
    const [n, p] = dims2(b, this.name);
    const m = causal ? n : dims2(a, this.name)[0];
    const aLen = causal ? (m * (m + 1)) / 2 : m * n;
    if (a.cells.length !== aLen || (!causal && dims2(a, this.name)[1] !== n)) {
      throw new GadgetError(`${this.name}: A [${a.shape.join(', ')}] does not match B [${n}, ${p}]${causal ? ' (causal: A packed, m = n)' : ''}`);
    }
    const c = a.values.zip(b.values).map(([x, y]) => matmulSpec(x, y, m, n, p, causal));
    const rowOf = (i: number) => (causal ? (i * (i + 1)) / 2 : i * n);
    const lenOf = (i: number) => (causal ? i + 1 : n);
    const aRow = (i: number): FieldVector => ({
      cells: a.cells.slice(rowOf(i), rowOf(i) + lenOf(i)),
      values: a.values.map((v) => Array.from(v.subarray(rowOf(i), rowOf(i) + lenOf(i)), toField)),
    });
    const scale = a.scale + b.scale;

    if (this.strategy === 'dot') {
      const pairs: [FieldVector, FieldVector][] = [];
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < p; j++) {
          const col = Array.from({ length: lenOf(i) }, (_, k) => k * p + j);
          pairs.push([aRow(i), { cells: col.map((k) => b.cells[k]!), values: b.values.map((v) => col.map((k) => toField(v[k]!))) }]);
        }
      }
      const out = this.dot.assign(layouter, pairs, `${this.name}: dot`);
      return assignedTensor([m, p], scale, out.cells, c);
    }

    const hz = this.horner!;
    const rho = layouter.getChallenge(hz.rho);
    // Horner over the rows of B (n × p), B's cells copied in.
    const u = this.hornerRegion(layouter, `${this.name}: B·r`, n, p, b.values, rho, b.cells);
    return assignedTensor([m, p], scale, this.checkAgainst(layouter, aRow, lenOf, u.out, c, m, p), c);
  }

  /**
   * The Freivalds check given u = B·r as phase-1 cells (from the Horner
   * region above, or assigned directly when B is committed outside the
   * circuit, matmul-committed.ts): C·r by Horner over C's rows, A·u by dot
   * products, equal row by row. Returns C's cells (row-major).
   */
  checkAgainst(
    layouter: Layouter,
    aRow: (i: number) => FieldVector,
    lenOf: (i: number) => number,
    u: FieldVector,
    c: Value<BigInt64Array>,
    m: number,
    p: number,
  ): Cell[] {
    const rho = layouter.getChallenge(this.horner!.rho);
    // Horner over the rows of C (m × p); these ent cells are C.
    const v = this.hornerRegion(layouter, `${this.name}: C·r`, m, p, c, rho);
    const pairs: [FieldVector, FieldVector][] = [];
    for (let i = 0; i < m; i++) {
      pairs.push([aRow(i), { cells: u.cells.slice(0, lenOf(i)), values: u.values.map((x) => x.slice(0, lenOf(i))) }]);
    }
    const w = this.dot.assign(layouter, pairs, `${this.name}: A·(B·r)`);
    layouter.region(`${this.name}: check`, (region) => v.out.cells.forEach((cell, i) => region.constrainEqual(cell, w.cells[i]!)));
    return v.entries;
  }

  private hornerRegion(
    layouter: Layouter,
    name: string,
    rows: number,
    cols: number,
    values: Value<BigInt64Array>,
    rho: Value<bigint>,
    source?: readonly Cell[],
  ): { out: FieldVector; entries: Cell[] } {
    const hz = this.horner!;
    const total = rows * cols;
    // block i, offset t holds M[i, cols − 1 − t]
    const idx = (i: number, t: number) => i * cols + (cols - 1 - t);
    const ent = values.map((v) => BigInt64Array.from({ length: total }, (_, r) => v[idx(Math.floor(r / cols), r % cols)]!));
    const h = values.zip(rho).map(([v, x]) => {
      const out: bigint[] = new Array(total);
      for (let i = 0; i < rows; i++) {
        let acc = 0n;
        for (let t = 0; t < cols; t++) out[i * cols + t] = acc = Fr.add(Fr.mul(acc, x), toField(v[idx(i, t)]!));
      }
      return out;
    });
    return layouter.region(name, (region) => {
      const entCells = spanCells(region.assignAdviceColumn(hz.ent, 0, ent, total));
      const hCells = spanCells(region.assignAdviceColumn(hz.h, 0, h, total));
      const entries: Cell[] = new Array(total);
      for (let r = 0; r < total; r++) entries[idx(Math.floor(r / cols), r % cols)] = entCells[r]!;
      if (source) source.forEach((c, k) => region.constrainEqual(c, entries[k]!));
      const outCells: Cell[] = [];
      for (let i = 0; i < rows; i++) {
        region.enableSelector(hz.q0, i * cols);
        if (cols > 1) region.enableSelectorRange(hz.q, i * cols + 1, cols - 1);
        outCells.push(hCells[i * cols + cols - 1]!);
      }
      return { out: { cells: outCells, values: h.map((hv) => outCells.map((_, i) => hv[i * cols + cols - 1]!)) }, entries };
    });
  }
}
