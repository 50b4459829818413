/**
 * Weight-matrix commitments against slow oracles: each row commitment equals
 * noble's Σ B_kj·[τ^j]₁; (B·r)_k by Horner equals the naive Σ_j B_kj·ρ^j;
 * the folded opening verifies for the true u and is rejected for a changed
 * u entry, another matrix, a wrong point, a wrong challenge and a bad proof.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/index.js';
import { nobleMsm } from '../../src/curve/curve.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import {
  commitMatrixRows,
  foldRowValues,
  matrixFingerprint,
  openFoldedRows,
  rowEvaluations,
  verifyFoldedOpening,
  type WeightMatrix,
} from '../../src/pcs/matrix-commit.js';

let params: KzgParams;
beforeAll(() => {
  params = new KzgParams(unsafeDevSrs(5, 'matrix-commit-tests'));
});

const matrix = (rows: number, cols: number, seed: number): WeightMatrix => {
  let s = seed;
  const values = Array.from({ length: rows * cols }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Fr.fromSigned((s % 511) - 255); // signed 9-bit weights, as quantized models have
  });
  return { rows, cols, values };
};

describe('matrix commitments', () => {
  it('each row commitment is Σ_j B_kj·[τ^j]₁ (noble)', () => {
    const m = matrix(3, 7, 1);
    const c = commitMatrixRows(params, m);
    expect(c.commitments).toHaveLength(3);
    for (let k = 0; k < 3; k++) {
      const row = Array.from(m.values).slice(7 * k, 7 * k + 7);
      expect(c.commitments[k]).toEqual(nobleMsm(params.srs.g1.slice(0, 7), row));
    }
  });

  it('rowEvaluations is B·(1, ρ, ρ², …) computed naively', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.bigInt({ min: 0n, max: Fr.p - 1n }), (n, p, rho) => {
        const m = matrix(n, p, n * 31 + p);
        const naive = Array.from({ length: n }, (_, k) =>
          Array.from({ length: p }, (_, j) => Fr.mul(m.values[k * p + j]!, Fr.pow(rho, BigInt(j)))).reduce((a, b) => Fr.add(a, b), 0n),
        );
        expect(rowEvaluations(m, rho)).toEqual(naive);
      }),
      { numRuns: 40 },
    );
  });

  it('a folded opening over several matrices verifies; every wrong claim is rejected', () => {
    const ms = [matrix(4, 6, 2), matrix(3, 9, 3)];
    const cs = ms.map((m) => commitMatrixRows(params, m));
    const rho = 0x1234567n;
    const gamma = 0x7654321n;
    const u = ms.flatMap((m) => rowEvaluations(m, rho));
    const opening = openFoldedRows(params, ms, gamma, rho);
    const vp = params.verifierParams();
    // the opened value is what the circuit computes from u
    expect(opening.value).toBe(foldRowValues(u, gamma));
    expect(verifyFoldedOpening(cs, gamma, rho, opening, vp)).toBe(true);

    // a changed u entry changes the folded value: the opening no longer matches it
    const forged = [...u];
    forged[5] = Fr.add(forged[5]!, 1n);
    expect(verifyFoldedOpening(cs, gamma, rho, { ...opening, value: foldRowValues(forged, gamma) }, vp)).toBe(false);
    // another model's weights (one entry changed): its own opening fails against this fingerprint
    const other = [ms[0]!, { ...ms[1]!, values: Array.from(ms[1]!.values).map((v, i) => (i === 4 ? Fr.add(v, 1n) : v)) }];
    expect(verifyFoldedOpening(cs, gamma, rho, openFoldedRows(params, other, gamma, rho), vp)).toBe(false);
    expect(matrixFingerprint(other.map((m) => commitMatrixRows(params, m)))).not.toEqual(matrixFingerprint(cs));
    // opening at another point, or under another γ, or with a wrong witness
    expect(verifyFoldedOpening(cs, gamma, rho + 1n, opening, vp)).toBe(false);
    expect(verifyFoldedOpening(cs, gamma + 1n, rho, opening, vp)).toBe(false);
    expect(verifyFoldedOpening(cs, gamma, rho, { ...opening, proof: params.srs.g1[1]! }, vp)).toBe(false);
    // a point off the curve is rejected, not thrown
    expect(verifyFoldedOpening(cs, gamma, rho, { ...opening, proof: { x: 1n, y: 1n } }, vp)).toBe(false);
  });

  it('fingerprints depend on shape and order; bad shapes are typed errors naming the sizes', () => {
    const a = commitMatrixRows(params, matrix(2, 3, 4));
    const b = commitMatrixRows(params, matrix(3, 2, 5));
    expect(matrixFingerprint([a, b])).not.toEqual(matrixFingerprint([b, a]));
    expect(matrixFingerprint([a, b])).toEqual(matrixFingerprint([a, b]));
    expect(() => commitMatrixRows(params, { rows: 2, cols: 3, values: [1n, 2n] })).toThrow(/expected 2 × 3 = 6 values, got 2/);
    expect(() => commitMatrixRows(params, { rows: 1, cols: 33, values: new Array(33).fill(1n) })).toThrow(/at least 33 powers, got 32/);
  });
});
