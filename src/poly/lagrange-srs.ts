/**
 * The Lagrange-basis SRS: [L_i(τ)]₁ for the domain of size n = 2^k, derived
 * from the monomial powers [τ^j]₁ by an inverse NTT over G1:
 *     [L_i(τ)]₁ = n⁻¹ · Σ_j ω^{−ij}·[τ^j]₁,
 * computed with the same radix-2 schedule as the field NTT (bit reversal,
 * log n butterfly stages) where a butterfly multiplies a point by a twiddle.
 * That is (n/2)·log n scalar multiplications: fine for the sizes it is
 * cached for, and done once per SRS (halo2 derives `g_lagrange` the same way).
 * With it, a Lagrange-form column is committed without an inverse NTT.
 */
import { Fr } from '../field/index.js';
import { NobleG1Point, g1FromNoble, g1ToNoble, type NobleG1 } from './curve.js';
import type { Srs } from './srs.js';
import type { AffinePoint } from './types.js';

function bitReverse(i: number, bits: number): number {
  let r = 0;
  for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
  return r;
}

/** [L_i(τ)]₁ for i < 2^k (k ≤ srs.k; the first 2^k powers are used). */
export function lagrangeBasisSrs(srs: Srs, k: number = srs.k): AffinePoint[] {
  if (!Number.isInteger(k) || k < 0 || k > srs.k) throw new RangeError(`lagrangeBasisSrs: expected 0 ≤ k ≤ ${srs.k}, got ${k}`);
  const n = 2 ** k;
  const a: NobleG1[] = new Array(n);
  for (let i = 0; i < n; i++) a[bitReverse(i, k)] = g1ToNoble(srs.g1[i]!);
  const omegaInv = Fr.inv(Fr.rootOfUnityOfOrder(k));
  for (let m = 1; m < n; m *= 2) {
    // twiddles for blocks of size 2m: (ω⁻¹)^(n/2m · j)
    const wm = Fr.pow(omegaInv, BigInt(n / (2 * m)));
    for (let start = 0; start < n; start += 2 * m) {
      let w = 1n;
      for (let j = 0; j < m; j++) {
        const u = a[start + j]!;
        const t = w === 1n ? a[start + j + m]! : a[start + j + m]!.multiplyUnsafe(w);
        a[start + j] = u.add(t);
        a[start + j + m] = u.subtract(t);
        w = Fr.mul(w, wm);
      }
    }
  }
  const nInv = Fr.inv(BigInt(n));
  return a.map((p) => (p.equals(NobleG1Point.ZERO) ? null : g1FromNoble(p.multiplyUnsafe(nInv))));
}
