/**
 * SHPLONK multi-point opening (Boneh–Drake–Fisch–Gabizon 2020, "Efficient
 * polynomial commitment schemes for multiple points and polynomials", §4;
 * the variant halo2 uses): any number of polynomials, each opened at its own
 * set of points, proven with two G1 elements.
 *
 * Polynomials that share a point set S_j are first combined with powers of
 * v: F_j = Σ vⁱ fᵢ. With r_j the interpolant of F_j on S_j and
 * Z_S(X) = Π_{s∈S}(X − s), the prover commits
 *     W  = [h],  h(X) = Σ_j u^j (F_j(X) − r_j(X)) / Z_{S_j}(X),
 * receives z, and commits W' = [L(X)/(X − z)] for
 *     L(X) = Σ_j u^j Z_{T∖S_j}(z)·(F_j(X) − r_j(z)) − Z_T(z)·h(X),
 * T = ∪ S_j. L(z) = 0 by construction. The verifier forms [L] from the
 * commitments and claimed evaluations and checks
 *     e([L] + z·W', [1]₂) = e(W', [τ]₂).
 * (F_j − r_j)/Z_{S_j} is the quotient of repeated synthetic division of F_j by
 * (X − s) for s ∈ S_j; the remainders make up r_j and are dropped.
 */
import { Fr, type FieldVec } from '../field/index.js';
import type { Ntt } from '../poly/ntt.js';
import type { G2Affine } from './srs.js';
import type { AffinePoint } from '../curve/types.js';

/** One claimed evaluation f(point) = value of a committed polynomial. */
export interface OpeningClaim {
  /** Identifies the polynomial (equal ids ⇔ same polynomial and commitment). */
  readonly id: string;
  readonly point: bigint;
  readonly value: bigint;
}

export interface ProverOpening extends OpeningClaim {
  /** Coefficients (not modified). */
  readonly poly: FieldVec;
}

export interface VerifierOpening extends OpeningClaim {
  readonly commitment: AffinePoint;
}

/** Transcript operations SHPLONK needs (both sides). */
export interface OpeningTranscript {
  challenge(): bigint;
}
export interface OpeningWriter extends OpeningTranscript {
  writePoint(p: AffinePoint): void;
}
export interface OpeningReader extends OpeningTranscript {
  readPoint(what?: string): AffinePoint;
}

export interface GroupOps {
  /** Σ scalarsᵢ·pointsᵢ. */
  lincomb(points: readonly AffinePoint[], scalars: readonly bigint[]): AffinePoint;
  /** Π e(Pᵢ, Qᵢ) = 1. */
  pairingProductIsOne(pairs: readonly (readonly [AffinePoint, G2Affine])[]): boolean;
}

interface Group<T> {
  readonly points: bigint[];
  readonly members: T[];
}

const pointsKey = (pts: readonly bigint[]) => pts.map(String).join(',');

/** Group openings by polynomial, then polynomials by identical (sorted) point sets. */
function groupBySets<T extends OpeningClaim>(claims: readonly T[]): { sets: Group<{ id: string; values: Map<bigint, bigint>; any: T }>[] } {
  const byPoly = new Map<string, { id: string; values: Map<bigint, bigint>; any: T }>();
  for (const c of claims) {
    let e = byPoly.get(c.id);
    if (!e) byPoly.set(c.id, (e = { id: c.id, values: new Map(), any: c }));
    const prev = e.values.get(c.point);
    if (prev !== undefined && prev !== c.value) throw new RangeError(`shplonk: two values claimed for ${c.id} at one point`);
    e.values.set(c.point, c.value);
  }
  const sets = new Map<string, Group<{ id: string; values: Map<bigint, bigint>; any: T }>>();
  for (const e of byPoly.values()) {
    const pts = [...e.values.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const key = pointsKey(pts);
    let g = sets.get(key);
    if (!g) sets.set(key, (g = { points: pts, members: [] }));
    g.members.push(e);
  }
  return { sets: [...sets.values()] };
}

/** Π_{s∈S} (z − s). */
function vanishingAt(points: readonly bigint[], z: bigint): bigint {
  return points.reduce((acc, s) => Fr.mul(acc, Fr.sub(z, s)), 1n);
}

/** The interpolant of (points, values) evaluated at z (Lagrange form). */
function interpolateAt(points: readonly bigint[], values: readonly bigint[], z: bigint): bigint {
  let acc = 0n;
  for (let i = 0; i < points.length; i++) {
    let num = 1n;
    let den = 1n;
    for (let j = 0; j < points.length; j++) {
      if (j === i) continue;
      num = Fr.mul(num, Fr.sub(z, points[j]!));
      den = Fr.mul(den, Fr.sub(points[i]!, points[j]!));
    }
    acc = Fr.add(acc, Fr.mul(values[i]!, Fr.div(num, den)));
  }
  return acc;
}

/** Combined value F_j(s) = Σ vⁱ fᵢ(s) for each s in the set. */
function combinedValues(g: Group<{ values: Map<bigint, bigint> }>, v: bigint): bigint[] {
  return g.points.map((s) => {
    let acc = 0n;
    let vi = 1n;
    for (const m of g.members) {
      acc = Fr.add(acc, Fr.mul(vi, m.values.get(s)!));
      vi = Fr.mul(vi, v);
    }
    return acc;
  });
}

/**
 * Prove all openings. `commit` commits coefficient vectors of length ≤ n.
 * Writes W and W' to the transcript.
 */
export function shplonkProve(
  openings: readonly ProverOpening[],
  ntt: Ntt,
  commit: (coeffs: FieldVec) => AffinePoint,
  transcript: OpeningWriter,
): void {
  const F = ntt.F;
  const { sets } = groupBySets(openings);
  const n = Math.max(...openings.map((o) => o.poly.length));
  const v = transcript.challenge();
  const u = transcript.challenge();
  const combined: FieldVec[] = [];
  const h = F.alloc(n);
  let uj = 1n;
  for (const g of sets) {
    const Fj = F.alloc(n);
    let vi = 1n;
    for (const m of g.members) {
      const p = m.any.poly;
      F.axpy(Fj.slice(0, p.length), vi, p);
      vi = Fr.mul(vi, v);
    }
    combined.push(Fj);
    // quotient of F_j by Z_{S_j}
    let cur = Fj.clone();
    for (const s of g.points) {
      const q = F.alloc(cur.length - 1);
      ntt.divideByLinear(q, cur, s);
      cur.free();
      cur = q;
    }
    F.axpy(h.slice(0, cur.length), uj, cur);
    cur.free();
    uj = Fr.mul(uj, u);
  }
  transcript.writePoint(commit(h));
  const z = transcript.challenge();
  const allPoints = [...new Set(sets.flatMap((g) => g.points))];
  const zT = vanishingAt(allPoints, z);
  const L = F.alloc(n);
  uj = 1n;
  let constant = 0n;
  sets.forEach((g, j) => {
    const others = allPoints.filter((p) => !g.points.includes(p));
    const coeff = Fr.mul(uj, vanishingAt(others, z));
    const rz = interpolateAt(g.points, combinedValues(g, v), z);
    F.axpy(L, coeff, combined[j]!);
    constant = Fr.sub(constant, Fr.mul(coeff, rz));
    uj = Fr.mul(uj, u);
  });
  F.axpy(L, Fr.neg(zT), h);
  L.set(0, Fr.add(L.get(0), constant));
  const w = F.alloc(n - 1);
  ntt.divideByLinear(w, L, z);
  transcript.writePoint(commit(w));
  for (const v of [...combined, h, L, w]) v.free();
}

/**
 * Verify openings against commitments: reads W and W', returns whether the
 * pairing check holds. Never throws on a well-formed transcript.
 */
export function shplonkVerify(
  openings: readonly VerifierOpening[],
  group: GroupOps,
  g1: AffinePoint,
  g2: G2Affine,
  sG2: G2Affine,
  transcript: OpeningReader,
): boolean {
  const { sets } = groupBySets(openings);
  const v = transcript.challenge();
  const u = transcript.challenge();
  const W = transcript.readPoint('shplonk W');
  const z = transcript.challenge();
  const Wp = transcript.readPoint("shplonk W'");
  const allPoints = [...new Set(sets.flatMap((g) => g.points))];
  const zT = vanishingAt(allPoints, z);
  const points: AffinePoint[] = [];
  const scalars: bigint[] = [];
  let constant = 0n;
  let uj = 1n;
  for (const g of sets) {
    const others = allPoints.filter((p) => !g.points.includes(p));
    const coeff = Fr.mul(uj, vanishingAt(others, z));
    let vi = 1n;
    for (const m of g.members) {
      points.push(m.any.commitment);
      scalars.push(Fr.mul(coeff, vi));
      vi = Fr.mul(vi, v);
    }
    constant = Fr.add(constant, Fr.mul(coeff, interpolateAt(g.points, combinedValues(g, v), z)));
    uj = Fr.mul(uj, u);
  }
  // [L] + z·W' = Σ … − (Σ coeff·r_j(z))·G − Z_T(z)·W + z·W'
  points.push(g1, W, Wp);
  scalars.push(Fr.neg(constant), Fr.neg(zT), z);
  const lhs = group.lincomb(points, scalars);
  const negWp = group.lincomb([Wp], [Fr.neg(1n)]);
  return group.pairingProductIsOne([
    [lhs, g2],
    [negWp, sG2],
  ]);
}
