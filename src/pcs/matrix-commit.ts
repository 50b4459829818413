/**
 * Weight matrices as commitments (commit-and-prove, as zkLLM and Artemis do),
 * fitted to the Freivalds check C·r = A·(B·r) with r = (1, ρ, ρ², …):
 *
 *   row k of B (n × p) is the coefficient vector of P_k(X) = Σ_j B_kj·X^j,
 *   so (B·r)_k = P_k(ρ).
 *
 * Setup commits every P_k once (KZG, coefficient form); the commitments are
 * the matrix's fingerprint. A proof that uses u = B·r without the n·p
 * multiplications in the circuit:
 *   1. u is fixed (committed as advice) after ρ is drawn;
 *   2. γ is drawn after u, and the circuit computes v = Σ_k γ^k·u_k;
 *   3. one KZG opening shows v = P_γ(ρ) for P_γ = Σ_k γ^k·P_k, checked
 *      against C_γ = Σ_k γ^k·C_k, which the verifier computes itself from
 *      the fingerprint (an MSM of n points).
 * If u ≠ B·r, Σ_k γ^k (u_k − P_k(ρ)) is a nonzero polynomial in γ of degree
 * < n, zero at a random γ with probability < n/|Fr|. Many matrices fold into
 * the same opening by continuing the powers of γ over all their rows.
 *
 * The commitments are binding, not hiding: they fingerprint a public model.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { Fr, type FieldVec } from '../field/index.js';
import type { AffinePoint } from '../curve/types.js';
import { CurveError } from '../curve/g1.js';
import { KzgParams, kzgBatchVerify, type KzgClaim } from './kzg.js';

/** A weight matrix: `rows × cols` signed integers (field elements), row-major. */
export interface WeightMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly values: ArrayLike<bigint>;
}

/** The commitments to the rows of one matrix. */
export interface MatrixCommitment {
  readonly rows: number;
  readonly cols: number;
  readonly commitments: readonly AffinePoint[];
}

function checkShape(where: string, m: WeightMatrix, maxCols: number): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 1 || m.cols < 1) {
    throw new CurveError(`${where}: expected a matrix of at least 1 × 1, got ${m.rows} × ${m.cols}`);
  }
  if (m.values.length !== m.rows * m.cols) {
    throw new CurveError(`${where}: expected ${m.rows} × ${m.cols} = ${m.rows * m.cols} values, got ${m.values.length}`);
  }
  if (m.cols > maxCols) throw new CurveError(`${where}: a row of ${m.cols} coefficients needs an SRS of at least ${m.cols} powers, got ${maxCols}`);
}

const rowOf = (m: WeightMatrix, k: number): bigint[] => {
  const row = new Array<bigint>(m.cols);
  for (let j = 0; j < m.cols; j++) row[j] = Fr.create(m.values[k * m.cols + j]!);
  return row;
};

/** C_k = [P_k(τ)]₁ for every row k: the setup step, once per model. */
export function commitMatrixRows(params: KzgParams, m: WeightMatrix): MatrixCommitment {
  checkShape('commitMatrixRows', m, 2 ** params.k);
  const F = params.ntt.F;
  const commitments: AffinePoint[] = [];
  for (let k = 0; k < m.rows; k++) {
    const v = F.fromBigints(rowOf(m, k));
    try {
      commitments.push(params.commit(v));
    } finally {
      v.free();
    }
  }
  return { rows: m.rows, cols: m.cols, commitments };
}

/** Blake2b-256 over the shapes and points of the matrices, in order: the model's weight fingerprint. */
export function matrixFingerprint(matrices: readonly MatrixCommitment[]): Uint8Array {
  const words: bigint[] = [BigInt(matrices.length)];
  for (const m of matrices) {
    words.push(BigInt(m.rows), BigInt(m.cols));
    for (const c of m.commitments) words.push(c ? c.x : 0n, c ? c.y : 0n);
  }
  const bytes = new Uint8Array(32 * words.length);
  words.forEach((w, i) => {
    for (let b = 0; b < 32; b++) bytes[32 * i + b] = Number((w >> BigInt(8 * (31 - b))) & 0xffn);
  });
  return blake2b(bytes, { dkLen: 32 });
}

/** (B·r)_k = P_k(ρ) for every row: what the prover assigns as u. */
export function rowEvaluations(m: WeightMatrix, rho: bigint): bigint[] {
  checkShape('rowEvaluations', m, Number.MAX_SAFE_INTEGER);
  const out: bigint[] = [];
  for (let k = 0; k < m.rows; k++) {
    let acc = 0n;
    for (let j = m.cols - 1; j >= 0; j--) acc = Fr.add(Fr.mul(acc, rho), Fr.create(m.values[k * m.cols + j]!));
    out.push(acc);
  }
  return out;
}

/** v = Σ_i γ^i·u_i over the rows of all matrices in order (the value the circuit computes). */
export function foldRowValues(u: readonly bigint[], gamma: bigint): bigint {
  let acc = 0n;
  for (let i = u.length - 1; i >= 0; i--) acc = Fr.add(Fr.mul(acc, gamma), u[i]!);
  return acc;
}

/** A folded opening: C_γ's value at ρ and its KZG witness. */
export interface FoldedOpening {
  readonly value: bigint;
  readonly proof: AffinePoint;
}

/**
 * The prover's opening of P_γ = Σ γ^i·P_i (rows of all matrices in order) at ρ:
 * P_γ's coefficients are Σ_i γ^i·row_i, accumulated row by row with axpy.
 */
export function openFoldedRows(params: KzgParams, matrices: readonly WeightMatrix[], gamma: bigint, rho: bigint): FoldedOpening {
  const F = params.ntt.F;
  const width = Math.max(1, ...matrices.map((m) => m.cols));
  for (const m of matrices) checkShape('openFoldedRows', m, 2 ** params.k);
  const acc = F.alloc(width);
  try {
    let g = 1n;
    for (const m of matrices) {
      for (let k = 0; k < m.rows; k++) {
        const row: FieldVec = F.alloc(width);
        try {
          F.writeBigints(row, rowOf(m, k));
          F.axpy(acc, g, row);
        } finally {
          row.free();
        }
        g = Fr.mul(g, gamma);
      }
    }
    const opened = params.open(acc, rho);
    return { value: opened.value, proof: opened.proof };
  } finally {
    acc.free();
  }
}

/** The verifier's C_γ = Σ γ^i·C_i over the committed rows of all matrices in order. */
export function foldedCommitment(matrices: readonly MatrixCommitment[], gamma: bigint, lincomb: (points: AffinePoint[], scalars: bigint[]) => AffinePoint): AffinePoint {
  const points: AffinePoint[] = [];
  const scalars: bigint[] = [];
  let g = 1n;
  for (const m of matrices) {
    for (const c of m.commitments) {
      points.push(c);
      scalars.push(g);
      g = Fr.mul(g, gamma);
    }
  }
  return lincomb(points, scalars);
}

/** The KZG claim "C_γ opens to `value` at ρ", to check alone or batched with others (kzgBatchVerify). */
export function foldedClaim(
  matrices: readonly MatrixCommitment[],
  gamma: bigint,
  rho: bigint,
  opening: FoldedOpening,
  vp: ReturnType<KzgParams['verifierParams']>,
): KzgClaim {
  return { commitment: foldedCommitment(matrices, gamma, vp.group.lincomb), point: rho, value: opening.value, proof: opening.proof };
}

/** Check a folded opening on its own (the batching challenge is irrelevant for one claim). */
export function verifyFoldedOpening(
  matrices: readonly MatrixCommitment[],
  gamma: bigint,
  rho: bigint,
  opening: FoldedOpening,
  vp: ReturnType<KzgParams['verifierParams']>,
): boolean {
  try {
    return kzgBatchVerify([foldedClaim(matrices, gamma, rho, opening, vp)], vp, 1n);
  } catch {
    return false; // a point off the curve in the opening: rejected, not thrown
  }
}
