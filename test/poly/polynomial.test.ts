/**
 * Polynomial forms: conversions against direct evaluation, the convolution
 * theorem (NTT product vs schoolbook in bigint), synthetic division, the
 * quotient by Z_H on the extended coset, rotations, and the type-level and
 * run-time separation of the three forms.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fr, ShapeError } from '../../src/field/index.js';
import { Domain } from '../../src/poly/domain.js';
import { Coeffs, ExtendedValues, LagrangeValues } from '../../src/poly/polynomial.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
}
const randomValues = (n: number, seed: number): bigint[] => {
  const rng = seeded(seed);
  return Array.from({ length: n }, () => Fr.random(rng));
};
const horner = (cs: readonly bigint[], x: bigint): bigint => cs.reduceRight((acc, c) => Fr.add(Fr.mul(acc, x), c), 0n);
function schoolbook(a: readonly bigint[], b: readonly bigint[]): bigint[] {
  const out = new Array<bigint>(a.length + b.length - 1).fill(0n);
  a.forEach((ai, i) => b.forEach((bj, j) => (out[i + j] = Fr.add(out[i + j]!, Fr.mul(ai, bj)))));
  return out;
}

describe('conversions', () => {
  const d = new Domain(4, { extendedBits: 2 });

  it('coeffs → Lagrange gives p(ω^i), and interpolate brings them back', () => {
    const cs = randomValues(d.n, 1);
    const p = Coeffs.fromBigints(d, cs);
    const l = p.toLagrange();
    expect(l.toBigints()).toEqual(Array.from({ length: d.n }, (_, i) => horner(cs, d.element(i))));
    const back = l.interpolate();
    expect(back.toBigints()).toEqual(cs);
    for (const x of [p, l, back]) x.free();
  });

  it('coeffs → extended gives p(g·ω_E^i) for short and full-length coefficient vectors', () => {
    for (const len of [1, 5, d.n, d.extendedN]) {
      const cs = randomValues(len, len);
      const p = Coeffs.fromBigints(d, cs);
      const e = p.toExtended();
      expect(e.length).toBe(d.extendedN);
      expect(e.toBigints()).toEqual(Array.from({ length: d.extendedN }, (_, i) => horner(cs, d.extendedCosetPoint(i))));
      const back = e.toCoeffs();
      expect(back.toBigints()).toEqual([...cs, ...new Array<bigint>(d.extendedN - len).fill(0n)]);
      for (const x of [p, e, back]) x.free();
    }
  });

  it('Lagrange → extended equals coeffs → extended', () => {
    const cs = randomValues(d.n, 9);
    const p = Coeffs.fromBigints(d, cs);
    const a = p.toExtended();
    const l = p.toLagrange();
    const b = l.toExtended();
    expect(b.toBigints()).toEqual(a.toBigints());
    for (const x of [p, a, l, b]) x.free();
  });

  it('rejects lengths that do not fit the form', () => {
    expect(() => Coeffs.fromBigints(d, randomValues(d.n + 1, 1)).toLagrange()).toThrow(/at most n = 16/);
    expect(() => LagrangeValues.fromBigints(d, randomValues(d.n + 1, 1))).toThrow(ShapeError);
    expect(() => ExtendedValues.fromBigints(d, randomValues(d.n, 1))).toThrow(/expected 64 values/);
    expect(() => Coeffs.fromBigints(d, randomValues(d.extendedN + 1, 1))).toThrow(ShapeError);
  });
});

describe('arithmetic', () => {
  const d = new Domain(5, { extendedBits: 2 });

  it('add, sub, scale, neg in each form agree with bigint', () => {
    const xs = randomValues(d.n, 2);
    const ys = randomValues(d.n, 3);
    const a = LagrangeValues.fromBigints(d, xs);
    const b = LagrangeValues.fromBigints(d, ys);
    const s = a.add(b);
    const t = a.sub(b);
    const u = a.scale(7n);
    const m = a.mul(b);
    const ng = a.neg();
    expect(s.toBigints()).toEqual(xs.map((x, i) => Fr.add(x, ys[i]!)));
    expect(t.toBigints()).toEqual(xs.map((x, i) => Fr.sub(x, ys[i]!)));
    expect(u.toBigints()).toEqual(xs.map((x) => Fr.mul(x, 7n)));
    expect(m.toBigints()).toEqual(xs.map((x, i) => Fr.mul(x, ys[i]!)));
    expect(ng.toBigints()).toEqual(xs.map((x) => Fr.neg(x)));
    for (const x of [a, b, s, t, u, m, ng]) x.free();
  });

  it('coefficient vectors of different lengths add and subtract with zero padding', () => {
    const xs = randomValues(3, 4);
    const ys = randomValues(7, 5);
    const a = Coeffs.fromBigints(d, xs);
    const b = Coeffs.fromBigints(d, ys);
    const s = a.add(b);
    const t = a.sub(b);
    expect(s.toBigints()).toEqual(ys.map((y, i) => Fr.add(xs[i] ?? 0n, y)));
    expect(t.toBigints()).toEqual(ys.map((y, i) => Fr.sub(xs[i] ?? 0n, y)));
    for (const x of [a, b, s, t]) x.free();
  });

  it('convolution theorem: the coefficient product (NTT and schoolbook paths) equals the schoolbook product', () => {
    for (const [la, lb] of [
      [1, 1],
      [3, 16],
      [17, 17],
      [20, 45],
      [64, 64],
      [100, 28],
    ] as const) {
      const xs = randomValues(la, la * 31 + lb);
      const ys = randomValues(lb, lb * 17 + la);
      const a = Coeffs.fromBigints(d, xs);
      const b = Coeffs.fromBigints(d, ys);
      const c = a.mul(b);
      expect(c.toBigints(), `${la}×${lb}`).toEqual(schoolbook(xs, ys));
      for (const x of [a, b, c]) x.free();
    }
  });

  it('a product in evaluation form interpolates to the coefficient product when the degree fits', () => {
    const xs = randomValues(d.n / 2, 6);
    const ys = randomValues(d.n / 2, 7);
    const a = Coeffs.fromBigints(d, xs);
    const b = Coeffs.fromBigints(d, ys);
    const la = a.toLagrange();
    const lb = b.toLagrange();
    const lc = la.mul(lb);
    const c = lc.interpolate();
    expect(c.toBigints().slice(0, d.n - 1)).toEqual(schoolbook(xs, ys));
    for (const x of [a, b, la, lb, lc, c]) x.free();
  });

  it('split cuts coefficients into zero-padded pieces with p = Σ p_k·X^(k·size)', () => {
    const xs = randomValues(2 * d.n + 3, 12);
    const p = Coeffs.fromBigints(d, xs);
    const pieces = p.split(d.n);
    expect(pieces.map((q) => q.length)).toEqual([d.n, d.n, d.n]);
    const x = 99n;
    const xn = Fr.pow(x, BigInt(d.n));
    expect(pieces.reduceRight((acc, q) => Fr.add(Fr.mul(acc, xn), q.evaluate(x)), 0n)).toBe(horner(xs, x));
    expect(pieces[2]!.toBigints().slice(3).every((c) => c === 0n)).toBe(true);
    for (const q of [p, ...pieces]) q.free();
  });

  it('rejects a product longer than the extended domain', () => {
    const a = Coeffs.fromBigints(d, randomValues(d.extendedN, 1));
    const b = Coeffs.fromBigints(d, [1n, 1n]);
    expect(() => a.mul(b)).toThrow(/more than N/);
    a.free();
    b.free();
  });

  it('fast-check: (a·b)(x) = a(x)·b(x) and Horner agrees with bigint', () => {
    const coeffs = fc.array(fc.bigInt({ min: 0n, max: Fr.p - 1n }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(coeffs, coeffs, fc.bigInt({ min: 0n, max: Fr.p - 1n }), (xs, ys, x) => {
        const a = Coeffs.fromBigints(d, xs);
        const b = Coeffs.fromBigints(d, ys);
        const c = a.mul(b);
        const ok = c.evaluate(x) === Fr.mul(horner(xs, x), horner(ys, x)) && a.evaluate(x) === horner(xs, x);
        for (const p of [a, b, c]) p.free();
        return ok;
      }),
      { numRuns: 60 },
    );
  });
});

describe('evaluation and division', () => {
  const d = new Domain(4, { extendedBits: 1 });

  it('Lagrange evaluation (barycentric) equals Horner on the coefficients', () => {
    const cs = randomValues(d.n, 11);
    const p = Coeffs.fromBigints(d, cs);
    const l = p.toLagrange();
    for (const x of [3n, d.element(2), Fr.p - 5n]) expect(l.evaluate(x)).toBe(horner(cs, x));
    p.free();
    l.free();
  });

  it('divideByLinear: p = q·(X − a) + p(a), and q is the KZG opening quotient', () => {
    for (const len of [1, 2, 16, 32]) {
      const cs = randomValues(len, len + 100);
      const p = Coeffs.fromBigints(d, cs);
      const a = 31337n;
      const { quotient, remainder } = p.divideByLinear(a);
      expect(remainder).toBe(horner(cs, a));
      const lin = Coeffs.fromBigints(d, [Fr.neg(a), 1n]);
      const back = quotient.mul(lin);
      const want = [...cs];
      want[0] = Fr.sub(want[0]!, remainder);
      const got = back.toBigints();
      expect(got.slice(0, len)).toEqual(want);
      expect(got.slice(len).every((c) => c === 0n)).toBe(true);
      for (const x of [p, quotient, lin, back]) x.free();
    }
  });

  it('divideByVanishing recovers h from Z_H·h on the extended coset', () => {
    const e = new Domain(3, { extendedBits: 2 });
    const hs = randomValues(2 * e.n, 77);
    const zh = [Fr.neg(1n), ...new Array<bigint>(e.n - 1).fill(0n), 1n]; // X^n − 1
    const h = Coeffs.fromBigints(e, hs);
    const z = Coeffs.fromBigints(e, zh);
    const p = h.mul(z);
    const pe = p.toExtended();
    const q = pe.divideByVanishing();
    const he = h.toExtended();
    expect(q.toBigints()).toEqual(he.toBigints());
    const qc = q.toCoeffs();
    expect(qc.toBigints().slice(0, hs.length)).toEqual(hs);
    for (const x of [h, z, p, pe, q, he, qc]) x.free();
  });
});

describe('rotations', () => {
  it('Lagrange rotate(r) reads p(ω^(i + r)), extended rotate(r) reads p(ω^r·g·ω_E^i)', () => {
    const d = new Domain(3, { extendedBits: 1 });
    const cs = randomValues(d.n, 5);
    const p = Coeffs.fromBigints(d, cs);
    const l = p.toLagrange();
    const e = p.toExtended();
    for (const r of [0, 1, -1, 3, -9]) {
      const lr = l.rotate(r);
      const er = e.rotate(r);
      expect(lr.toBigints()).toEqual(Array.from({ length: d.n }, (_, i) => horner(cs, d.rotate(d.element(i), r))));
      expect(er.toBigints()).toEqual(Array.from({ length: d.extendedN }, (_, i) => horner(cs, d.rotate(d.extendedCosetPoint(i), r))));
      lr.free();
      er.free();
    }
    for (const x of [p, l, e]) x.free();
  });
});

describe('forms cannot be mixed', () => {
  const d = new Domain(2, { extendedBits: 1 });
  const c = Coeffs.fromBigints(d, [1n, 2n]);
  const l = LagrangeValues.fromBigints(d, [1n, 2n, 3n, 4n]);
  const e = ExtendedValues.constant(d, 3n);

  it('at compile time', () => {
    // Each line must fail to type-check: tsc runs over the tests.
    // @ts-expect-error Lagrange values are not coefficients
    expect(() => c.add(l)).toThrow(ShapeError);
    // @ts-expect-error extended values are not Lagrange values
    expect(() => l.mul(e)).toThrow(ShapeError);
    // @ts-expect-error coefficients are not extended values
    expect(() => e.sub(c)).toThrow(/expected a extended polynomial, got coeffs/);
  });

  it('at run time, across domains', () => {
    const other = new Domain(2, { extendedBits: 2 });
    const l2 = LagrangeValues.fromBigints(other, [1n]);
    expect(() => l.add(l2)).toThrow(/same domain/);
    l2.free();
    expect(e.toBigints()).toEqual(new Array<bigint>(8).fill(3n));
  });
});
