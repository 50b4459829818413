/**
 * Late instance columns through the real prover and verifier: the published
 * value is read from the proof and returned with the challenges; a changed
 * byte of it, a prover that publishes another value than its cell's (the
 * transcript stays consistent, the permutation must catch it), and values
 * passed by the caller for a late column are all rejected. `proveDetailed`
 * returns the same challenges and late values the verifier reads, and a
 * statement binding (`bind`) must match on both sides.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Fr } from '../../../src/field/index.js';
import { keygen, type ProvingKey } from '../../../src/plonkish/backend/keygen.js';
import { prove, proveDetailed } from '../../../src/plonkish/backend/prover.js';
import { verifyDetailed as verify } from '../../../src/plonkish/backend/verifier.js';
import { type Layouter } from '../../../src/plonkish/frontend/index.js';
import { KzgParams, unsafeDevSrs } from '../../../src/pcs/kzg.js';
import { hornerSpec, type LateConfig, LateInstanceCircuit } from '../late-instance-circuit.js';

/** Publishes v + 1 instead of its cell's v: a lying prover with an honest transcript. */
class LyingCircuit extends LateInstanceCircuit {
  override synthesize(layouter: Layouter, cfg: LateConfig): void {
    const real = layouter.exposeInstance.bind(layouter);
    layouter.exposeInstance = (cell, column, row) => real({ ...cell, value: cell.value.map((v) => Fr.add(v, 1n)) }, column, row);
    super.synthesize(layouter, cfg);
  }
}

const K = 5;
const A = [3n, 1n, 4n, 1n, 5n, 9n];
let params: KzgParams;
let vp: ReturnType<KzgParams['verifierParams']>;
let pk: ProvingKey;
let proof: Uint8Array;

beforeAll(() => {
  params = new KzgParams(unsafeDevSrs(K + 1, 'late-instance-tests'));
  vp = params.verifierParams();
  pk = keygen(new LateInstanceCircuit(A.map(() => 0n)), params, K);
  proof = prove(pk, new LateInstanceCircuit(A), [[]], params);
});

describe('late instances, real prover', () => {
  it('verifies and returns the published value and the challenges; the value is the spec at the drawn challenge', () => {
    const r = verify(pk.vk, proof, [[]], vp);
    expect(r.reason).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.challenges).toHaveLength(1);
    expect(r.instances).toEqual([[hornerSpec(A, r.challenges![0]!)]]);
    expect(pk.vk.circuit.instance).toEqual([{ index: 0, phase: 1, length: 1, name: 'out' }]);
  });

  it('a changed byte of the published value is rejected', () => {
    const v = verify(pk.vk, proof, [[]], vp).instances![0]![0]!;
    const le = Uint8Array.from({ length: 32 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
    let at = -1;
    for (let i = 8; i + 32 <= proof.length && at < 0; i++) if (le.every((b, j) => proof[i + j] === b)) at = i;
    expect(at).toBeGreaterThan(8);
    for (const offset of [0, 17, 31]) {
      const bad = proof.slice();
      bad[at + offset] = bad[at + offset]! ^ 1;
      const r = verify(pk.vk, bad, [[]], vp);
      expect(r.ok).toBe(false);
      expect(r.instances).toBeUndefined();
    }
  });

  it('a prover publishing a value other than its cell’s cannot close the permutation (the copy constraint binds the published value)', () => {
    // the grand product over the equality columns, late instance included, is not 1: no valid z exists
    expect(() => prove(pk, new LyingCircuit(A), [[]], params)).toThrow(/copy constraints do not hold \(permutation product ≠ 1\)/);
  });

  it('values passed for a late column are refused by prover and verifier', () => {
    expect(verify(pk.vk, proof, [[1n]], vp)).toMatchObject({ ok: false, reason: expect.stringMatching(/published by the prover \(phase 1\); expected \[\]/) });
    expect(() => prove(pk, new LateInstanceCircuit(A), [[1n]], params)).toThrow(/published by the prover/);
  });

  it('proveDetailed returns the challenges and late values the verifier reads', () => {
    const d = proveDetailed(pk, new LateInstanceCircuit(A), [[]], params, { random: seeded() });
    const r = verify(pk.vk, d.proof, [[]], vp);
    expect(r.ok).toBe(true);
    expect(d.challenges).toEqual(r.challenges);
    expect(d.instances).toEqual(r.instances);
    expect(d.instances).toEqual([[hornerSpec(A, d.challenges[0]!)]]);
    // prove is proveDetailed's proof: same randomness, same bytes
    expect(prove(pk, new LateInstanceCircuit(A), [[]], params, { random: seeded() })).toEqual(d.proof);
  });

  it('a statement binding changes the challenges: a proof bound to X is rejected bound to Y or unbound, and an unbound proof bound to X', () => {
    const X = Uint8Array.of(1, 2, 3);
    const Y = Uint8Array.of(1, 2, 4);
    const bound = proveDetailed(pk, new LateInstanceCircuit(A), [[]], params, { bind: X });
    expect(verify(pk.vk, bound.proof, [[]], vp, { bind: X })).toMatchObject({ ok: true, challenges: bound.challenges });
    expect(bound.challenges[0]).not.toBe(verify(pk.vk, proof, [[]], vp).challenges![0]);
    for (const bind of [Y, new Uint8Array(0), undefined]) {
      const r = verify(pk.vk, bound.proof, [[]], vp, bind ? { bind } : {});
      expect(r.ok).toBe(false);
      expect(r.reason).toBeDefined();
    }
    expect(verify(pk.vk, proof, [[]], vp, { bind: X }).ok).toBe(false);
    // a binding that is not bytes: a reason, not a throw
    expect(verify(pk.vk, proof, [[]], vp, { bind: 'x' as unknown as Uint8Array })).toMatchObject({ ok: false, reason: expect.stringMatching(/InstanceError: statement binding/) });
  });
});

/** A reproducible blinding source (two calls give the same sequence). */
function seeded(): () => bigint {
  let s = 1n;
  return () => (s = (s * 6364136223846793005n + 1442695040888963407n) % Fr.p);
}
