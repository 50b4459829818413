/**
 * Embedding lookup X = E[ids] with the table E (V × D) committed outside the
 * circuit (pcs/matrix-commit.ts), the same way as the committed matmul
 * (matmul-committed.ts): X is a one-hot product A·E, and Freivalds with
 * r = (1, ρ, …, ρ^(D−1)) needs only (X·r)_t = u_{id_t} for u = E·r, which is
 * a lookup of (id_t, (X·r)_t) in the table {(j, u_j) : j < V}. No V·D table
 * of fixed cells: rows T·D + 2V instead of a V·D + 1 row lookup table.
 *
 *   phase 0   ids and X committed (X's cells are the output);
 *   ρ         drawn (the circuit's Freivalds challenge);
 *   phase 1   u = E·r (V values, assigned from the E the prover holds) next to
 *             the fixed index j and tag 1; Horner h over X's rows;
 *   lookup    on the last row of each Horner block:
 *             (q, q·id, q·h) ∈ {(tag, idx, u)} over all usable rows;
 *   γ, fold   u joins the circuit's `WeightFold` under the table's index.
 *
 * Soundness: if X_t ≠ E_{id_t} for some t, (X_t − E_{id_t})·r is a nonzero
 * polynomial of degree < D in ρ (X and ids fixed before ρ), zero with
 * probability < D/|Fr|; u = E·r by the fold (Schwartz–Zippel over γ, KZG
 * binding). The tag keeps rows outside the table (tag 0, any u) and switched-
 * off inputs (0, 0, 0) apart from real lookups (tag 1).
 *
 *   region "<name>: X·r" (block t, offsets 0…D−1, entries in reverse order):
 *   | ent (ph 0, eq) | h (ph 1)           | id (ph 0, eq)   | q_h0 | q_h | q_l |
 *   | X_{t,D−1}      | X_{t,D−1}          |                 |  1   |     |     |
 *   | X_{t,j}        | h(−1)·ρ + X_{t,j}  | id_t (last row) |      |  1  | last|
 *   region "<name>: u = E·r":   | tag (fixed) = 1 | idx (fixed) = j | u (ph 1, eq) = u_j |
 */
import type { AdviceColumn, Cell, Challenge, FixedColumn, Layouter, Selector } from '../plonkish/frontend/index.js';
import { Value } from '../plonkish/frontend/index.js';
import { Fr } from '../field/bn254.js';
import type { GadgetContext } from './context.js';
import { committedRowEvaluations, WeightFold } from './matmul-committed.js';
import { spanCells } from './range.js';
import { type AssignedTensor, assignedTensor, GadgetError, toField } from './tensor.js';

/** X = E[ids] over the integers (E row-major V × D); an id outside [0, V) is an error. */
export function embeddingSpec(table: ArrayLike<bigint>, vocab: number, dim: number, ids: ArrayLike<bigint>): BigInt64Array {
  const out = new BigInt64Array(ids.length * dim);
  for (let t = 0; t < ids.length; t++) {
    const id = Number(ids[t]!);
    if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new GadgetError(`embedding: token id ${ids[t]} outside [0, ${vocab})`);
    for (let j = 0; j < dim; j++) out[t * dim + j] = table[id * dim + j]!;
  }
  return out;
}

/** Rows: T·D (X·r) + V (u) + V (its share of the fold). */
export function committedEmbeddingRows(tokens: number, vocab: number, dim: number): number {
  return tokens * dim + 2 * vocab;
}

/** The table the prover holds (unknown at keygen) and its index in the fingerprint order. */
export interface CommittedTable {
  readonly index: number;
  readonly vocab: number;
  readonly dim: number;
  readonly scale: number;
  readonly values: Value<BigInt64Array>;
}

export class CommittedEmbeddingChip {
  private constructor(
    readonly name: string,
    readonly ent: AdviceColumn,
    readonly h: AdviceColumn,
    readonly id: AdviceColumn,
    readonly u: AdviceColumn,
    readonly tag: FixedColumn,
    readonly idx: FixedColumn,
    readonly q0: Selector,
    readonly q: Selector,
    readonly ql: Selector,
    readonly rho: Challenge,
    readonly fold: WeightFold,
  ) {}

  static configure(ctx: GadgetContext, options: { name?: string; fold?: WeightFold } = {}): CommittedEmbeddingChip {
    const name = options.name ?? 'cembed';
    const cs = ctx.cs;
    const ent = cs.adviceColumn({ name: `${name}.ent` });
    const id = cs.adviceColumn({ name: `${name}.id` });
    for (const c of [ent, id]) cs.enableEquality(c);
    const rho = ctx.freivaldsChallenge();
    const h = cs.adviceColumn({ name: `${name}.h`, phase: 1 });
    const u = cs.adviceColumn({ name: `${name}.u`, phase: 1 });
    cs.enableEquality(u);
    const tag = cs.fixedColumn({ name: `${name}.tag` });
    const idx = cs.fixedColumn({ name: `${name}.idx` });
    const q0 = cs.selector({ name: `${name}.q_h0` });
    const q = cs.selector({ name: `${name}.q_h` });
    const ql = cs.selector({ name: `${name}.q_l` });
    cs.createGate(`${name}: horner first`, (meta) => [meta.querySelector(q0).mul(meta.query(h).sub(meta.query(ent)))]);
    cs.createGate(`${name}: horner step`, (meta) => [
      meta.querySelector(q).mul(meta.query(h).sub(meta.query(h, -1).mul(meta.queryChallenge(rho))).sub(meta.query(ent))),
    ]);
    // table side degree 1 (no selector: rows outside the table have tag 0), input side degree 2: logUp degree 5
    cs.lookupAny(`${name}: row lookup`, (meta) => {
      const s = meta.querySelector(ql);
      return [
        [s, meta.query(tag)],
        [s.mul(meta.query(id)), meta.query(idx)],
        [s.mul(meta.query(h)), meta.query(u)],
      ];
    });
    return new CommittedEmbeddingChip(name, ent, h, id, u, tag, idx, q0, q, ql, rho, options.fold ?? WeightFold.configure(ctx));
  }

  /** X = E[ids] ([T, D], E's scale); call `fold.finish` once every committed matrix is laid out. */
  assign(layouter: Layouter, ids: AssignedTensor, table: CommittedTable): AssignedTensor {
    const { vocab: V, dim: D } = table;
    const T = ids.cells.length;
    if (!Number.isSafeInteger(V) || !Number.isSafeInteger(D) || V < 1 || D < 1 || T < 1) {
      throw new GadgetError(`${this.name}: expected a table of at least 1 × 1 and at least one id, got ${V} × ${D} and ${T} ids`);
    }
    const rho = layouter.getChallenge(this.rho);
    const x = table.values.zip(ids.values).map(([e, i]) => embeddingSpec(e, V, D, i));
    // block t, offset s holds X[t, D − 1 − s]
    const at = (t: number, s: number) => t * D + (D - 1 - s);
    const total = T * D;
    const ent = x.map((v) => BigInt64Array.from({ length: total }, (_, r) => v[at(Math.floor(r / D), r % D)]!));
    const h = x.zip(rho).map(([v, r]) => {
      const out = new Array<bigint>(total);
      for (let t = 0; t < T; t++) {
        let acc = 0n;
        for (let s = 0; s < D; s++) out[t * D + s] = acc = Fr.add(Fr.mul(acc, r), toField(v[at(t, s)]!));
      }
      return out;
    });
    const entries = layouter.region(`${this.name}: X·r`, (region) => {
      const entCells = spanCells(region.assignAdviceColumn(this.ent, 0, ent, total));
      region.assignAdviceColumn(this.h, 0, h, total);
      const out: Cell[] = new Array(total);
      for (let r = 0; r < total; r++) out[at(Math.floor(r / D), r % D)] = entCells[r]!;
      for (let t = 0; t < T; t++) {
        region.enableSelector(this.q0, t * D);
        if (D > 1) region.enableSelectorRange(this.q, t * D + 1, D - 1);
        region.enableSelector(this.ql, t * D + D - 1);
        const idCell = region.assignAdvice(this.id, t * D + D - 1, ids.values.map((v) => toField(v[t]!)));
        region.constrainEqual(ids.cells[t]!, idCell);
      }
      return out;
    });
    const u = table.values.zip(rho).map(([e, r]) => committedRowEvaluations(e, V, D, r));
    const uCells = layouter.region(`${this.name}: u = E·r`, (region) => {
      region.assignFixedColumn(this.tag, 0, new BigInt64Array(V).fill(1n));
      region.assignFixedColumn(this.idx, 0, BigInt64Array.from({ length: V }, (_, j) => BigInt(j)));
      return spanCells(region.assignAdviceColumn(this.u, 0, u, V));
    });
    this.fold.register(layouter, table.index, { cells: uCells, values: u });
    return assignedTensor([T, D], table.scale, entries, x);
  }
}
