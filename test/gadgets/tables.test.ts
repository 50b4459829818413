import { describe, expect, it } from 'vitest';
import { expFix, geluFix, isqrt, ONE, piFix, PRECISION, sqrtRatRound } from '../../src/gadgets/exact.js';
import { buildTable, type FnTableSpec, tableDigest, tableEntry } from '../../src/gadgets/tables.js';

/** The default tables, pinned by content: any change to how they are built fails here. */
const PINNED: [FnTableSpec, string][] = [
  [{ fn: 'exp', inScale: 8, outScale: 16, min: -2048, max: 512 }, '9eccf3b90d8b7cd81554ecba2ac2e524f74227dd4ef129c036d6396b6d385062'],
  [{ fn: 'gelu', inScale: 8, outScale: 8, min: -2048, max: 2047 }, '57f2e2a917a1f12fb6df3cb1a9c6225abce431939e6cdf595ca854313e39e331'],
  [{ fn: 'sigmoid', inScale: 8, outScale: 16, min: -2048, max: 2047 }, 'ca1eec34b0a136f768f8dac05bc153dedd3248f26c6ee6b609585d40af09bc6b'],
  [{ fn: 'tanh', inScale: 8, outScale: 16, min: -2048, max: 2047 }, '2c184ac5afadcdbf4f63bcc005917e22a05359fef188397eb02c24812284b6d2'],
  [{ fn: 'reciprocal', inScale: 8, outScale: 16, min: 1, max: 4095 }, '0af913b46b0bd13b07135b77506eb02cac4043a24a07d562565a4656218c30c3'],
  [{ fn: 'rsqrt', inScale: 8, outScale: 8, min: 0, max: 4095, eps: [1n, 100000n] }, '7e84d59787ea5a03f45cf2fea3452b535aba62e447d75d5fcc151999c51c6a63'],
];

const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
const REF: Record<string, (x: number) => number> = {
  exp: Math.exp,
  gelu,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  reciprocal: (x) => 1 / x,
  rsqrt: (x) => 1 / Math.sqrt(x + 1e-5),
};

describe('exact arithmetic', () => {
  it('π, e, √ and GELU agree with float64 to its precision', () => {
    const f = (v: bigint) => Number((v * 10n ** 17n) >> PRECISION) / 1e17;
    expect(f(piFix())).toBeCloseTo(Math.PI, 15);
    expect(f(expFix(ONE))).toBeCloseTo(Math.E, 15);
    expect(f(expFix(-3n * ONE))).toBeCloseTo(Math.exp(-3), 15);
    expect(f(geluFix(ONE))).toBeCloseTo(gelu(1), 15);
    expect(isqrt(10n ** 40n)).toBe(10n ** 20n);
    expect(isqrt(10n ** 40n - 1n)).toBe(10n ** 20n - 1n);
  });
  it('rational and square-root rounding is exact', () => {
    expect(sqrtRatRound(25n, 4n)).toBe(3n); // √6.25 = 2.5 rounds up
    expect(sqrtRatRound(24n, 4n)).toBe(2n);
    expect(tableEntry({ fn: 'reciprocal', inScale: 0, outScale: 1, min: 1, max: 4 }, 4n)).toBe(1n); // 2/4 = 0.5 → 1
  });
});

describe('tables', () => {
  for (const [spec, digest] of PINNED) {
    it(`${spec.fn}: content digest is pinned and every entry is within half an ulp (+ float slack) of float64`, () => {
      const table = buildTable(spec);
      expect(tableDigest(table)).toBe(digest);
      const ulp = 2 ** -spec.outScale;
      let worst = 0;
      for (let i = 0; i < table.inputs.length; i++) {
        const x = Number(table.inputs[i]) / 2 ** spec.inScale;
        if (spec.fn === 'rsqrt' && x === 0) continue; // 1/√ε: float's ε differs slightly in representation
        const want = REF[spec.fn]!(x);
        const got = Number(table.outputs[i]) * ulp;
        worst = Math.max(worst, Math.abs(got - want) / ulp);
      }
      expect(worst).toBeLessThanOrEqual(0.5 + 1e-6);
    });
  }
  it('building twice gives the same table', () => {
    const spec = PINNED[1]![0];
    expect(tableDigest(buildTable(spec))).toBe(tableDigest(buildTable(spec)));
  });
  it('rejects bad specs', () => {
    expect(() => buildTable({ fn: 'reciprocal', inScale: 0, outScale: 8, min: 0, max: 4 })).toThrow(/> 0/);
    expect(() => buildTable({ fn: 'exp', inScale: 0, outScale: 8, min: 4, max: 0 })).toThrow(/min ≤ max/);
  });
});
