import { describe, expect, it } from 'vitest';
import { Fq } from '../../src/field/index.js';
import { g1FromNoble, g1ToNoble, nobleMul, NobleG1Point } from '../../src/poly/curve.js';
import { G1_GENERATOR, g1Add, g1Double, g1Mul, g1Neg, packedG1, toXyzz, xyzzToAffine, type G1Affine } from '../../src/poly/g1.js';

describe('scratch', () => {
  it('kernels', () => {
    const g = packedG1();
    const P = g1Mul(G1_GENERATOR, 12345n);
    const Q = g1Mul(G1_GENERATOR, 777n);
    expect(P).toEqual(nobleMul(G1_GENERATOR, 12345n));
    const s = g.xyzzAdd(toXyzz(P, 5n), toXyzz(Q, 7n));
    expect(xyzzToAffine(s)).toEqual(g1Add(P, Q));
    expect(xyzzToAffine(g.xyzzDouble(toXyzz(P, 5n)))).toEqual(g1Double(P));
    expect(xyzzToAffine(g.xyzzAddMixed(toXyzz(P, 5n), Q))).toEqual(g1Add(P, Q));
    expect(g.xyzzNormalize(toXyzz(P, 11n))).toEqual(P);
    const a = g.fromAffine([P, P, P, null, Q]);
    const b = g.fromAffine([Q, P, g1Neg(P), Q, null]);
    g.addBatch(a, a, b);
    expect(a.toAffine()).toEqual([g1Add(P, Q), g1Double(P), null, Q, Q]);
  });
});
