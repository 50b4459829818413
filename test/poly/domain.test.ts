/**
 * Domain constants, rotations, the vanishing polynomial on the extended
 * coset, Lagrange basis values and barycentric evaluation, each against the
 * definition computed directly in bigint.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fr, packedFr, FieldRuntime, ShapeError } from '../../src/field/index.js';
import { Domain, fillPattern } from '../../src/poly/domain.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
}
const randomValues = (n: number, seed: number): bigint[] => {
  const rng = seeded(seed);
  return Array.from({ length: n }, () => Fr.random(rng));
};
const horner = (cs: readonly bigint[], x: bigint): bigint => cs.reduceRight((acc, c) => Fr.add(Fr.mul(acc, x), c), 0n);

/** Coefficients through the points (ω^i, v_i) by the inverse DFT in bigint. */
function naiveInterpolate(values: readonly bigint[], omega: bigint): bigint[] {
  const n = values.length;
  const nInv = Fr.inv(BigInt(n));
  const wInv = Fr.inv(omega);
  return values.map((_, j) => {
    let acc = 0n;
    for (let i = 0; i < n; i++) acc = Fr.add(acc, Fr.mul(values[i]!, Fr.pow(wInv, BigInt(i * j))));
    return Fr.mul(acc, nInv);
  });
}

describe('Domain constants', () => {
  it('ω, ω⁻¹, n⁻¹, g and the extended root are consistent for every k ≤ 12', () => {
    for (let k = 0; k <= 12; k++) {
      const d = new Domain(k, { extendedBits: 2 });
      expect(d.n).toBe(2 ** k);
      expect(Fr.pow(d.omega, BigInt(d.n))).toBe(1n);
      if (k > 0) expect(Fr.pow(d.omega, BigInt(d.n / 2))).toBe(Fr.p - 1n); // primitive
      expect(Fr.mul(d.omega, d.omegaInv)).toBe(1n);
      expect(Fr.mul(d.nInv, BigInt(d.n))).toBe(1n);
      expect(d.cosetGenerator).toBe(5n);
      expect(Fr.mul(d.cosetGenerator, d.cosetGeneratorInv)).toBe(1n);
      expect(d.extendedN).toBe(4 * d.n);
      expect(Fr.pow(d.extendedOmega, 4n)).toBe(d.omega);
      expect(Fr.mul(d.extendedOmega, d.extendedOmegaInv)).toBe(1n);
    }
  });

  it('rejects sizes outside the two-adicity', () => {
    expect(() => new Domain(29)).toThrow(/0 ≤ k ≤ 28/);
    expect(() => new Domain(27, { extendedBits: 2 })).toThrow(/extension/);
    expect(() => new Domain(-1)).toThrow(RangeError);
  });

  it('forConstraintDegree follows halo2: 2^(k+e) ≥ (degree − 1)·n', () => {
    expect(Domain.forConstraintDegree(4, 1).extendedBits).toBe(0);
    expect(Domain.forConstraintDegree(4, 2).extendedBits).toBe(0);
    expect(Domain.forConstraintDegree(4, 3).extendedBits).toBe(1);
    expect(Domain.forConstraintDegree(4, 4).extendedBits).toBe(2);
    expect(Domain.forConstraintDegree(4, 5).extendedBits).toBe(2);
    expect(Domain.forConstraintDegree(4, 9).extendedBits).toBe(3);
  });
});

describe('rotations', () => {
  const d = new Domain(5);
  it('ω^r for positive and negative r, and rotate(x, r) = ω^r·x', () => {
    expect(d.rotationOmega(0)).toBe(1n);
    expect(d.rotationOmega(1)).toBe(d.omega);
    expect(d.rotationOmega(-1)).toBe(d.omegaInv);
    expect(d.rotationOmega(-3)).toBe(Fr.pow(d.omegaInv, 3n));
    expect(d.rotationOmega(d.n + 2)).toBe(Fr.pow(d.omega, 2n));
    expect(d.rotate(7n, -2)).toBe(Fr.mul(7n, Fr.pow(d.omegaInv, 2n)));
    expect(() => d.rotationOmega(0.5)).toThrow(RangeError);
  });
  it('indexOf inverts ω^i and reports points off H', () => {
    for (let i = 0; i < d.n; i++) expect(d.indexOf(d.element(i))).toBe(i);
    expect(d.indexOf(0n)).toBe(-1);
    expect(d.indexOf(5n)).toBe(-1);
    expect(new Domain(0).indexOf(1n)).toBe(0);
  });
  it('the extended coset points are g·ω_E^i', () => {
    const e = new Domain(3, { extendedBits: 2 });
    expect(e.extendedCosetPoint(0)).toBe(5n);
    expect(e.extendedCosetPoint(3)).toBe(Fr.mul(5n, Fr.pow(e.extendedOmega, 3n)));
    expect(e.extendedCosetPoint(-1)).toBe(Fr.mul(5n, e.extendedOmegaInv));
  });
});

describe('vanishing polynomial', () => {
  it('Z_H vanishes on H and nowhere else tested', () => {
    const d = new Domain(4);
    for (let i = 0; i < d.n; i++) expect(d.vanishingAt(d.element(i))).toBe(0n);
    expect(d.vanishingAt(5n)).toBe(Fr.sub(Fr.pow(5n, 16n), 1n));
  });
  for (const [k, e] of [
    [3, 0],
    [3, 1],
    [4, 2],
    [2, 3],
  ] as const) {
    it(`on the extended coset takes 2^e distinct non-zero values (k = ${k}, e = ${e})`, () => {
      const d = new Domain(k, { extendedBits: e });
      const z = d.vanishingOnExtendedCoset();
      const zi = d.vanishingInverseOnExtendedCoset();
      expect(z.length).toBe(2 ** e);
      expect(new Set(z).size).toBe(2 ** e);
      for (let i = 0; i < d.extendedN; i++) {
        const direct = d.vanishingAt(d.extendedCosetPoint(i));
        expect(direct).not.toBe(0n);
        expect(z[i % 2 ** e]).toBe(direct);
        expect(Fr.mul(zi[i % 2 ** e]!, direct)).toBe(1n);
      }
    });
  }
});

describe('Lagrange basis', () => {
  const d = new Domain(4);
  it('L_i(ω^j) = δ_ij', () => {
    for (let i = 0; i < d.n; i++) for (let j = 0; j < d.n; j++) expect(d.lagrangeAt(i, d.element(j))).toBe(i === j ? 1n : 0n);
  });
  it('matches the product formula Π_{j≠i} (x − ω^j)/(ω^i − ω^j) off the domain', () => {
    const x = 123456789n;
    for (let i = 0; i < d.n; i++) {
      let num = 1n;
      let den = 1n;
      for (let j = 0; j < d.n; j++) {
        if (j === i) continue;
        num = Fr.mul(num, Fr.sub(x, d.element(j)));
        den = Fr.mul(den, Fr.sub(d.element(i), d.element(j)));
      }
      expect(d.lagrangeAt(i, x)).toBe(Fr.div(num, den));
    }
  });
  it('negative rows count from the end; lagrangeEvals batches them', () => {
    const x = 987654321n;
    expect(d.lagrangeAt(-1, x)).toBe(d.lagrangeAt(d.n - 1, x));
    expect(d.lagrangeEvals(x, [0, -1, 3, -5])).toEqual([0, d.n - 1, 3, d.n - 5].map((i) => d.lagrangeAt(i, x)));
  });
  it('the packed basis vector sums to 1 and agrees with lagrangeAt (on and off the domain)', () => {
    for (const x of [42n, d.element(5), Fr.p - 1n]) {
      const v = d.lagrangeBasisAt(x);
      const vals = v.toBigints();
      expect(vals.reduce((a, b) => Fr.add(a, b), 0n)).toBe(1n);
      vals.forEach((l, i) => expect(l).toBe(d.lagrangeAt(i, x)));
      v.free();
    }
  });
});

describe('barycentric evaluation', () => {
  for (const k of [0, 1, 3, 7]) {
    it(`equals Horner on the interpolated coefficients (k = ${k})`, () => {
      const d = new Domain(k);
      const values = randomValues(d.n, 40 + k);
      const coeffs = naiveInterpolate(values, d.omega);
      const v = d.F.fromBigints(values);
      for (const x of [0n, 7n, Fr.p - 1n, d.element(d.n - 1), d.omegaInv, Fr.random(seeded(k))]) {
        expect(d.barycentric(v, x)).toBe(horner(coeffs, x));
      }
      v.free();
    });
  }
  it('fast-check: barycentric(values, x) = Σ v_i·L_i(x)', () => {
    const d = new Domain(3);
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: Fr.p - 1n }), { minLength: 8, maxLength: 8 }), fc.bigInt({ min: 0n, max: Fr.p - 1n }), (vals, x) => {
        const v = d.F.fromBigints(vals);
        const got = d.barycentric(v, x);
        v.free();
        const want = vals.reduce((acc, vi, i) => Fr.add(acc, Fr.mul(vi, d.lagrangeAt(i, x))), 0n);
        return got === want;
      }),
      { numRuns: 50 },
    );
  });
  it('fast-check: barycentricPrefix(values, x) = Σ v_i·L_i(x) over a prefix (x on H too); too many values are rejected', () => {
    const d = new Domain(3);
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: Fr.p - 1n }), { maxLength: 8 }), fc.oneof(fc.bigInt({ min: 0n, max: Fr.p - 1n }), fc.nat(7).map((i) => d.element(i))), (vals, x) => {
        const want = vals.reduce((acc, vi, i) => Fr.add(acc, Fr.mul(vi, d.lagrangeAt(i, x))), 0n);
        return d.barycentricPrefix(vals, x) === want;
      }),
      { numRuns: 50 },
    );
    expect(() => d.barycentricPrefix(new Array<bigint>(9).fill(1n), 3n)).toThrow(ShapeError);
  });
  it('rejects a vector of the wrong length', () => {
    const d = new Domain(3);
    const v = d.F.alloc(4);
    expect(() => d.barycentric(v, 3n)).toThrow(ShapeError);
    v.free();
  });
  it('works on a scalar (non-SIMD) runtime too', () => {
    const d = new Domain(5, { packed: packedFr(new FieldRuntime({ simd: false })) });
    const values = randomValues(d.n, 3);
    const v = d.F.fromBigints(values);
    expect(d.barycentric(v, 99n)).toBe(horner(naiveInterpolate(values, d.omega), 99n));
    v.free();
  });
});

describe('fillPattern', () => {
  it('repeats a pattern over a vector of any length', () => {
    const F = packedFr();
    for (const [len, pat] of [
      [1, [3n]],
      [10, [1n, 2n, 3n]],
      [16, [4n, 5n]],
      [2, [7n, 8n, 9n]],
    ] as const) {
      const v = F.alloc(len);
      fillPattern(v, pat);
      expect(v.toBigints()).toEqual(Array.from({ length: len }, (_, i) => pat[i % pat.length]));
      v.free();
    }
  });
});
