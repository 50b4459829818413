/**
 * The permutation round's chunk ratio (permutation.ts `chunkRatio`, what the
 * pool's workers and the main thread compute) against bigints:
 * Π_i (v_i + β·δ^i·ω^r + γ) / Π_i (v_i + β·σ_i + γ) at every row r.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fr, packedFr } from '../../../src/field/index.js';
import { StoredColumn } from '../../../src/plonkish/backend/columns.js';
import { chunkRatio, DELTA } from '../../../src/plonkish/backend/permutation.js';

const F = packedFr();
const K = 3;
const N = 1 << K;
const shared = (values: readonly bigint[]): Uint8Array => {
  const v = F.fromBigints([...values]);
  return StoredColumn.take(v).bytes;
};

describe('chunkRatio', () => {
  it('is Π(v + β·δ^i·ω^r + γ) / Π(v + β·σ_i + γ) row by row (bigint oracle)', () => {
    const scalar = fc.bigInt({ min: 0n, max: Fr.p - 1n });
    const column = fc.array(scalar, { minLength: N, maxLength: N });
    fc.assert(
      fc.property(fc.array(fc.tuple(column, column), { minLength: 1, maxLength: 3 }), scalar, scalar, fc.integer({ min: 0, max: 40 }), (cols, beta, gamma, first) => {
        const omega = Fr.rootOfUnityOfOrder(K);
        const ratio = chunkRatio(F, {
          k: K,
          beta,
          gamma,
          omega,
          columns: cols.map(([v, sigma], j) => ({ values: shared(v), sigma: shared(sigma), shift: Fr.mul(beta, Fr.pow(DELTA, BigInt(first + j))) })),
        });
        const got = ratio.toBigints();
        ratio.free();
        for (let r = 0; r < N; r++) {
          let num = 1n;
          let den = 1n;
          cols.forEach(([v, sigma], j) => {
            const id = Fr.mul(Fr.pow(DELTA, BigInt(first + j)), Fr.pow(omega, BigInt(r)));
            num = Fr.mul(num, Fr.add(Fr.add(v[r]!, Fr.mul(beta, id)), gamma));
            den = Fr.mul(den, Fr.add(Fr.add(v[r]!, Fr.mul(beta, sigma[r]!)), gamma));
          });
          // a zero denominator has probability ~2^-254; batchInv maps 0 to 0
          expect(got[r]).toBe(den === 0n ? 0n : Fr.mul(num, Fr.inv(den)));
        }
      }),
      { numRuns: 30 },
    );
  });
});
