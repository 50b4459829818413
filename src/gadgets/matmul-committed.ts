/**
 * Matrix product C = A·B with B committed outside the circuit (commit-and-prove
 * weights, as zkLLM and Artemis): the circuit never holds B. Setup commits
 * row k of B (n × p) as P_k(X) = Σ_j B_kj·X^j (pcs/matrix-commit.ts); the list
 * of commitments is the model's fingerprint.
 *
 * Rounds (r = (1, ρ, …, ρ^(p−1))):
 *   phase 0   A (T × n) and C (T × p) committed (C's cells are the output);
 *   ρ         drawn (the circuit's Freivalds challenge);
 *   phase 1   u = B·r, i.e. u_k = P_k(ρ), assigned by the prover from the
 *             weights it holds; the circuit checks C·r = A·u row by row
 *             (Horner over C's rows, dot products of A's rows with u);
 *   γ         drawn after phase 1 (one per circuit, `WeightFold`);
 *   phase 2   v = Σ_i γ^i·u_i over the u of ALL committed matrices of the
 *             circuit in fingerprint order (Horner), in row 0 of the fold's
 *             phase-2 advice column `weights.acc`; v is never published;
 *   outside   the prover sends V = v·G + t·H and two masked KZG openings
 *             (pcs/matrix-commit.ts): C_γ − V opens to 0 at ρ, with
 *             P_γ = Σ_i γ^i·P_i and C_γ = Σ_i γ^i·C_i computed by the
 *             verifier from the fingerprint, and the fold column's
 *             commitment opens at ω^0 = 1 to the same hidden value. Together:
 *             acc(row 0) = P_γ(ρ), and neither the verifier nor anyone
 *             holding many proofs learns v.
 *
 * Soundness (Schwartz–Zippel twice, union bound):
 * - the fold: u is fixed before γ. If u ≠ (P_i(ρ))_i, then
 *   Σ_i γ^i·(u_i − P_i(ρ)) is a nonzero polynomial in γ of degree < N
 *   (N = rows of all committed matrices), zero at a random γ with probability
 *   < N/|Fr|; otherwise the opening (KZG binding under q-SDH) fails.
 * - Freivalds: A and C are fixed before ρ, and u = B·r by the fold. If
 *   C ≠ A·B, some row t of C − A·B is nonzero and (C − A·B)_t·r is a nonzero
 *   polynomial in ρ of degree < p: zero with probability < p/|Fr| per row.
 *   (One ρ serves every matmul: each check is its own polynomial identity.)
 *
 * Layout (columns of the inner Freivalds chip, matmul.ts, plus the fold's
 * and one constants column per circuit, holding 2^s for bias rows):
 *   region "<name>: u = B·r"   n rows: u in the inner chip's phase-1 `h`
 *                              column, no selector on (free witness cells);
 *   region "<name>: C·r"       T·p rows (Horner, as the Freivalds chip);
 *   region "<name>: A·(B·r)"   T·n rows (dot products, b copied from u);
 *   region "weights: fold"     N rows, once per circuit, from row 0 (the
 *                              packed floor plan; `finish` checks it):
 *   | uf (ph 1, eq)  | acc (ph 2)            | q_f | q_last |
 *   |----------------|-----------------------|-----|--------|
 *   | u_0            | u_0 + γ·acc(+1) = v   |  1  |        |
 *   | u_i            | u_i + γ·acc(+1)       |  1  |        |
 *   | u_{N−1}        | u_{N−1}               |     |   1    |
 *   q_last·(acc − uf) = 0,   q_f·(acc − acc(+1)·γ − uf) = 0;
 *   acc at row 0 = Σ_i γ^i·u_i, opened (hidden) by the prover.
 * Per matrix T·(n + p) + 2n rows instead of n·p + T·(n + p): the n·p Horner
 * rows over B are gone, so rows no longer follow the parameter count.
 *
 * Bias row (a matmul's bias committed with its matrix, models/committed-graph.ts):
 * B′ = [B; b] is (n + 1) × p and C = A·B + 2^s·b = [A | 2^s]·B′, s = A's
 * scale (2^s·b is b at the product's scale; in a model every scale is s, and
 * as 2^s·b is a multiple of 2^s, rescaling C gives rescale(A·B) + b exactly).
 * u′ = B′·r has n + 1 entries, all in the fold like any row of B′; each dot
 * product of the check takes one more row: A_t's entries, then the constant
 * 2^s (copied from the circuit's constants column: one cell for every matmul,
 * no weight) against u′_n, so C_t·r = A_t·u′[0..n) + 2^s·u′_n. Soundness as
 * above with A′ = [A | 2^s] (fixed before ρ; the constant at keygen). Rows
 * T·p + T·(n + 1) + 2(n + 1), and none on an add chip for the bias.

 * What a proof reveals of the weights: nothing beyond the statement when
 * the commitments are hiding (models/committed.ts): v stays inside the
 * circuit and V = v·G + t·H is uniform. With binding commitments the
 * commitments themselves let anyone test a guessed row.
 */
import type { AdviceColumn, AssignedCell, Cell, Challenge, Layouter, Selector } from '../plonkish/frontend/index.js';
import { Value } from '../plonkish/frontend/index.js';
import { Fr } from '../field/bn254.js';
import { packedFr } from '../field/index.js';
import type { GadgetContext } from './context.js';
import type { FieldVector } from './dot.js';
import { MatmulChip, matmulSpec } from './matmul.js';
import { spanCells } from './range.js';
import { type AssignedTensor, assignedTensor, dims2, GadgetError, toField } from './tensor.js';

/** u_k = Σ_j B_kj·ρ^j for every row of B (n × p, row-major): B·r, what the prover assigns. */
export function committedRowEvaluations(b: ArrayLike<bigint>, n: number, p: number, rho: bigint): bigint[] {
  if (b.length !== n * p) throw new GadgetError(`committedRowEvaluations: expected ${n} × ${p} = ${n * p} weights, got ${b.length}`);
  // packed inner products against (1, ρ, …) (GPT-2's embedding has 38.6 M entries); the bigint Horner is the test oracle
  return packedFr().rowsAtPoint(b, n, p, rho);
}

/** The fold's phase-2 advice column: row 0 holds v = Σ_i γ^i·u_i. */
export const FOLD_COLUMN = 'weights.acc';

/** v = Σ_i γ^i·u_i (the fold, hidden in V by the prover). */
export function foldSpec(u: readonly bigint[], gamma: bigint): bigint {
  let acc = 0n;
  for (let i = u.length - 1; i >= 0; i--) acc = Fr.add(Fr.mul(acc, gamma), u[i]!);
  return acc;
}

/**
 * C = A·B′[0..n) + multiplier·B′[n] (B′ row-major, n + 1 rows) with a
 * multiplier (the bias row of B′), else C = A·B (B n × p): the product the
 * chip constrains, over the integers.
 */
export function committedMatmulSpec(a: ArrayLike<bigint>, b: ArrayLike<bigint>, m: number, n: number, p: number, biasMultiplier?: bigint): BigInt64Array {
  const rows = biasMultiplier === undefined ? n : n + 1;
  if (a.length !== m * n || b.length !== rows * p) {
    throw new GadgetError(`committedMatmulSpec: expected A ${m} × ${n} and B ${rows} × ${p}, got ${a.length} and ${b.length} entries`);
  }
  const c = matmulSpec(a, b, m, n, p);
  if (biasMultiplier !== undefined) for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) c[i * p + j] = c[i * p + j]! + biasMultiplier * b[n * p + j]!;
  return c;
}

/** Rows of one committed matmul (T × n)·(n × p), its share of the fold included: T·p + T·n + 2n (n counts the bias row when B has one). */
export function committedFreivaldsRows(m: number, n: number, p: number): number {
  return m * p + m * n + 2 * n;
}

/** The weights the prover holds for one committed matrix (unknown at keygen). */
export interface CommittedWeights {
  /** Position in the model's list of committed matrices (the fingerprint order). */
  readonly index: number;
  readonly rows: number;
  readonly cols: number;
  readonly scale: number;
  /** B row-major, signed integers. */
  readonly values: Value<BigInt64Array>;
  /**
   * The last row of B is a bias row: B is (n + 1) × p for A T × n, and
   * C = A·B[0..n) + 2^(A's scale)·B[n] (see the module header).
   */
  readonly bias?: boolean;
}

/**
 * The γ-fold over every committed matrix of one circuit: one per circuit,
 * shared by all committed matmul chips (and their replicas). Each matmul
 * registers its u cells under the matrix's index; `finish` lays out the
 * Horner over all of them in index order, v at row 0 of the fold column.
 */
export class WeightFold {
  /** Registered u per synthesis (a config outlives syntheses: keygen, phases, measure pass). */
  private readonly slots = new WeakMap<Layouter, FieldVector[]>();

  private constructor(
    readonly uf: AdviceColumn,
    /** Phase 2; row 0 holds v, which the prover opens outside the circuit (hidden, models/committed.ts). */
    readonly acc: AdviceColumn,
    readonly qLast: Selector,
    readonly q: Selector,
    readonly gamma: Challenge,
  ) {}

  /**
   * Needs an advice column of phase 0 already (the phase-1 column's
   * prerequisite). Switches the circuit to the packed floor plan, where the
   * fold (the only user of its columns) starts at row 0.
   */
  static configure(ctx: GadgetContext): WeightFold {
    const cs = ctx.cs;
    cs.setFloorPlanner('packed');
    const uf = cs.adviceColumn({ name: 'weights.uf', phase: 1 });
    const gamma = cs.challenge(1, { name: 'weights.gamma' });
    const acc = cs.adviceColumn({ name: FOLD_COLUMN, phase: 2 });
    cs.enableEquality(uf);
    const qLast = cs.selector({ name: 'weights.q_last' });
    const q = cs.selector({ name: 'weights.q_f' });
    cs.createGate('weights: fold last', (meta) => [meta.querySelector(qLast).mul(meta.query(acc).sub(meta.query(uf)))]);
    cs.createGate('weights: fold step', (meta) => [
      meta.querySelector(q).mul(meta.query(acc).sub(meta.query(acc, 1).mul(meta.queryChallenge(gamma))).sub(meta.query(uf))),
    ]);
    return new WeightFold(uf, acc, qLast, q, gamma);
  }

  /** Record matrix `index`'s u; a matrix used twice gets its second u copy-constrained to the first. */
  register(layouter: Layouter, index: number, u: FieldVector): void {
    if (!Number.isSafeInteger(index) || index < 0) throw new GadgetError(`weights fold: expected a matrix index ≥ 0, got ${index}`);
    let slots = this.slots.get(layouter);
    if (!slots) this.slots.set(layouter, (slots = []));
    const known = slots[index];
    if (!known) {
      slots[index] = u;
      return;
    }
    if (known.cells.length !== u.cells.length) {
      throw new GadgetError(`weights fold: matrix ${index} registered with ${known.cells.length} rows, then with ${u.cells.length}`);
    }
    u.cells.forEach((c, i) => layouter.constrainEqual(known.cells[i]!, c));
  }

  /** Lay out the fold over matrices 0 … count − 1, v = Σ γ^i·u_i at row 0 of `acc`; returns v's cell. */
  finish(layouter: Layouter): AssignedCell {
    const slots = this.slots.get(layouter) ?? [];
    this.slots.delete(layouter);
    if (slots.length === 0) throw new GadgetError('weights fold: no committed matrix was registered');
    for (let i = 0; i < slots.length; i++) {
      if (!slots[i]) throw new GadgetError(`weights fold: matrices 0…${slots.length - 1} registered but not matrix ${i}; the fold covers every committed matrix in order`);
    }
    const list = slots as FieldVector[];
    const cells = list.flatMap((s) => s.cells);
    const total = cells.length;
    const uf = Value.all(list.map((s) => s.values)).map((vs) => vs.flat());
    const gamma = layouter.getChallenge(this.gamma);
    // Horner from the last u up to row 0: acc_t = u_t + γ·acc_(t+1), so acc_0 = Σ γ^i·u_i
    const acc = uf.zip(gamma).map(([us, g]) => {
      const out = new Array<bigint>(total);
      let a = 0n;
      for (let t = total - 1; t >= 0; t--) out[t] = a = Fr.add(Fr.mul(a, g), us[t]!);
      return out;
    });
    return layouter.region('weights: fold', (r) => {
      if (r.start !== 0 && !layouter.measuring) {
        throw new GadgetError(`weights fold: laid out from row ${r.start}, expected row 0 (the prover opens v at row 0 of ${FOLD_COLUMN}); the fold needs the packed floor plan and columns of its own`);
      }
      const ufCells = spanCells(r.assignAdviceColumn(this.uf, 0, uf, total));
      const accSpan = r.assignAdviceColumn(this.acc, 0, acc, total);
      ufCells.forEach((c, t) => r.constrainEqual(cells[t]!, c));
      r.enableSelector(this.qLast, total - 1);
      if (total > 1) r.enableSelectorRange(this.q, 0, total - 1);
      const first: Cell = accSpan.cell(0);
      return { ...first, value: acc.map((a) => a[0]!) };
    });
  }
}

export class CommittedMatmulChip {
  private constructor(
    readonly name: string,
    /** The Freivalds chip whose C·r and A·u regions this chip reuses (its Horner over B is never used). */
    readonly inner: MatmulChip,
    readonly fold: WeightFold,
  ) {}

  /** `fold`: share one fold between chips (replicas); by default the chip makes its own. */
  static configure(ctx: GadgetContext, options: { name?: string; fold?: WeightFold } = {}): CommittedMatmulChip {
    const name = options.name ?? 'cmatmul';
    const inner = MatmulChip.configure(ctx, { name, strategy: 'freivalds' });
    // the bias row's multiplier 2^s lives in a constants column: one per circuit, shared with any other user
    if (ctx.cs.constants.length === 0) ctx.cs.enableConstant(ctx.cs.fixedColumn({ name: 'constants' }));
    return new CommittedMatmulChip(name, inner, options.fold ?? WeightFold.configure(ctx));
  }

  /**
   * C = A·B (raw, scale sA + sB) with B held by the prover only, or
   * C = A·B[0..n) + 2^sA·B[n] when `weights.bias` (B then has n + 1 rows);
   * call `fold.finish` once all matmuls are laid out.
   */
  assign(layouter: Layouter, a: AssignedTensor, weights: CommittedWeights): AssignedTensor {
    const [m, n] = dims2(a, this.name);
    const p = weights.cols;
    const rows = weights.bias ? n + 1 : n;
    if (weights.rows !== rows || !Number.isSafeInteger(p) || p < 1) {
      const expected = weights.bias ? `[${n} + 1 (bias row), p]` : `[${n}, p]`;
      throw new GadgetError(`${this.name}: A [${a.shape.join(', ')}] does not match committed matrix ${weights.index} [${weights.rows}, ${p}] (expected ${expected})`);
    }
    if (weights.bias && (!Number.isSafeInteger(a.scale) || a.scale < 0)) throw new GadgetError(`${this.name}: a bias row needs A at a scale ≥ 0, got ${a.scale}`);
    const multiplier = weights.bias ? 1n << BigInt(a.scale) : undefined;
    const hz = this.inner.horner!;
    const rho = layouter.getChallenge(hz.rho);
    const uValues = weights.values.zip(rho).map(([b, r]) => committedRowEvaluations(b, rows, p, r));
    const uCells = layouter.region(`${this.name}: u = B·r`, (r) => spanCells(r.assignAdviceColumn(hz.h, 0, uValues, rows)));
    const u: FieldVector = { cells: uCells, values: uValues };
    this.fold.register(layouter, weights.index, u);
    const c = a.values.zip(weights.values).map(([x, y]) => committedMatmulSpec(x, y, m, n, p, multiplier));
    // A's row t, then (bias row) the constant 2^sA: the cell of the constants column, the same for every matmul
    const constant = multiplier === undefined ? undefined : layouter.assignConstant(multiplier);
    const aRow = (i: number): FieldVector => ({
      cells: constant ? [...a.cells.slice(i * n, (i + 1) * n), constant] : a.cells.slice(i * n, (i + 1) * n),
      values: a.values.map((v) => {
        const row = Array.from(v.subarray(i * n, (i + 1) * n), toField);
        return multiplier === undefined ? row : [...row, multiplier];
      }),
    });
    const entries = this.inner.checkAgainst(layouter, aRow, () => rows, u, c, m, p);
    return assignedTensor([m, p], a.scale + weights.scale, entries, c);
  }
}
