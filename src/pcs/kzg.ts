/**
 * KZG commitments (Kate–Zaverucha–Goldberg 2010) over BN254 on an SRS:
 * commit(f) = Σ f_i·[τ^i]₁ by the packed MSM; an opening of f at z is
 * W = [(f(X) − f(z))/(X − z)], checked by e(C − f(z)·G + z·W, [1]₂) =
 * e(W, [τ]₂). Many single-point openings batch-verify with one random linear
 * combination. Multi-point openings for the prover live in shplonk.ts.
 *
 * `unsafeDevSrs(k, seed)` derives τ from a seed: anyone can recompute it, so
 * proofs over it are forgeable — the name says so; use it only in tests and
 * benchmarks. Real deployments read a ceremony file (srs.ts).
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { Fr, packedFr, type FieldVec } from '../field/index.js';
import { G2_GENERATOR, NobleG1Point, NobleG2Point, g1FromNoble, g2FromNoble, nobleMsm, pairingProductIsOne, pairingProductIsOneCached } from '../curve/curve.js';
import { G1_GENERATOR, packedG1, type G1AffineVec, type PackedG1 } from '../curve/g1.js';
import { lagrangeBasisSrs } from './lagrange-srs.js';
import { msmMany } from '../curve/msm-pool.js';
import { WorkerPool, type WorkerPoolOptions } from '../curve/worker-pool.js';
import { msm } from '../curve/msm.js';
import { Ntt } from '../poly/ntt.js';
import type { GroupOps } from './shplonk.js';
import type { G2Affine, Srs } from './srs.js';
import type { AffinePoint } from '../curve/types.js';

/** Bytes identifying an SRS's G2 side (what a verifier trusts). */
export function srsId(srs: Pick<Srs, 'g2' | 'sG2'>): Uint8Array {
  const parts = [srs.g2, srs.sG2].flatMap((p) => (p ? [...p.x, ...p.y] : [0n, 0n, 0n, 0n]));
  return new TextEncoder().encode(parts.map(String).join(','));
}

/**
 * Group operations for verifiers: the linear combination by the packed MSM
 * (points checked on the curve as they are packed), pairings through noble
 * with the G2 side precomputed once.
 */
export const verifierGroup: GroupOps = {
  lincomb: (points, scalars) => {
    const v = packedG1().fromAffine(points);
    try {
      return msm(v, scalars);
    } finally {
      v.free();
    }
  },
  pairingProductIsOne: (pairs) => pairingProductIsOneCached(pairs.map(([g1, g2]) => ({ g1, g2 }))),
};

let nextParamsId = 0;

export class KzgParams {
  readonly k: number;
  readonly ntt: Ntt;
  readonly srsId: Uint8Array;
  private bases: G1AffineVec | undefined;
  private lagrangeBases = new Map<number, G1AffineVec>();
  private readonly uid = `kzg${nextParamsId++}`;
  /** Worker threads that share batches of commitments (`commitLagrangeMany`), if any. */
  pool: WorkerPool | undefined;

  constructor(
    readonly srs: Srs,
    ntt: Ntt = new Ntt(packedFr()),
  ) {
    this.k = srs.k;
    this.ntt = ntt;
    this.srsId = srsId(srs);
  }

  /**
   * Use `workers` worker threads for batches of commitments and the
   * prover's tasks (curve/worker-pool.ts: Node worker threads, or Web Workers
   * inside a dedicated Worker; no-op where there are none or the thread may
   * not block). `options.program`: the worker program's URL where a bundle
   * moved it. Call `free()` to stop them.
   */
  useWorkers(workers: number, options?: WorkerPoolOptions): this {
    this.pool?.close();
    this.pool = workers > 0 ? WorkerPool.create(workers, options) : undefined;
    return this;
  }

  /** The SRS points packed for the MSM (done once, on first use). */
  get packedBases(): G1AffineVec {
    this.bases ??= packedG1(this.ntt.F.runtime).fromAffine(this.srs.g1);
    return this.bases;
  }

  /** Commit coefficients (length ≤ 2^k). */
  commit(coeffs: FieldVec): AffinePoint {
    if (coeffs.length > 2 ** this.k) throw new RangeError(`KzgParams.commit: expected at most 2^${this.k} coefficients, got ${coeffs.length}`);
    return msm(this.packedBases, coeffs);
  }

  /**
   * Commit a polynomial given by its values on the domain of size 2^k (k ≤ the
   * SRS's) with the Lagrange-basis points — no inverse NTT. The points come
   * from the SRS file when it carried them (halo2 params), else they are
   * derived once (lagrange-srs.ts) and cached.
   */
  commitLagrange(values: FieldVec): AffinePoint {
    return msm(this.lagrangeBasis(values.length), values);
  }

  /** `commitLagrange` of each vector (equal lengths), on the worker pool when there is one. */
  commitLagrangeMany(values: readonly FieldVec[]): AffinePoint[] {
    if (values.length === 0) return [];
    const n = values[0]!.length;
    if (values.some((v) => v.length !== n)) throw new RangeError('KzgParams.commitLagrangeMany: expected vectors of equal length');
    const bases = this.lagrangeBasis(n);
    if (!this.pool || values.length < 2) return values.map((v) => msm(bases, v));
    return msmMany(this.pool, `${this.uid}:lagrange:${n}`, bases, values);
  }

  private lagrangeBasis(n: number): G1AffineVec {
    const k = Math.log2(n);
    if (!Number.isInteger(k) || k > this.k) throw new RangeError(`KzgParams.commitLagrange: expected 2^k ≤ 2^${this.k} values, got ${n}`);
    let bases = this.lagrangeBases.get(k);
    if (!bases) {
      const pts = k === this.k && this.srs.g1Lagrange ? this.srs.g1Lagrange : lagrangeBasisSrs(this.srs, k);
      bases = packedG1(this.ntt.F.runtime).fromAffine(pts);
      this.lagrangeBases.set(k, bases);
    }
    return bases;
  }

  /** W = [(f − f(z))/(X − z)] and f(z). */
  open(coeffs: FieldVec, z: bigint): { proof: AffinePoint; value: bigint } {
    const q = this.ntt.F.alloc(Math.max(coeffs.length - 1, 0));
    const value = this.ntt.divideByLinear(q, coeffs, z);
    const proof = q.length ? this.commit(q) : null;
    q.free();
    return { proof, value };
  }

  /** What a verifier needs. */
  verifierParams(): { g1: AffinePoint; g2: G2Affine; sG2: G2Affine; group: GroupOps } {
    return { g1: this.srs.g1[0] ?? G1_GENERATOR, g2: this.srs.g2, sG2: this.srs.sG2, group: verifierGroup };
  }

  free(): void {
    this.bases?.free();
    this.bases = undefined;
    for (const b of this.lagrangeBases.values()) b.free();
    this.lagrangeBases.clear();
    this.pool?.close();
    this.pool = undefined;
  }
}

export interface KzgClaim {
  readonly commitment: AffinePoint;
  readonly point: bigint;
  readonly value: bigint;
  readonly proof: AffinePoint;
}

/**
 * Verify single-point openings together: with random ρ,
 * e(Σ ρ^i (C_i − v_i·G + z_i·W_i), [1]₂) · e(−Σ ρ^i W_i, [τ]₂) = 1.
 * ρ must be unpredictable to the prover (derive it from a transcript).
 */
export function kzgBatchVerify(claims: readonly KzgClaim[], vp: ReturnType<KzgParams['verifierParams']>, rho: bigint): boolean {
  const points: AffinePoint[] = [];
  const scalars: bigint[] = [];
  const wPoints: AffinePoint[] = [];
  const wScalars: bigint[] = [];
  let r = 1n;
  let gScalar = 0n;
  for (const c of claims) {
    points.push(c.commitment, c.proof);
    scalars.push(r, Fr.mul(r, c.point));
    gScalar = Fr.sub(gScalar, Fr.mul(r, c.value));
    wPoints.push(c.proof);
    wScalars.push(Fr.neg(r));
    r = Fr.mul(r, rho);
  }
  points.push(vp.g1);
  scalars.push(gScalar);
  return vp.group.pairingProductIsOne([
    [vp.group.lincomb(points, scalars), vp.g2],
    [vp.group.lincomb(wPoints, wScalars), vp.sG2],
  ]);
}

/** τ from a seed (Blake2b), never zero. */
function tauFromSeed(seed: string | number): bigint {
  const d = blake2b(new TextEncoder().encode(`zktensor-unsafe-dev-srs:${seed}`), { dkLen: 64 });
  let x = 0n;
  for (let i = d.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(d[i]!);
  return (x % (Fr.p - 1n)) + 1n;
}

/**
 * An SRS with τ derived from `seed` — INSECURE, for tests and benchmarks.
 * [τ^i]₁ by fixed-base windows: 32 windows of 8 bits, each a batch-affine
 * addition over all points at once.
 */
export function unsafeDevSrs(k: number, seed: string | number = 0): Srs {
  if (!Number.isInteger(k) || k < 0 || k > 24) throw new RangeError(`unsafeDevSrs: expected 0 ≤ k ≤ 24, got ${k}`);
  const tau = tauFromSeed(seed);
  const n = 2 ** k;
  const F = packedFr();
  const G = packedG1(F.runtime);
  const table = fixedBaseTable(G);
  const powers = F.alloc(n);
  F.powers(powers, 1n, tau);
  const g1 = fixedBaseG1(F, G, table, powers);
  powers.free();
  // the Lagrange basis at τ as well (knowing τ makes it n fixed-base products, not an NTT over G1):
  // L_i(τ) = ω^i·(τ^n − 1) / (n·(τ − ω^i))
  const omega = Fr.rootOfUnityOfOrder(k);
  const wi: bigint[] = new Array(n);
  wi[0] = 1n;
  for (let i = 1; i < n; i++) wi[i] = Fr.mul(wi[i - 1]!, omega);
  const inv = Fr.batchInv(wi.map((w) => Fr.mul(BigInt(n), Fr.sub(tau, w))));
  const common = Fr.sub(Fr.pow(tau, BigInt(n)), 1n);
  const lagrange = F.fromBigints(wi.map((w, i) => Fr.mul(Fr.mul(w, common), inv[i]!)));
  const g1Lagrange = fixedBaseG1(F, G, table, lagrange);
  lagrange.free();
  table.free();
  return { k, g1, g2: G2_GENERATOR, sG2: g2FromNoble(NobleG2Point.BASE.multiply(tau)), g1Lagrange };
}

/** table[w·256 + d] = d·2^(8w)·G: the 8-bit windows of a fixed-base product. */
function fixedBaseTable(G: PackedG1): G1AffineVec {
  const table: AffinePoint[] = [];
  let base = NobleG1Point.BASE;
  for (let w = 0; w < 32; w++) {
    let acc = NobleG1Point.ZERO;
    const row = [NobleG1Point.ZERO];
    for (let d = 1; d < 256; d++) {
      acc = acc.add(base);
      row.push(acc);
    }
    for (const p of row) table.push(g1FromNoble(p));
    base = acc.add(base);
  }
  return G.fromAffine(table);
}

/** [s_i]₁ for each scalar of `scalars`: 32 windows of 8 bits, each a batch-affine addition over all points. */
function fixedBaseG1(F: ReturnType<typeof packedFr>, G: PackedG1, tv: G1AffineVec, scalars: FieldVec): AffinePoint[] {
  const n = scalars.length;
  const bytes = scalars.toBytes();
  const acc = G.alloc(n);
  const digits = G.alloc(n);
  const u8 = () => new Uint8Array(F.runtime.buffer);
  const POINT = 72;
  for (let w = 0; w < 32; w++) {
    const mem = u8();
    for (let i = 0; i < n; i++) {
      const src = tv.at(w * 256 + bytes[32 * i + w]!);
      mem.copyWithin(digits.at(i), src, src + POINT);
    }
    G.addBatch(acc, acc, digits);
  }
  const out = acc.toAffine();
  for (const v of [acc, digits]) v.free();
  return out;
}

/**
 * Check that an SRS is consistent: e([τ]₁, [1]₂) = e([1]₁, [τ]₂), and, with a
 * random ρ, e(Σ ρ^i·[τ^{i+1}]₁, [1]₂) = e(Σ ρ^i·[τ^i]₁, [τ]₂) — so every
 * listed power is the next power of the same τ.
 */
export function checkSrs(srs: Srs, rho: bigint = tauFromSeed(`check:${srs.k}`)): boolean {
  const g = srs.g1;
  if (g.length < 2) return g.length === 1 && g[0] !== null;
  if (g[0] === null || srs.g2 === null || srs.sG2 === null) return false;
  const lower: bigint[] = [];
  let r = 1n;
  for (let i = 0; i + 1 < g.length; i++, r = Fr.mul(r, rho)) lower.push(r);
  const sumLow = nobleMsm(g.slice(0, -1), lower);
  const sumHigh = nobleMsm(g.slice(1), lower);
  const neg = (p: AffinePoint) => nobleMsm([p], [Fr.neg(1n)]);
  return (
    pairingProductIsOne([
      { g1: g[1]!, g2: srs.g2 },
      { g1: neg(g[0]!), g2: srs.sG2 },
    ]) &&
    pairingProductIsOne([
      { g1: sumHigh, g2: srs.g2 },
      { g1: neg(sumLow), g2: srs.sG2 },
    ])
  );
}
