/**
 * The real prover and verifier on every example circuit: valid proofs verify;
 * every single-byte change of a proof, changed public inputs, another
 * circuit's VK, a different transcript hash and bad witnesses are rejected;
 * keygen is deterministic; the verifier returns false (never throws) on junk.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as ex from '../../../examples/circuits/index.js';
import { Fr } from '../../../src/field/index.js';
import { extendedLog, type ProverParams } from '../../../src/plonkish/backend/columns.js';
import { keygen, type ProvingKey } from '../../../src/plonkish/backend/keygen.js';
import { ProverError, prove } from '../../../src/plonkish/backend/prover.js';
import { quotientPartTask } from '../../../src/plonkish/backend/quotient.js';
import { verify } from '../../../src/plonkish/backend/verifier.js';
import { decodeVk, encodeVk } from '../../../src/plonkish/backend/vk.js';
import { MockProver } from '../../../src/plonkish/frontend/index.js';
import { KzgParams, unsafeDevSrs } from '../../../src/pcs/kzg.js';

type Case = ex.ExampleCase<unknown, unknown>;
const cases: [string, () => Case, () => Case][] = [
  ['mul-chain (custom degree-3 gate)', () => ex.mulChainValid() as Case, () => ex.mulChainBad() as Case],
  ['range check (lookup)', () => ex.rangeCheckValid() as Case, () => ex.rangeCheckBad() as Case],
  ['shuffle (two phases, challenge)', () => ex.shuffleValid() as Case, () => ex.shuffleBad() as Case],
  ['copy regions (permutation, constants)', () => ex.copyRegionsValid() as Case, () => ex.copyRegionsBad() as Case],
  ['public inputs (instance column)', () => ex.publicInputsValid() as Case, () => ex.publicInputsBad() as Case],
];

let params: KzgParams;
let vp: ReturnType<KzgParams['verifierParams']>;
const keys = new Map<string, { pk: ProvingKey; proof: Uint8Array; c: Case }>();

beforeAll(() => {
  params = new KzgParams(unsafeDevSrs(10, 'prove-verify-tests'));
  vp = params.verifierParams();
  for (const [name, valid] of cases) {
    const c = valid();
    const pk = keygen(c.circuit, params, c.k);
    keys.set(name, { pk, proof: prove(pk, c.circuit, c.instances, params), c });
  }
});

describe.each(cases)('%s', (name, _valid, bad) => {
  it('proves and verifies', () => {
    const { pk, proof, c } = keys.get(name)!;
    expect(verify(pk.vk, proof, c.instances, vp)).toEqual({ ok: true });
  });

  it('rejects a change of any single byte of the proof', () => {
    const { pk, proof, c } = keys.get(name)!;
    const accepted: number[] = [];
    for (let i = 0; i < proof.length; i++) {
      const t = proof.slice();
      t[i] = t[i]! ^ (1 << (i % 8));
      const r = verify(pk.vk, t, c.instances, vp);
      if (r.ok) accepted.push(i);
      expect(r.reason).toBeTypeOf('string');
    }
    expect(accepted).toEqual([]);
  });

  it('rejects truncated, extended and junk proofs without throwing', () => {
    const { pk, proof, c } = keys.get(name)!;
    for (const junk of [new Uint8Array(0), proof.subarray(0, proof.length - 1), Uint8Array.from([...proof, 0]), new Uint8Array(proof.length).fill(0xff)]) {
      const r = verify(pk.vk, junk, c.instances, vp);
      expect(r.ok).toBe(false);
      expect(r.reason).toBeTypeOf('string');
    }
  });

  it('rejects a bad witness: the mock prover names the failure and the real proof does not verify', () => {
    const b = bad();
    const failures = MockProver.run(b.k, b.circuit, b.instances).verify();
    expect(failures.length).toBeGreaterThan(0);
    const { pk } = keys.get(name)!;
    let proof: Uint8Array | undefined;
    try {
      proof = prove(pk, b.circuit, b.instances, params);
    } catch (e) {
      expect(e).toBeInstanceOf(ProverError);
      return;
    }
    expect(verify(pk.vk, proof, b.instances, vp).ok).toBe(false);
  });

  it('keygen twice gives identical VK bytes and digest', () => {
    const { pk, c } = keys.get(name)!;
    const again = keygen(c.circuit, params, c.k);
    expect(encodeVk(again.vk)).toEqual(encodeVk(pk.vk));
    expect(again.vk.digest).toBe(pk.vk.digest);
    const decoded = decodeVk(encodeVk(pk.vk), params);
    expect(decoded.digest).toBe(pk.vk.digest);
    again.free();
  });
});

describe('cross checks', () => {
  it('changed public inputs are rejected', () => {
    const { pk, proof, c } = keys.get('public inputs (instance column)')!;
    const changed = c.instances.map((col) => col.map((v, i) => (i === 0 ? Fr.add(v, 1n) : v)));
    expect(verify(pk.vk, proof, changed, vp).ok).toBe(false);
    const extra = c.instances.map((col) => [...col, 0n]);
    expect(verify(pk.vk, proof, extra, vp).ok).toBe(false);
    const r = verify(pk.vk, proof, [], vp);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/expected 1 columns/);
  });

  it("a proof is rejected under another circuit's VK", () => {
    const a = keys.get('mul-chain (custom degree-3 gate)')!;
    const b = keys.get('shuffle (two phases, challenge)')!;
    expect(verify(b.pk.vk, a.proof, a.c.instances, vp).ok).toBe(false);
    expect(verify(a.pk.vk, b.proof, b.c.instances, vp).ok).toBe(false);
  });

  it('Keccak-256 transcripts verify only as Keccak', () => {
    const { pk, c } = keys.get('copy regions (permutation, constants)')!;
    const proof = prove(pk, c.circuit, c.instances, params, { hash: 'keccak256' });
    expect(verify(pk.vk, proof, c.instances, vp, { hash: 'keccak256' })).toEqual({ ok: true });
    expect(verify(pk.vk, proof, c.instances, vp).ok).toBe(false);
  });

  it('a proof from another SRS does not verify', () => {
    const { pk, proof, c } = keys.get('mul-chain (custom degree-3 gate)')!;
    const other = new KzgParams(unsafeDevSrs(4, 'another-tau')).verifierParams();
    expect(verify(pk.vk, proof, c.instances, other).ok).toBe(false);
  });
});

describe('proving key encoding', () => {
  it('a decoded proving key proves exactly like the original; malformed keys are rejected', async () => {
    const { decodePk, encodePk } = await import('../../../src/plonkish/backend/pk.js');
    const { pk, c } = keys.get('range check (lookup)')!;
    const bytes = encodePk(pk);
    const back = decodePk(bytes, params);
    expect(back.vk.digest).toBe(pk.vk.digest);
    expect(encodePk(back)).toEqual(bytes);
    const proof = prove(back, c.circuit, c.instances, params);
    expect(verify(pk.vk, proof, c.instances, vp)).toEqual({ ok: true });
    expect(() => decodePk(bytes.subarray(0, bytes.length - 1), params)).toThrow(/fixed values/);
    const wrongMagic = bytes.slice();
    wrongMagic[0] = 0;
    expect(() => decodePk(wrongMagic, params)).toThrow(/magic/);
    back.free();
  });
});

describe('worker threads', () => {
  it("with a pool (quotient parts, inverse NTTs and commitments on a worker) the proof is byte-identical to the one-thread proof, and keygen gives the same VK", () => {
    const pooled = new KzgParams(params.srs).useWorkers(1);
    const pool = pooled.pool!;
    expect(pool).toBeDefined();
    // this thread pauses before each part it takes, so the worker surely takes some
    let here = 0;
    const slowed: ProverParams = {
      k: pooled.k,
      ntt: pooled.ntt,
      srsId: pooled.srsId,
      commit: (c) => pooled.commit(c),
      commitLagrange: (v) => pooled.commitLagrange(v),
      commitLagrangeMany: (v) => pooled.commitLagrangeMany(v),
      pool: {
        size: pool.size,
        run: (kind, payloads, options) =>
          pool.run(kind, payloads, {
            ...options,
            local: (i, out) => {
              // quotient parts and inverse NTTs both go through the queue; count the parts
              if (kind === quotientPartTask) here++;
              Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
              if (options?.local) options.local(i, out);
              else kind.run(payloads[i]!, out);
            },
          }),
      },
    };
    try {
      for (const [name] of cases) {
        const { pk, c } = keys.get(name)!;
        // the same blinding values in both runs: any difference comes from the threads
        const seeded = () => {
          let s = 1n;
          return () => (s = (s * 6364136223846793005n + 1442695040888963407n) % Fr.p);
        };
        const steps: string[] = [];
        const one = prove(pk, c.circuit, c.instances, params, { random: seeded() });
        here = 0;
        const two = prove(pk, c.circuit, c.instances, slowed, { random: seeded(), onStep: (s) => steps.push(s) });
        expect(two, name).toEqual(one);
        expect(verify(pk.vk, two, c.instances, vp), name).toEqual({ ok: true });
        const E = 1 << extendedLog(pk.arg);
        expect(steps.filter((s) => s.startsWith('quotient part')), name).toEqual(Array.from({ length: E }, (_, i) => `quotient part ${i + 1}/${E}`));
        expect(here, `${name}: parts done by the worker`).toBeLessThan(E);
      }
      // keygen's inverse NTTs and commitments on the pool give the same key
      for (const name of ['range check (lookup)', 'copy regions (permutation, constants)']) {
        const { pk, c } = keys.get(name)!;
        const again = keygen(c.circuit, slowed, c.k);
        expect(encodeVk(again.vk), name).toEqual(encodeVk(pk.vk));
        again.free();
      }
    } finally {
      pooled.free();
    }
  }, 120_000);
});
