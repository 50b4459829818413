import { describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/index.js';
import { nobleMsm } from '../../src/poly/curve.js';
import { G1_GENERATOR, g1Mul, packedG1 } from '../../src/poly/g1.js';
import { glvConstants, glvSplit } from '../../src/poly/glv.js';
import { msm } from '../../src/poly/msm.js';

describe('scratch msm', () => {
  it('glv', () => {
    const K = glvConstants();
    console.log(K);
    for (const k of [1n, 2n, Fr.p - 1n, 123456789n ** 7n % Fr.p]) {
      const { k1, k2 } = glvSplit(k);
      expect(Fr.create(k1 + K.lambda * k2)).toBe(k);
    }
  });
  it('msm small', () => {
    const g = packedG1();
    for (const n of [1, 2, 3, 17, 100]) {
      const pts = Array.from({ length: n }, (_, i) => g1Mul(G1_GENERATOR, BigInt(i * 7919 + 13)));
      const ks = Array.from({ length: n }, (_, i) => Fr.create(BigInt(i + 1) * 0x1234567890abcdef1234567890abcdefn ** 2n + 99n));
      const v = g.fromAffine(pts);
      const got = msm(v, ks);
      expect(got).toEqual(nobleMsm(pts, ks));
      v.free();
    }
  });
});
