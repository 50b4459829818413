/**
 * The one door to `@noble/curves` (a layer rule, test/layers.test.ts: nothing else imports it).
 *
 * - G1: conversions between our bigint points (`G1Affine`, null = infinity)
 *   and noble's projective points, and noble's Pippenger as an independent
 *   MSM (tests and benchmarks compare against it).
 * - G2 and pairings: the verifier's two pairings come from noble. G2 points
 *   are `{x: [c0, c1], y: [c0, c1]}` over Fq2 = Fq[u]/(u² + 1), or null.
 */
import { pippenger } from '@noble/curves/abstract/curve.js';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { bn254 } from '@noble/curves/bn254.js';
import { CurveError, g1IsOnCurve, type G1Affine } from './g1.js';

type NobleFp2 = { c0: bigint; c1: bigint };
export type NobleG1 = WeierstrassPoint<bigint>;
export type NobleG2 = WeierstrassPoint<NobleFp2>;
/** An Fq2 element c0 + c1·u. */
export type Fq2Pair = readonly [bigint, bigint];
/** An affine G2 point with canonical coordinates, or null for infinity. */
export type G2Affine = { readonly x: Fq2Pair; readonly y: Fq2Pair } | null;

/** noble's point classes, for tests, benchmarks and the verifier. */
export const NobleG1Point = bn254.G1.Point;
export const NobleG2Point = bn254.G2.Point;
/** noble's Fq12 (the pairing target group's field). */
export const Fq12 = bn254.fields.Fp12;

export function g1ToNoble(p: G1Affine): NobleG1 {
  if (p === null) return NobleG1Point.ZERO;
  if (!g1IsOnCurve(p)) throw new CurveError(`g1ToNoble: expected a point on the curve, got (${p.x}, ${p.y})`);
  return NobleG1Point.fromAffine({ x: p.x, y: p.y });
}

export function g1FromNoble(P: NobleG1): G1Affine {
  if (P.is0()) return null;
  const { x, y } = P.toAffine();
  return { x, y };
}

export function g2ToNoble(p: G2Affine): NobleG2 {
  if (p === null) return NobleG2Point.ZERO;
  const P = NobleG2Point.fromAffine({ x: { c0: p.x[0], c1: p.x[1] }, y: { c0: p.y[0], c1: p.y[1] } });
  P.assertValidity();
  return P;
}

export function g2FromNoble(P: NobleG2): G2Affine {
  if (P.is0()) return null;
  const { x, y } = P.toAffine();
  return { x: [x.c0, x.c1], y: [y.c0, y.c1] };
}

/** The G2 generator (EIP-197). */
export const G2_GENERATOR: G2Affine = g2FromNoble(NobleG2Point.BASE);

/** Σ kᵢ·Pᵢ by noble's Pippenger (scalars reduced mod r): an independent oracle, slow. */
export function nobleMsm(points: readonly G1Affine[], scalars: readonly bigint[]): G1Affine {
  if (points.length !== scalars.length) throw new RangeError(`nobleMsm: expected equal lengths, got ${points.length} and ${scalars.length}`);
  const r = NobleG1Point.Fn.ORDER;
  const ks = scalars.map((k) => ((k % r) + r) % r);
  if (points.length === 0) return null;
  return g1FromNoble(pippenger(NobleG1Point, points.map(g1ToNoble), ks));
}

/** noble's Pippenger on noble points (scalars must be in [0, r)): the benchmark peer. */
export function noblePippenger(points: NobleG1[], scalars: bigint[]): NobleG1 {
  return pippenger(NobleG1Point, points, scalars);
}

/** [k]P by noble (k reduced mod r). */
export function nobleMul(p: G1Affine, k: bigint): G1Affine {
  const r = NobleG1Point.Fn.ORDER;
  return g1FromNoble(g1ToNoble(p).multiplyUnsafe(((k % r) + r) % r));
}

/**
 * Is Π e(g1ᵢ, g2ᵢ) = 1? Pairs with a point at infinity contribute 1 and are
 * skipped (noble refuses them).
 */
export function pairingProductIsOne(pairs: readonly { g1: G1Affine; g2: G2Affine }[]): boolean {
  const live = pairs.filter((p) => p.g1 !== null && p.g2 !== null);
  if (live.length === 0) return true;
  const gt = bn254.pairingBatch(live.map((p) => ({ g1: g1ToNoble(p.g1), g2: g2ToNoble(p.g2) })));
  return Fq12.eql(gt, Fq12.ONE);
}

/** noble's pairing e(P, Q) in Fq12 (throws on infinity, as noble does). */
export function pairing(p: G1Affine, q: G2Affine) {
  return bn254.pairing(g1ToNoble(p), g2ToNoble(q));
}

// Miller-loop line coefficients per G2 point: a verifier pairs against the
// same two G2 points ([1]₂, [τ]₂) every time, so they are validated and
// precomputed once (key: the affine coordinates).
const g2Precomputes = new Map<string, ReturnType<typeof bn254.utils.calcPairingPrecomputes>>();

function precomputeG2(q: Exclude<G2Affine, null>) {
  const key = `${q.x[0]},${q.x[1]},${q.y[0]},${q.y[1]}`;
  let pre = g2Precomputes.get(key);
  if (!pre) {
    const Q = g2ToNoble(q);
    Q.assertValidity();
    pre = bn254.utils.calcPairingPrecomputes(Q);
    if (g2Precomputes.size > 64) g2Precomputes.clear();
    g2Precomputes.set(key, pre);
  }
  return pre;
}

/** Π e(g1ᵢ, g2ᵢ) = 1 with cached G2 precomputes (G1 points are checked on the curve). */
export function pairingProductIsOneCached(pairs: readonly { g1: G1Affine; g2: G2Affine }[]): boolean {
  const live = pairs.filter((p) => p.g1 !== null && p.g2 !== null) as { g1: Exclude<G1Affine, null>; g2: Exclude<G2Affine, null> }[];
  if (live.length === 0) return true;
  const batch = live.map((p) => {
    g1ToNoble(p.g1).assertValidity();
    return [precomputeG2(p.g2), p.g1.x, p.g1.y] as [ReturnType<typeof precomputeG2>, bigint, bigint];
  });
  return Fq12.eql(Fq12.finalExponentiate(bn254.millerLoopBatch(batch)), Fq12.ONE);
}
