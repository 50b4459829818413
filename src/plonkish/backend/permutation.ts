/**
 * The permutation argument (PLONK; halo2's chunked form): copy constraints
 * as a grand product over the equality-enabled columns, c = degree − 2
 * columns per chunk, one running product z_j per chunk. Its layout, its
 * constraints (evaluated by the prover's quotient and by the verifier), its
 * keygen side (the copy cycles and σ_i, committed by keygen.ts) and its
 * prover round.
 *
 * σ follows halo2's cycle construction: every cell of an equality-enabled
 * column starts in its own cycle; each copy constraint merges two cycles by
 * swapping their successors (smaller cycle relabelled into the larger).
 *
 * A cell (column i, row r) is named δ^i·ω^r and σ_i(ω^r) names the next cell
 * of its copy cycle; with z_j(ω^(r+1)) = z_j(ω^r)·Π(v + β·δ^i·ω^r + γ)/Π(v + β·σ_i + γ):
 *   l_0·(1 − z_0) = 0,  l_last·(z_last − 1) = 0,  l_0·(z_j − z_{j−1}(ω^u X)) = 0,
 *   l_active·(z_j(ωX)·Π(v + β·σ + γ) − z_j(X)·Π(v + β·δ^i·X + γ)) = 0.
 */
import { ELEMENT_BYTES, Fr, type FieldVec, type PackedField, packedFr } from '../../field/index.js';
import { defineTask } from '../../curve/tasks.js';
import { runTasks } from '../../curve/worker-pool.js';
import { StoredColumn } from './columns.js';
import type { ColumnRef, CompiledCircuit } from '../frontend/index.js';
import type { Argument } from './argument.js';
import { add, advice, challenge, constant, fixed, instance, mul, prodAll, sub, type ArgumentContext, type NamedConstraint } from './expr.js';
import { KeygenError, ProverError } from './errors.js';
import type { ProverState } from './prover-state.js';

/** δ: generates cosets δ^i·H that are disjoint from each other (order = odd part of r − 1). */
export const DELTA = Fr.pow(Fr.generator, 1n << BigInt(Fr.twoAdicity));

export interface PermutationLayout {
  readonly columns: CompiledCircuit['permutation']['columns'];
  readonly chunkSize: number;
  /** Advice index of z_j per chunk. */
  readonly z: readonly number[];
  /** Fixed index of σ_i per permutation column. */
  readonly sigma: readonly number[];
}

/** Columns (z_j advice, σ_i fixed after the circuit's `numFixed`) and constraints of the permutation. */
export function permutationArgument(ctx: ArgumentContext, numFixed: number): { layout: PermutationLayout; constraints: NamedConstraint[] } {
  const pcols = ctx.circuit.permutation.columns;
  const chunkSize = Math.max(1, ctx.circuit.permutation.chunkSize);
  const chunks: number[][] = [];
  for (let i = 0; i < pcols.length; i += chunkSize) chunks.push(pcols.slice(i, i + chunkSize).map((_, j) => i + j));
  const sigma = pcols.map((_, i) => numFixed + i);
  const z = chunks.map(() => ctx.allocAdvice());
  const beta = challenge(ctx.challenges.beta);
  const gamma = challenge(ctx.challenges.gamma);
  const l0 = instance(ctx.virtual.l0);
  const lLast = instance(ctx.virtual.lLast);
  const lActive = instance(ctx.virtual.lActive);
  const colExpr = (i: number) => {
    const col = pcols[i]!;
    return col.kind === 'advice' ? advice(col.index) : col.kind === 'fixed' ? fixed(col.index) : instance(col.index);
  };
  const constraints: NamedConstraint[] = [];
  chunks.forEach((chunk, j) => {
    const zj = advice(z[j]!);
    if (j === 0) constraints.push({ name: 'permutation: z_0 starts at 1', expression: mul(l0, sub(constant(1n), zj)) });
    else constraints.push({ name: `permutation: z_${j} continues z_${j - 1}`, expression: mul(l0, sub(zj, advice(z[j - 1]!, ctx.usableRows))) });
    if (j === chunks.length - 1) constraints.push({ name: `permutation: z_${j} ends at 1`, expression: mul(lLast, sub(zj, constant(1n))) });
    const left = prodAll(chunk.map((i) => add(add(colExpr(i), mul(beta, fixed(sigma[i]!))), gamma)));
    const right = prodAll(chunk.map((i) => add(add(colExpr(i), mul(beta, mul(constant(Fr.pow(DELTA, BigInt(i))), instance(ctx.virtual.x)))), gamma)));
    constraints.push({ name: `permutation: chunk ${j} product`, expression: mul(lActive, sub(mul(advice(z[j]!, 1), left), mul(zj, right))) });
  });
  return { layout: { columns: pcols, chunkSize, z, sigma }, constraints };
}

/** Keygen: the successor map of the copy cycles: for each permutation column and row, [column, row] of the next cell. */
export function permutationCycles(columns: readonly ColumnRef[], n: number, copies: readonly { a: { column: ColumnRef; row: number }; b: { column: ColumnRef; row: number } }[]): { col: Int32Array; row: Int32Array }[] {
  const pos = new Map(columns.map((c, i) => [`${c.kind}:${c.index}`, i]));
  const cols = columns.length;
  const mapping = Array.from({ length: cols }, () => ({ col: new Int32Array(n), row: new Int32Array(n) }));
  const aux = Array.from({ length: cols }, () => ({ col: new Int32Array(n), row: new Int32Array(n) }));
  const sizes = Array.from({ length: cols }, () => new Int32Array(n).fill(1));
  for (let i = 0; i < cols; i++) {
    for (let r = 0; r < n; r++) {
      mapping[i]!.col[r] = i;
      mapping[i]!.row[r] = r;
      aux[i]!.col[r] = i;
      aux[i]!.row[r] = r;
    }
  }
  const index = (c: ColumnRef, where: string) => {
    const i = pos.get(`${c.kind}:${c.index}`);
    if (i === undefined) throw new KeygenError(`keygen: copy constraint on ${c.kind}[${c.index}], which is not equality-enabled (${where})`);
    return i;
  };
  for (const copy of copies) {
    let [lc, lr] = [index(copy.a.column, 'left'), copy.a.row];
    let [rc, rr] = [index(copy.b.column, 'right'), copy.b.row];
    let lRoot = [aux[lc]!.col[lr]!, aux[lc]!.row[lr]!] as const;
    let rRoot = [aux[rc]!.col[rr]!, aux[rc]!.row[rr]!] as const;
    if (lRoot[0] === rRoot[0] && lRoot[1] === rRoot[1]) continue;
    if (sizes[lRoot[0]]![lRoot[1]]! < sizes[rRoot[0]]![rRoot[1]]!) {
      [lc, lr, rc, rr] = [rc, rr, lc, lr];
      [lRoot, rRoot] = [rRoot, lRoot];
    }
    sizes[lRoot[0]]![lRoot[1]]! += sizes[rRoot[0]]![rRoot[1]]!;
    // relabel the right cycle
    let [c, r] = [rc, rr];
    do {
      aux[c]!.col[r] = lRoot[0];
      aux[c]!.row[r] = lRoot[1];
      [c, r] = [mapping[c]!.col[r]!, mapping[c]!.row[r]!];
    } while (!(c === rc && r === rr));
    // swap successors
    const [tc, tr] = [mapping[lc]!.col[lr]!, mapping[lc]!.row[lr]!];
    mapping[lc]!.col[lr] = mapping[rc]!.col[rr]!;
    mapping[lc]!.row[lr] = mapping[rc]!.row[rr]!;
    mapping[rc]!.col[rr] = tc;
    mapping[rc]!.row[rr] = tr;
  }
  return mapping;
}

/** out[r] = src[index[r]] (packed elements copied as bytes). */
function gather(out: FieldVec, src: FieldVec, index: Int32Array): void {
  const mem = new Uint8Array(out.field.runtime.buffer);
  for (let r = 0; r < index.length; r++) mem.copyWithin(out.at(r), src.at(index[r]!), src.at(index[r]!) + ELEMENT_BYTES);
}

/**
 * Keygen: σ_i's values on H for each permutation column i, σ_i(ω^r) =
 * δ^col·ω^row of the cell's successor (gathered from ω^row and δ^col, one
 * packed product). `each(σ_i, i, X)` owns σ_i; X (the values ω^r) is freed after.
 */
export function permutationSigmas(arg: Pick<Argument, 'k' | 'n' | 'permutation'>, mapping: readonly { col: Int32Array; row: Int32Array }[], F: PackedField, each: (sigma: FieldVec, i: number, x: FieldVec) => void): void {
  const n = arg.n;
  const omegaPow = F.alloc(n);
  F.powers(omegaPow, 1n, Fr.rootOfUnityOfOrder(arg.k));
  const deltaPow = F.fromBigints(arg.permutation.columns.map((_, i) => Fr.pow(DELTA, BigInt(i))));
  const deltas = F.alloc(n);
  try {
    mapping.forEach((m, i) => {
      const sigma = F.alloc(n);
      gather(sigma, omegaPow, m.row);
      gather(deltas, deltaPow, m.col);
      F.mul(sigma, sigma, deltas);
      each(sigma, i, omegaPow);
    });
  } finally {
    for (const v of [omegaPow, deltaPow, deltas]) v.free();
  }
}

/**
 * Round 3 (after β, γ): the running products z_j, each chunk continuing from
 * the previous chunk's value at row u, blinded past the usable rows. Throws a
 * ProverError when the copy constraints do not hold (the product is not 1).
 */
export function permutationCommit(s: ProverState, beta: bigint, gamma: bigint): void {
  const { F, n, usableRows: u } = s;
  const { permutation } = s.arg;
  const omega = Fr.rootOfUnityOfOrder(s.arg.k);
  // the chunks' ratios are independent: both threads take them from the pool's queue; the running products follow in order
  const payloads = permutation.z.map((_, j): PermutationRatioTask => {
    const end = Math.min(permutation.columns.length, (j + 1) * permutation.chunkSize);
    const cols: PermutationRatioTask['columns'][number][] = [];
    for (let i = j * permutation.chunkSize; i < end; i++) {
      const col = permutation.columns[i]!;
      cols.push({ values: s.valueBytes(col.kind, col.index), sigma: s.valueBytes('fixed', permutation.sigma[i]!), shift: Fr.mul(beta, Fr.pow(DELTA, BigInt(i))) });
    }
    return { k: s.arg.k, beta, gamma, omega, columns: cols };
  });
  const ratios = runTasks(s.params.pool, permutationRatioTask, payloads, {
    local: (j, out) => {
      const r = chunkRatio(F, payloads[j]!);
      out.set(r.raw());
      r.free();
    },
  });
  let carry = 1n;
  permutation.z.forEach((zCol, j) => {
    const ratio = StoredColumn.wrap(F, ratios[j]!, n).load();
    // z_{r+1} = z_r · ratio_r from the previous chunk's last value (rows past u are blinded below)
    const z = F.allocUninit(n);
    F.prefixProduct(z, carry, ratio);
    ratio.free();
    carry = z.get(u);
    s.blindVec(z, u + 1);
    s.setAdvice(zCol, z);
  });
  if (permutation.z.length && carry !== 1n) throw new ProverError('prove: the copy constraints do not hold (permutation product ≠ 1)');
}

/** One chunk's ratio Π(v + β·δ^i·ω^r + γ) / Π(v + β·σ_i + γ) over its columns' values (shared bytes), row by row. */
export interface PermutationRatioTask {
  readonly k: number;
  readonly beta: bigint;
  readonly gamma: bigint;
  readonly omega: bigint;
  /** Per column of the chunk: its values, σ_i's values, and β·δ^i. */
  readonly columns: readonly { readonly values: Uint8Array; readonly sigma: Uint8Array; readonly shift: bigint }[];
}

/** The ratio of one chunk (a new vector). */
export function chunkRatio(F: PackedField, t: PermutationRatioTask): FieldVec {
  const n = 1 << t.k;
  const num = F.alloc(n);
  const den = F.alloc(n);
  const term = F.alloc(n);
  try {
    F.powers(num, 1n, 1n);
    F.powers(den, 1n, 1n);
    for (const c of t.columns) {
      const v = StoredColumn.wrap(F, c.values, n).load();
      const sigma = StoredColumn.wrap(F, c.sigma, n).load();
      // v + β·δ^i·ω^r + γ
      F.powers(term, c.shift, t.omega);
      F.add(term, term, v);
      F.addScalar(term, term, t.gamma);
      F.mul(num, num, term);
      // v + β·σ_i + γ
      term.copyFrom(v);
      F.axpy(term, t.beta, sigma);
      F.addScalar(term, term, t.gamma);
      F.mul(den, den, term);
      v.free();
      sigma.free();
    }
    F.batchInv(den, den);
    F.mul(num, num, den);
    return num;
  } catch (e) {
    num.free();
    throw e;
  } finally {
    den.free();
    term.free();
  }
}

/** The pool task: one chunk's ratio as n packed values (bytes). */
export const permutationRatioTask = defineTask<PermutationRatioTask, Uint8Array>('permutationRatio', {
  resultBytes: (t) => (1 << t.k) * ELEMENT_BYTES,
  run(t, out) {
    const r = chunkRatio(packedFr(), t);
    out.set(r.raw());
    r.free();
  },
  read: (out) => out,
});
