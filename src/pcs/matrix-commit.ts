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
 * Two kinds of commitment, chosen at setup (the verifier's key says which;
 * a proof never does):
 *
 * - binding: C_k = [P_k(τ)]₁. Deterministic, so anyone holding the
 *   commitments can test a guess of a row (quantized weights are small
 *   integers): they fingerprint a public model. The opening is plain KZG,
 *   W = [ψ(τ)]₁ with ψ = (P_γ − v)/(X − ρ), checked by
 *   e(C_γ − v·G + ρ·W, [1]₂) = e(W, [τ]₂).
 *
 * - hiding (Pedersen-style blinding of each row): C_k = [P_k(τ)]₁ + r_k·H
 *   with r_k uniform and secret (the prover's key material) and H a fixed
 *   point whose discrete log nobody knows (`hashToG1`: try-and-increment
 *   from a domain tag). For r_γ = Σ γ^i·r_i, C_γ = [P_γ(τ)]₁ + r_γ·H. The
 *   prover draws s uniform and sends
 *       π = [ψ(τ)]₁ + s·H ∈ G1,   Z = r_γ·[1]₂ − s·([τ]₂ − ρ·[1]₂) ∈ G2,
 *   and the verifier checks e(C_γ − v·G, [1]₂) = e(π, [τ]₂ − ρ·[1]₂)·e(H, Z),
 *   as the one multi-pairing e(C_γ − v·G + ρ·π, [1]₂)·e(−π, [τ]₂)·e(−H, Z) = 1.
 *   Correct: with h = dlog H, the exponent on the right is
 *   (ψ(τ) + s·h)(τ − ρ) + h·(r_γ − s(τ − ρ)) = P_γ(τ) − v + h·r_γ, the left's.
 *   Binding of v: a second opening to v′ ≠ v gives e((v − v′)·G, [1]₂) =
 *   e(A, [τ − ρ]₂)·e(H, B) for group elements the prover can form; in the
 *   algebraic group model the H-terms must cancel and what is left,
 *   (v − v′) = a(τ)·(τ − ρ), is impossible at τ = ρ — so it needs τ or h,
 *   and the prover knows neither. Hiding: each C_k is uniform whatever the
 *   row (r_k·H is), π is uniform (s·H), and Z is then fixed by the check, so
 *   the opening tells nothing beyond v. (A model proof does not send v at
 *   all: it uses the masked openings below, against V = v·G + t·H.)
 *   Only [1]₂ and [τ]₂ are needed, which every SRS has (ceremony ones too).
 *
 * Binding commitments are the hiding ones with every r_k = 0 (tested).
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { Fq, Fr, type FieldVec, type PackedField, packedFr } from '../field/index.js';
import type { AffinePoint } from '../curve/types.js';
import { CurveError, g1Neg } from '../curve/g1.js';
import { g1FromNoble, g1ToNoble, g2FromNoble, g2ToNoble, NobleG1Point, NobleG2Point, type G2Affine } from '../curve/curve.js';
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

/** The domain tag of H, the blinding base of hiding commitments. */
export const HIDING_BASE_TAG = 'zktensor/weights/H';

/**
 * A G1 point nobody knows the discrete log of, by try-and-increment:
 * for counter = 0, 1, …, x = blake2b-512(tag ‖ counter as 4 bytes
 * little-endian) read little-endian, mod q; the first x with x³ + 3 a square
 * gives the point (x, y) with y the even square root. BN254's G1 has
 * cofactor 1, so every point on the curve is in the group.
 */
export function hashToG1(tag: string): AffinePoint {
  const prefix = new TextEncoder().encode(tag);
  const input = new Uint8Array(prefix.length + 4);
  input.set(prefix);
  for (let counter = 0; counter < 1 << 16; counter++) {
    new DataView(input.buffer).setUint32(prefix.length, counter, true);
    const d = blake2b(input, { dkLen: 64 });
    let x = 0n;
    for (let i = d.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(d[i]!);
    x %= Fq.p;
    const y = Fq.sqrt(Fq.add(Fq.mul(Fq.square(x), x), 3n));
    if (y === undefined || y === 0n) continue;
    return { x, y: y & 1n ? Fq.neg(y) : y };
  }
  throw new CurveError(`hashToG1: expected a point within 2^16 tries for tag ${JSON.stringify(tag)}, found none`);
}

let hidingBaseCache: { point: AffinePoint; noble: ReturnType<typeof g1ToNoble> } | undefined;

function hidingBaseNoble(): ReturnType<typeof g1ToNoble> {
  if (!hidingBaseCache) {
    const point = hashToG1(HIDING_BASE_TAG);
    // fixed-base windows: setup multiplies H once per row
    hidingBaseCache = { point, noble: g1ToNoble(point).precompute(8) };
  }
  return hidingBaseCache.noble;
}

/** H = hashToG1(HIDING_BASE_TAG): the blinding base of hiding commitments. */
export function hidingBase(): AffinePoint {
  hidingBaseNoble();
  return hidingBaseCache!.point;
}

/** A uniform scalar from crypto.getRandomValues (64 bytes reduced mod r: bias < 2^-250). */
export function randomScalar(): bigint {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(64));
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x % Fr.p;
}

/** `rows` fresh blinding scalars r_k for a hiding commitment (the prover keeps them secret). */
export function randomBlinds(rows: number, random: () => bigint = randomScalar): bigint[] {
  return Array.from({ length: rows }, () => Fr.create(random()));
}

/** k·P by noble's constant-time ladder (k a secret), with k = 0 → infinity. */
function mulSecret<P extends { multiply(k: bigint): P }>(point: P, zero: P, k: bigint): P {
  const s = Fr.create(k);
  return s === 0n ? zero : point.multiply(s);
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

function checkBlinds(where: string, what: string, blinds: readonly bigint[], rows: number): void {
  if (blinds.length !== rows) throw new CurveError(`${where}: expected ${rows} blinding scalars for ${what}, got ${blinds.length}`);
  const bad = blinds.findIndex((r) => typeof r !== 'bigint' || r < 0n || r >= Fr.p);
  if (bad >= 0) throw new CurveError(`${where}: blinding scalar ${bad} of ${what} is not a canonical scalar (expected 0 ≤ r < the group order)`);
}


/** Row k of `m` into `v` (from index 0), signed quantized weights without bigint arithmetic (`writeIntegers`). */
function writeRow(F: PackedField, v: FieldVec, m: WeightMatrix, k: number): void {
  F.writeIntegers(v, m.values, k * m.cols, m.cols);
}

/**
 * The setup step, once per model: C_k = [P_k(τ)]₁ for every row k (binding),
 * or C_k = [P_k(τ)]₁ + r_k·H with `blinds` = (r_k), one per row (hiding).
 */
export function commitMatrixRows(params: KzgParams, m: WeightMatrix, blinds?: readonly bigint[]): MatrixCommitment {
  checkShape('commitMatrixRows', m, 2 ** params.k);
  if (blinds) checkBlinds('commitMatrixRows', `a ${m.rows}-row matrix`, blinds, m.rows);
  const F = params.ntt.F;
  const H = blinds ? hidingBaseNoble() : undefined;
  const commitments: AffinePoint[] = [];
  for (let k = 0; k < m.rows; k++) {
    const v = F.alloc(m.cols);
    try {
      writeRow(F, v, m, k);
      const c = params.commit(v);
      const r = blinds?.[k] ?? 0n;
      commitments.push(H && r !== 0n ? g1FromNoble(g1ToNoble(c).add(mulSecret(H, NobleG1Point.ZERO, r))) : c);
    } finally {
      v.free();
    }
  }
  return { rows: m.rows, cols: m.cols, commitments };
}

/** Above any matrix count: the first word of a hiding fingerprint, so it never equals a binding one. */
const HIDING_MARK = 1n << 255n;

/**
 * Blake2b-256 over the shapes and points of the matrices, in order: the
 * model's weight fingerprint. Hiding commitments are marked by a leading
 * word (binding fingerprints are as before the mark existed), so the same
 * points read as the other kind have another fingerprint.
 */
export function matrixFingerprint(matrices: readonly MatrixCommitment[], options: { readonly hiding?: boolean } = {}): Uint8Array {
  const words: bigint[] = options.hiding ? [HIDING_MARK, BigInt(matrices.length)] : [BigInt(matrices.length)];
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
export function rowEvaluations(m: WeightMatrix, rho: bigint, F: PackedField = packedFr()): bigint[] {
  checkShape('rowEvaluations', m, Number.MAX_SAFE_INTEGER);
  return F.rowsAtPoint(m.values, m.rows, m.cols, rho);
}

/** v = Σ_i γ^i·u_i over the rows of all matrices in order (the value the circuit computes). */
export function foldRowValues(u: readonly bigint[], gamma: bigint): bigint {
  let acc = 0n;
  for (let i = u.length - 1; i >= 0; i--) acc = Fr.add(Fr.mul(acc, gamma), u[i]!);
  return acc;
}

/** A folded opening of binding commitments: C_γ's value at ρ and its KZG witness W. */
export interface BindingOpening {
  readonly kind: 'binding';
  readonly value: bigint;
  readonly proof: AffinePoint;
}

/** A folded opening of hiding commitments: the value, π = [ψ(τ)]₁ + s·H and Z = r_γ·[1]₂ − s·([τ]₂ − ρ·[1]₂). */
export interface HidingOpening {
  readonly kind: 'hiding';
  readonly value: bigint;
  readonly proof: AffinePoint;
  readonly z: G2Affine;
}

export type FoldedOpening = BindingOpening | HidingOpening;

/** Options of `openFoldedRows`. */
export interface OpenFoldedOptions {
  /**
   * The hiding commitments' blinding scalars r_k, per matrix in order (as
   * `commitMatrixRows` took them): the opening is then a hiding one.
   * Absent: a binding opening.
   */
  readonly blinds?: readonly (readonly bigint[])[];
  /** The source of the opening's mask s (default: crypto randomness); tests pass a seeded one. */
  readonly random?: () => bigint;
}

/** P_γ = Σ γ^i·P_i's coefficients (rows of all matrices in order, accumulated with axpy) and r_γ = Σ γ^i·r_i. */
function foldedPolynomial(params: KzgParams, matrices: readonly WeightMatrix[], gamma: bigint, blinds: readonly (readonly bigint[])[] | undefined, where: string): { acc: FieldVec; rGamma: bigint } {
  const F = params.ntt.F;
  const width = Math.max(1, ...matrices.map((m) => m.cols));
  for (const m of matrices) checkShape(where, m, 2 ** params.k);
  if (blinds) {
    if (blinds.length !== matrices.length) throw new CurveError(`${where}: expected blinding scalars for ${matrices.length} matrices, got ${blinds.length}`);
    matrices.forEach((m, i) => checkBlinds(where, `matrix ${i}`, blinds[i]!, m.rows));
  }
  const acc = F.alloc(width);
  let g = 1n;
  let rGamma = 0n;
  try {
    for (const [i, m] of matrices.entries()) {
      for (let k = 0; k < m.rows; k++) {
        const row: FieldVec = F.alloc(width);
        try {
          writeRow(F, row, m, k);
          F.axpy(acc, g, row);
        } finally {
          row.free();
        }
        if (blinds) rGamma = Fr.add(rGamma, Fr.mul(g, blinds[i]![k]!));
        g = Fr.mul(g, gamma);
      }
    }
  } catch (e) {
    acc.free();
    throw e;
  }
  return { acc, rGamma };
}

/**
 * The prover's opening of P_γ = Σ γ^i·P_i (rows of all matrices in order) at ρ,
 * with the value in the clear. With `options.blinds` the opening is hiding
 * (r_γ = Σ γ^i·r_i, a fresh s): `openMasked` with V = v·G.
 */
export function openFoldedRows(params: KzgParams, matrices: readonly WeightMatrix[], gamma: bigint, rho: bigint, options: OpenFoldedOptions = {}): FoldedOpening {
  const { acc, rGamma } = foldedPolynomial(params, matrices, gamma, options.blinds, 'openFoldedRows');
  try {
    if (!options.blinds) {
      const opened = params.open(acc, rho);
      return { kind: 'binding', value: opened.value, proof: opened.proof };
    }
    const { value, opening } = openMasked(params, acc, rho, { commitmentBlind: rGamma, valueBlind: 0n, ...(options.random ? { random: options.random } : {}) });
    return { kind: 'hiding', value, ...opening };
  } finally {
    acc.free();
  }
}

/**
 * The fold's value kept secret: v = P_γ(ρ) is not sent; the caller sends
 * V = v·G + t·H (`hiddenValue`) and this opening shows C_γ − V opens to 0
 * at ρ (`verifyFoldedMasked`). Binding commitments (no `blinds`) have
 * r_γ = 0; the opening is the same kind for both.
 */
export function openFoldedRowsMasked(
  params: KzgParams,
  matrices: readonly WeightMatrix[],
  gamma: bigint,
  rho: bigint,
  valueBlind: bigint,
  options: OpenFoldedOptions = {},
): { value: bigint; opening: MaskedOpening } {
  const { acc, rGamma } = foldedPolynomial(params, matrices, gamma, options.blinds, 'openFoldedRowsMasked');
  try {
    return openMasked(params, acc, rho, { commitmentBlind: rGamma, valueBlind, ...(options.random ? { random: options.random } : {}) });
  } finally {
    acc.free();
  }
}

/**
 * An opening whose value stays hidden (the masked KZG opening of the module
 * header, generalised): for a commitment C = [P(τ)]₁ + b·H and a hidden value
 * V = v·G + t·H with v = P(z), the prover sends
 *     π = [ψ(τ)]₁ + s·H,   Z = (b − t + s·z)·[1]₂ − s·[τ]₂,   ψ = (P − v)/(X − z),
 * and the verifier checks e(C − V + z·π, [1]₂)·e(−π, [τ]₂)·e(−H, Z) = 1.
 * Correct: exponents (dlog G = 1, dlog H = h) on the left are
 * P(τ) − v + z·ψ(τ) + h(b − t + z·s) = τ·ψ(τ) + h(b − t + z·s), on the right
 * τ·ψ(τ) + s·h·τ + h(b − t + s·z − s·τ): equal. Binding (algebraic group
 * model): the H-parts must cancel, leaving P(X) − a divisible by X − z for
 * V's G-part a, i.e. a = P(z). Two such openings that share one V (a weight
 * fold at ρ and a circuit column at a row) show the two values equal and
 * reveal neither: V is uniform (t·H), each π is uniform (s·H), Z is fixed by
 * the check.
 */
export interface MaskedOpening {
  readonly proof: AffinePoint;
  readonly z: G2Affine;
}

/** V = v·G + t·H with G the SRS's [1]₁: a value the verifier never sees, bound for openings (`verifyMasked`). */
export function hiddenValue(g1: AffinePoint, value: bigint, valueBlind: bigint): AffinePoint {
  const G = g1ToNoble(g1);
  return g1FromNoble(mulSecret(G, NobleG1Point.ZERO, value).add(mulSecret(hidingBaseNoble(), NobleG1Point.ZERO, valueBlind)));
}

/**
 * Open `coeffs` (P) at `point` against a hidden value: `commitmentBlind` is
 * b of C = [P(τ)]₁ + b·H (0 for a plain KZG commitment, e.g. a circuit
 * column), `valueBlind` is t of V = P(point)·G + t·H. Returns P(point) (for
 * the caller's V) and the opening.
 */
export function openMasked(
  params: KzgParams,
  coeffs: FieldVec,
  point: bigint,
  blinds: { readonly commitmentBlind: bigint; readonly valueBlind: bigint; readonly random?: () => bigint },
): { value: bigint; opening: MaskedOpening } {
  const opened = params.open(coeffs, point);
  const s = Fr.create((blinds.random ?? randomScalar)());
  const proof = g1FromNoble(g1ToNoble(opened.proof).add(mulSecret(hidingBaseNoble(), NobleG1Point.ZERO, s)));
  const g2 = g2ToNoble(params.srs.g2);
  const sG2 = g2ToNoble(params.srs.sG2);
  const zero = NobleG2Point.ZERO;
  const a = Fr.add(Fr.sub(Fr.create(blinds.commitmentBlind), Fr.create(blinds.valueBlind)), Fr.mul(s, Fr.create(point)));
  const z = g2FromNoble(mulSecret(g2, zero, a).subtract(mulSecret(sG2, zero, s)));
  return { value: opened.value, opening: { proof, z } };
}

/** e(C − V + z·π, [1]₂)·e(−π, [τ]₂)·e(−H, Z) = 1 (`openMasked`). Never throws: a bad point is a rejection. */
export function verifyMasked(commitment: AffinePoint, point: bigint, value: AffinePoint, opening: MaskedOpening, vp: ReturnType<KzgParams['verifierParams']>): boolean {
  try {
    const lhs = vp.group.lincomb([commitment, value, opening.proof], [1n, Fr.neg(1n), Fr.create(point)]);
    const pi = vp.group.lincomb([opening.proof], [1n]); // checked on the curve before it is negated
    return vp.group.pairingProductIsOne([
      [lhs, vp.g2],
      [g1Neg(pi), vp.sG2],
      [g1Neg(hidingBase()), opening.z],
    ]);
  } catch {
    return false;
  }
}

/** `openFoldedRowsMasked`'s check: C_γ = Σ γ^i·C_i (the verifier's own commitments) opens at ρ to the value hidden in V. Never throws. */
export function verifyFoldedMasked(
  matrices: readonly MatrixCommitment[],
  gamma: bigint,
  rho: bigint,
  value: AffinePoint,
  opening: MaskedOpening,
  vp: ReturnType<KzgParams['verifierParams']>,
): boolean {
  try {
    return verifyMasked(foldedCommitment(matrices, gamma, vp.group.lincomb), rho, value, opening, vp);
  } catch {
    return false;
  }
}

/** The verifier's C_γ = Σ γ^i·C_i over the committed rows of all matrices in order. */
export function foldedCommitment(matrices: readonly MatrixCommitment[], gamma: bigint, lincomb: (points: AffinePoint[], scalars: bigint[]) => AffinePoint): AffinePoint {
  const { points, scalars } = foldTerms(matrices, gamma);
  return lincomb(points, scalars);
}

function foldTerms(matrices: readonly MatrixCommitment[], gamma: bigint): { points: AffinePoint[]; scalars: bigint[] } {
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
  return { points, scalars };
}

/** The KZG claim "C_γ opens to `value` at ρ" (binding commitments), to check alone or batched with others (kzgBatchVerify). */
export function foldedClaim(
  matrices: readonly MatrixCommitment[],
  gamma: bigint,
  rho: bigint,
  opening: BindingOpening,
  vp: ReturnType<KzgParams['verifierParams']>,
): KzgClaim {
  return { commitment: foldedCommitment(matrices, gamma, vp.group.lincomb), point: rho, value: opening.value, proof: opening.proof };
}

/**
 * Check a folded opening on its own. `options.hiding` is the verifier's own
 * knowledge of its commitments' kind (from its key, never from the opening):
 * an opening of the other kind is rejected. Never throws (a point off the
 * curve or outside G2's subgroup is a rejection).
 */
export function verifyFoldedOpening(
  matrices: readonly MatrixCommitment[],
  gamma: bigint,
  rho: bigint,
  opening: FoldedOpening,
  vp: ReturnType<KzgParams['verifierParams']>,
  options: { readonly hiding?: boolean } = {},
): boolean {
  try {
    if (opening.kind !== (options.hiding ? 'hiding' : 'binding')) return false;
    if (opening.kind === 'binding') return kzgBatchVerify([foldedClaim(matrices, gamma, rho, opening, vp)], vp, 1n); // the batching challenge is irrelevant for one claim
    // e(C_γ − v·G + ρ·π, [1]₂) · e(−π, [τ]₂) · e(−H, Z) = 1: a masked opening against V = v·G
    const value = vp.group.lincomb([vp.g1], [Fr.create(opening.value)]);
    return verifyMasked(foldedCommitment(matrices, gamma, vp.group.lincomb), rho, value, opening, vp);
  } catch {
    return false;
  }
}
