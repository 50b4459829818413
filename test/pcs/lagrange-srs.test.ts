import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fr, getRuntime, packedFr } from '../../src/field/index.js';
import { G2_GENERATOR, nobleMsm, nobleMul } from '../../src/curve/curve.js';
import { G1_GENERATOR } from '../../src/curve/g1.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import { jointSparseForm, lagrangeBasisSrs, lagrangeBasisVec } from '../../src/pcs/lagrange-srs.js';
import { msm } from '../../src/curve/msm.js';
import type { Srs } from '../../src/pcs/srs.js';

/** An SRS with a known τ (points by noble), so that [L_i(τ)]₁ can be computed from the scalars. */
function srsWithTau(k: number, tau: bigint): Srs {
  const g1 = Array.from({ length: 2 ** k }, (_, i) => nobleMul(G1_GENERATOR, Fr.pow(tau, BigInt(i))));
  return { k, g1, g2: G2_GENERATOR, sG2: G2_GENERATOR };
}

/** L_i(τ) = n⁻¹ Σ_j ω^{−ij} τ^j in Fr. */
function lagrangeAt(k: number, i: number, tau: bigint): bigint {
  const n = 2 ** k;
  const wInv = Fr.inv(Fr.rootOfUnityOfOrder(k));
  let acc = 0n;
  for (let j = 0; j < n; j++) acc = Fr.add(acc, Fr.mul(Fr.pow(wInv, BigInt(i * j)), Fr.pow(tau, BigInt(j))));
  return Fr.mul(acc, Fr.inv(BigInt(n)));
}

describe('joint sparse form', () => {
  it('recombines, uses digits in {−1, 0, 1}, has a zero column in any three consecutive ones, and is short', () => {
    const check = (a: bigint, b: bigint) => {
      const d = jointSparseForm(a, b);
      let A = 0n;
      let B = 0n;
      let digitsOk = true;
      d.forEach(([u, v], j) => {
        digitsOk &&= Math.abs(u) <= 1 && Math.abs(v) <= 1 && Number.isInteger(u) && Number.isInteger(v);
        A += BigInt(u) << BigInt(j);
        B += BigInt(v) << BigInt(j);
      });
      const zero = (j: number) => d[j]![0] === 0 && d[j]![1] === 0;
      let sparse = true;
      for (let j = 0; j + 2 < d.length; j++) sparse &&= zero(j) || zero(j + 1) || zero(j + 2);
      expect({ A, B, digitsOk, sparse }, `JSF of (${a}, ${b})`).toEqual({ A: a, B: b, digitsOk: true, sparse: true });
      expect(d.length).toBeLessThanOrEqual(Math.max(a.toString(2).length, b.toString(2).length) + 1);
      return d.filter(([u, v]) => u !== 0 || v !== 0).length;
    };
    expect(jointSparseForm(0n, 0n)).toEqual([]);
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (a, b) => void check(a, b)), { numRuns: 300 });
    // weight about half the length on random 128-bit pairs
    let weight = 0;
    let s = 1n;
    for (let i = 0; i < 50; i++) {
      s = Fr.mul(s, 0x1234567n) + 1n;
      weight += check(s & ((1n << 128n) - 1n), (s >> 100n) & ((1n << 128n) - 1n));
    }
    expect(weight / 50).toBeLessThan(0.56 * 128);
  });
});

describe('Lagrange-basis SRS', () => {
  it('equals [L_i(τ)]₁ computed from a known τ (k = 0 … 5, and a prefix of a larger SRS)', () => {
    const tau = 0xc0ffee123456789n;
    const srs = srsWithTau(5, tau);
    for (let k = 0; k <= 5; k++) {
      const lag = lagrangeBasisSrs(srs, k);
      expect(lag).toHaveLength(2 ** k);
      lag.forEach((p, i) => expect(p, `k = ${k}, i = ${i}`).toEqual(nobleMul(G1_GENERATOR, lagrangeAt(k, i, tau))));
    }
  });

  it('matches the naive inverse DFT over G1, n⁻¹ Σ_j ω^{−ij}·[τ^j]₁ (k = 4)', () => {
    const k = 4;
    const n = 2 ** k;
    const srs = unsafeDevSrs(k, 'lagrange-naive');
    const wInv = Fr.inv(Fr.rootOfUnityOfOrder(k));
    const nInv = Fr.inv(BigInt(n));
    const lag = lagrangeBasisSrs(srs);
    for (let i = 0; i < n; i++) {
      const coeffs = Array.from({ length: n }, (_, j) => Fr.mul(nInv, Fr.pow(wInv, BigInt(i * j))));
      expect(lag[i], `i = ${i}`).toEqual(nobleMsm(srs.g1, coeffs));
    }
  });

  it('commits Lagrange values like the monomial commitment of their interpolation (k = 7)', () => {
    const k = 7;
    const srs = unsafeDevSrs(k, 'lagrange-commit');
    const F = packedFr();
    const v = lagrangeBasisVec(srs);
    let x = 5;
    const values = Array.from({ length: 2 ** k }, (_, i) => (i % 3 ? BigInt((x = (x * 1103515245 + 12345) % 2 ** 31) % 65536) - 32768n : Fr.create(BigInt(x) << 200n)));
    const coeffs = F.fromBigints(values.map((x) => Fr.create(x)));
    const params = new KzgParams(srs);
    params.ntt.inverse(coeffs);
    expect(msm(v, values)).toEqual(params.commit(coeffs));
    coeffs.free();
    v.free();
    params.free();
  });

  it('frees its working memory and checks k', () => {
    const srs = unsafeDevSrs(3, 'lagrange-mem');
    const rt = getRuntime();
    lagrangeBasisSrs(srs);
    const before = rt.arena.bytesInUse;
    lagrangeBasisSrs(srs, 2);
    expect(rt.arena.bytesInUse).toBe(before);
    expect(() => lagrangeBasisSrs(srs, 4)).toThrow(/k ≤ 3/);
    expect(() => lagrangeBasisSrs(srs, -1)).toThrow(RangeError);
  });
});
