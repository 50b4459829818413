/**
 * The gadgets under the real prover: softmax over rows of width 64 (the
 * issue's done-when shape) and a small causal attention prove and verify,
 * and a wrong public output is rejected. (The 4 × 16 × 16 attention needs
 * k = 14 and runs in the benchmarks, not here.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/bn254.js';
import { AttentionCircuit, SOFTMAX_64, SoftmaxCircuit } from '../../src/gadgets/circuits.js';
import { quantize } from '../../src/gadgets/tensor.js';
import { keygen } from '../../src/plonkish/backend/keygen.js';
import { prove } from '../../src/plonkish/backend/prover.js';
import { verify } from '../../src/plonkish/backend/verifier.js';
import type { Circuit } from '../../src/plonkish/frontend/index.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import { rng } from './harness.js';

const pub = (xs: bigint[]) => xs.map((v) => Fr.fromSigned(v));
let params: KzgParams;
beforeAll(() => {
  params = new KzgParams(unsafeDevSrs(11, 'gadget-prove-tests'));
});

function roundTrip(circuit: Circuit<unknown, unknown>, instances: bigint[][], k: number): void {
  const pk = keygen(circuit, params, k);
  const proof = prove(pk, circuit, instances, params);
  const vp = params.verifierParams();
  expect(verify(pk.vk, proof, instances, vp)).toEqual({ ok: true });
  const wrong = instances.map((col) => col.map((v, i) => (i === 1 ? Fr.add(v, 1n) : v)));
  expect(verify(pk.vk, proof, wrong, vp).ok).toBe(false);
  pk.free();
}

describe('gadgets with the real prover', () => {
  it('softmax over 4 rows of width 64 proves and verifies (k = 10)', () => {
    const r = rng(5);
    const { rows, width, scale } = SOFTMAX_64;
    const x = quantize(Array.from({ length: rows * width }, () => (r() * 2 - 1) * 6), [rows, width], scale);
    roundTrip(new SoftmaxCircuit(SOFTMAX_64, x) as never, [pub(SoftmaxCircuit.publicOutputs(SOFTMAX_64, x))], 10);
  });

  it('causal attention 2 heads × 4 tokens × 4 dims proves and verifies (k = 11)', () => {
    const shape = { heads: 2, tokens: 4, headDim: 4, scale: 8, bits: 16 };
    const r = rng(9);
    const gen = () => quantize(Array.from({ length: 32 }, () => (r() * 2 - 1) * 1.5), [2, 4, 4], 8);
    const w = { q: gen(), k: gen(), v: gen() };
    roundTrip(new AttentionCircuit(shape, w) as never, [pub(AttentionCircuit.publicOutputs(shape, w))], 11);
  });
});
