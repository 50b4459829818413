import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldRuntime, Fq, Fr, getRuntime } from '../../src/field/index.js';
import { g1FromNoble, g1ToNoble, nobleMul, NobleG1Point } from '../../src/curve/curve.js';
import {
  CurveError,
  G1_GENERATOR,
  g1Add,
  g1Double,
  g1Equal,
  g1IsOnCurve,
  g1Mul,
  g1Neg,
  packedG1,
  toXyzz,
  xyzzToAffine,
  type G1Affine,
} from '../../src/curve/g1.js';

/** Deterministic 32-bit generator. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
}
const randScalar = (next: () => number) => Fr.random(next);
const nobleAdd = (a: G1Affine, b: G1Affine) => g1FromNoble(g1ToNoble(a).add(g1ToNoble(b)));

const runtimes: [string, FieldRuntime][] = [
  ['default runtime (SIMD where supported)', getRuntime()],
  ['scalar runtime', new FieldRuntime({ simd: false })],
];

describe('G1 bigint reference', () => {
  const next = rng(1);
  const P = g1Mul(G1_GENERATOR, randScalar(next));
  const Q = g1Mul(G1_GENERATOR, randScalar(next));

  it('the generator is on the curve and has order r (cofactor 1)', () => {
    expect(g1IsOnCurve(G1_GENERATOR)).toBe(true);
    expect(g1Mul(G1_GENERATOR, Fr.p)).toBeNull();
    expect(g1Mul(G1_GENERATOR, Fr.p + 1n)).toEqual(G1_GENERATOR);
    expect(NobleG1Point.BASE.toAffine()).toEqual(G1_GENERATOR);
  });

  it('add, double, neg and mul agree with noble', () => {
    expect(g1Add(P, Q)).toEqual(nobleAdd(P, Q));
    expect(g1Double(P)).toEqual(g1FromNoble(g1ToNoble(P).double()));
    expect(g1Neg(P)).toEqual(g1FromNoble(g1ToNoble(P).negate()));
    const k = randScalar(next);
    expect(g1Mul(P, k)).toEqual(nobleMul(P, k));
    expect(g1Mul(P, -k)).toEqual(g1Neg(nobleMul(P, k)));
  });

  it('handles infinity, P + P and P − P', () => {
    expect(g1Add(null, P)).toEqual(P);
    expect(g1Add(P, null)).toEqual(P);
    expect(g1Add(null, null)).toBeNull();
    expect(g1Add(P, P)).toEqual(g1Double(P));
    expect(g1Add(P, g1Neg(P))).toBeNull();
    expect(g1Double(null)).toBeNull();
    expect(g1Mul(P, 0n)).toBeNull();
    expect(g1Mul(null, 5n)).toBeNull();
    expect(g1Equal(null, null)).toBe(true);
    expect(g1Equal(P, null)).toBe(false);
  });

  it('noble conversions round-trip, infinity included', () => {
    expect(g1FromNoble(g1ToNoble(P))).toEqual(P);
    expect(g1FromNoble(g1ToNoble(null))).toBeNull();
    expect(() => g1ToNoble({ x: 1n, y: 3n })).toThrow(CurveError);
  });
});

describe.each(runtimes)('packed G1 (%s)', (_, rt) => {
  const g = packedG1(rt);
  const next = rng(2);
  const pts = Array.from({ length: 6 }, () => g1Mul(G1_GENERATOR, randScalar(next)));
  const [P, Q] = [pts[0]!, pts[1]!];
  const z = () => Fq.random(next) || 1n;

  it('packs and unpacks points, infinity as null', () => {
    const v = g.fromAffine([P, null, Q]);
    expect(v.length).toBe(3);
    expect(v.toAffine()).toEqual([P, null, Q]);
    expect(v.get(1)).toBeNull();
    v.set(1, P);
    expect(v.get(1)).toEqual(P);
    expect(v.slice(1, 2).toAffine()).toEqual([P, Q]);
    expect(g.findInvalid(v)).toBe(-1);
    v.free();
  });

  it('rejects points off the curve, naming the index', () => {
    expect(() => g.fromAffine([P, { x: 1n, y: 3n }])).toThrow(/point 1/);
    const v = g.alloc(3);
    expect(() => v.set(0, { x: 5n, y: 5n })).toThrow(CurveError);
    v.coords.set(4, 5n); // x of point 2: (5, 0) is neither on the curve nor the sentinel
    expect(g.findInvalid(v)).toBe(2);
    expect(() => g.assertValid(v)).toThrow(/point 2/);
    v.free();
  });

  it('XYZZ add, mixed add and doubling agree with noble for random Z', () => {
    const zP = toXyzz(P, z());
    const zQ = toXyzz(Q, z());
    expect(xyzzToAffine(g.xyzzAdd(zP, zQ))).toEqual(nobleAdd(P, Q));
    expect(xyzzToAffine(g.xyzzAddMixed(zP, Q))).toEqual(nobleAdd(P, Q));
    expect(xyzzToAffine(g.xyzzDouble(zP))).toEqual(g1Double(P));
    expect(xyzzToAffine(g.xyzzDoubleAffine(P))).toEqual(g1Double(P));
    expect(g.xyzzNormalize(zP)).toEqual(P);
  });

  it('XYZZ edge cases: infinity, P + P (doubling) and P − P', () => {
    const inf = toXyzz(null);
    const zP = toXyzz(P, z());
    expect(xyzzToAffine(g.xyzzAdd(zP, toXyzz(P, z())))).toEqual(g1Double(P));
    expect(xyzzToAffine(g.xyzzAdd(zP, toXyzz(g1Neg(P), z())))).toBeNull();
    expect(xyzzToAffine(g.xyzzAdd(inf, zP))).toEqual(P);
    expect(xyzzToAffine(g.xyzzAdd(zP, inf))).toEqual(P);
    expect(xyzzToAffine(g.xyzzAdd(inf, inf))).toBeNull();
    expect(xyzzToAffine(g.xyzzAddMixed(zP, P))).toEqual(g1Double(P));
    expect(xyzzToAffine(g.xyzzAddMixed(zP, g1Neg(P)))).toBeNull();
    expect(xyzzToAffine(g.xyzzAddMixed(inf, P))).toEqual(P);
    expect(xyzzToAffine(g.xyzzAddMixed(zP, null))).toEqual(P);
    expect(xyzzToAffine(g.xyzzDouble(inf))).toBeNull();
    expect(xyzzToAffine(g.xyzzDoubleAffine(null))).toBeNull();
    expect(g.xyzzNormalize(inf)).toBeNull();
  });

  it('XYZZ addition is the group law (property)', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, Fr.p - 1n), fc.bigInt(0n, Fr.p - 1n), fc.bigInt(1n, Fq.p - 1n), (a, b, zz) => {
        const A = g1Mul(P, a);
        const B = g1Mul(P, b);
        expect(xyzzToAffine(g.xyzzAdd(toXyzz(A, zz), toXyzz(B, 3n)))).toEqual(g1Mul(P, a + b));
        expect(xyzzToAffine(g.xyzzAddMixed(toXyzz(A, zz), B))).toEqual(g1Mul(P, a + b));
      }),
      { numRuns: 15 },
    );
  });

  it('batch-affine addition matches noble, edge cases and every batch length', () => {
    // pairs: generic, P + P, P − P, ∞ + Q, P + ∞, ∞ + ∞, and repeats of generic pairs
    const special: [G1Affine, G1Affine][] = [
      [P, Q],
      [P, P],
      [P, g1Neg(P)],
      [null, Q],
      [P, null],
      [null, null],
      [Q, g1Double(Q)],
    ];
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 33]) {
      const pairs = Array.from({ length: n }, (_, i) =>
        i < special.length ? special[i]! : ([pts[i % 6]!, pts[(i * 5 + 1) % 6]!] as [G1Affine, G1Affine]),
      );
      const a = g.fromAffine(pairs.map((p) => p[0]));
      const b = g.fromAffine(pairs.map((p) => p[1]));
      const want = pairs.map(([x, y]) => nobleAdd(x, y));
      const out = g.alloc(n);
      g.addBatch(out, a, b);
      expect(out.toAffine()).toEqual(want);
      const a2 = a.clone();
      g.addBatch(a2, a2, b); // out = a
      expect(a2.toAffine()).toEqual(want);
      g.addBatch(b, a, b); // out = b
      expect(b.toAffine()).toEqual(want);
      expect(a.toAffine()).toEqual(pairs.map((p) => p[0]));
      for (const v of [a, b, out, a2]) v.free();
    }
  });

  it('addBatch rejects mismatched lengths', () => {
    const a = g.alloc(2);
    const b = g.alloc(3);
    expect(() => g.addBatch(a, a, b)).toThrow(/equal lengths/);
    a.free();
    b.free();
  });

  it('multiples() gives [1]B … [n]B', () => {
    const v = g.multiples(P, 37);
    const got = v.toAffine();
    for (const i of [0, 1, 2, 15, 16, 31, 36]) expect(got[i]).toEqual(g1Mul(P, BigInt(i + 1)));
    v.free();
  });
});
