/**
 * Golden bytes: the verifying key (bytes and digest) and a proof made with a
 * seeded randomness source, for example circuits that between them use every
 * argument (a custom gate, a logUp lookup, two phases with a challenge, copy
 * constraints with constants, an instance column; one proof with Keccak).
 * The fixtures were written by the prover before it was split per argument;
 * any drift of keygen, of the transcript or of the prover's arithmetic fails
 * here, and the stored proof must still verify.
 *
 * After a deliberate change of the proof system (or of an example circuit),
 * regenerate them: GOLDEN_UPDATE=1 npx vitest run test/plonkish/backend/golden.test.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import * as ex from '../../../examples/circuits/index.js';
import { Fr } from '../../../src/field/index.js';
import { keygen } from '../../../src/plonkish/backend/keygen.js';
import { prove } from '../../../src/plonkish/backend/prover.js';
import type { TranscriptHash } from '../../../src/plonkish/backend/transcript.js';
import { verify } from '../../../src/plonkish/backend/verifier.js';
import { encodeVk } from '../../../src/plonkish/backend/vk.js';
import { KzgParams, unsafeDevSrs } from '../../../src/pcs/kzg.js';

type Case = ex.ExampleCase<unknown, unknown>;
const cases: [string, () => Case, TranscriptHash][] = [
  ['mul-chain', () => ex.mulChainValid() as Case, 'blake2b'],
  ['range-check', () => ex.rangeCheckValid() as Case, 'blake2b'],
  ['shuffle', () => ex.shuffleValid() as Case, 'blake2b'],
  ['copy-regions', () => ex.copyRegionsValid() as Case, 'keccak256'],
  ['public-inputs', () => ex.publicInputsValid() as Case, 'blake2b'],
];

const DIR = new URL('./fixtures/', import.meta.url);
const UPDATE = process.env.GOLDEN_UPDATE === '1';

/** A fixed blinding sequence (an LCG mod r): the same proof bytes on every run. */
function seeded(seed: bigint): () => bigint {
  let s = seed;
  return () => (s = (s * 6364136223846793005n + 1442695040888963407n) % Fr.p);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const params = new KzgParams(unsafeDevSrs(10, 'golden'));
const vp = params.verifierParams();
afterAll(() => params.free());

describe.each(cases)('golden %s', (name, make, hash) => {
  it('keygen gives the stored VK bytes and digest; the seeded proof is byte-identical and verifies', () => {
    const c = make();
    const pk = keygen(c.circuit, params, c.k);
    const vkBytes = encodeVk(pk.vk);
    const proof = prove(pk, c.circuit, c.instances, params, { random: seeded(7n), hash });
    pk.free();
    const vkFile = new URL(`${name}.vk.bin`, DIR);
    const proofFile = new URL(`${name}.proof.bin`, DIR);
    const digestFile = new URL(`${name}.digest.txt`, DIR);
    if (UPDATE) {
      if (!existsSync(DIR)) mkdirSync(DIR, { recursive: true });
      writeFileSync(vkFile, vkBytes);
      writeFileSync(proofFile, proof);
      writeFileSync(digestFile, `${pk.vk.digest.toString(16)}\n`);
    }
    const storedVk = new Uint8Array(readFileSync(vkFile));
    const storedProof = new Uint8Array(readFileSync(proofFile));
    const storedDigest = BigInt(`0x${readFileSync(digestFile, 'utf8').trim()}`);
    expect(hex(vkBytes), 'VK bytes').toBe(hex(storedVk));
    expect(pk.vk.digest, 'VK digest').toBe(storedDigest);
    expect(hex(proof), 'proof bytes').toBe(hex(storedProof));
    expect(verify(pk.vk, storedProof, c.instances, vp, { hash })).toEqual({ ok: true });
    // the fixture is not trivially accepted: a flipped byte is rejected
    const bad = storedProof.slice();
    bad[bad.length - 1]! ^= 1;
    expect(verify(pk.vk, bad, c.instances, vp, { hash }).ok).toBe(false);
  });
});

describe('golden with worker threads', () => {
  it('a pool (commitments, inverse NTTs, quotient parts on a worker) gives the same stored bytes', async () => {
    const pooled = new KzgParams(params.srs).useWorkers(1);
    await pooled.pool?.ready();
    try {
      for (const [name, make, hash] of cases) {
        const c = make();
        const pk = keygen(c.circuit, pooled, c.k);
        expect(hex(encodeVk(pk.vk)), name).toBe(hex(new Uint8Array(readFileSync(new URL(`${name}.vk.bin`, DIR)))));
        const proof = prove(pk, c.circuit, c.instances, pooled, { random: seeded(7n), hash });
        expect(hex(proof), name).toBe(hex(new Uint8Array(readFileSync(new URL(`${name}.proof.bin`, DIR)))));
        pk.free();
      }
    } finally {
      pooled.free();
    }
  }, 60_000);
});
