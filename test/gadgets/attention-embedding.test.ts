import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttentionChip, type AttentionParams, attentionSpec, scoreScaling } from '../../src/gadgets/attention.js';
import { EmbeddingChip, embeddingSpec } from '../../src/gadgets/embedding.js';
import { tensor } from '../../src/gadgets/tensor.js';
import { expectCost } from './cost.js';
import { costOf, expectSatisfied, expectTamperFails, type GadgetCase, regionCells, rng, runGadget, sample } from './harness.js';

const P: AttentionParams = { heads: 2, tokens: 4, headDim: 4, scale: 8, bits: 16 };
const SHAPE = [P.heads, P.tokens, P.headDim];
const SIZE = P.heads * P.tokens * P.headDim;
const attention: GadgetCase<AttentionChip> = {
  name: 'attention',
  inputs: ['Q', 'K', 'V'].map((name) => ({ name, shape: SHAPE, scale: P.scale })),
  configure: (ctx) => AttentionChip.configure(ctx, P),
  synthesize: (layouter, chip, [q, k, v], ctx) => [chip.assign(layouter, ctx, q!, k!, v!)],
};
const K = 10;
const qkv = fc.array(fc.integer({ min: -512, max: 511 }), { minLength: SIZE, maxLength: SIZE });

describe('causal multi-head attention', () => {
  it('1/√d folds into the shift for powers of 4', () => {
    expect(scoreScaling(8, 16)).toEqual({ multiplier: 1n, shift: 10 });
    expect(scoreScaling(8, 8)).toEqual({ multiplier: BigInt(Math.round(2 ** 16 / Math.sqrt(8))), shift: 24 });
  });

  it('random Q, K, V satisfy the mock prover and equal the spec', () => {
    fc.assert(
      fc.property(qkv, qkv, qkv, (q, k, v) => {
        const run = runGadget(K, attention, [q, k, v].map((d) => tensor(SHAPE, d, P.scale)));
        expectSatisfied(run.prover);
        expect(run.outputs[0]!.values.get()).toEqual(attentionSpec(q.map(BigInt), k.map(BigInt), v.map(BigInt), P));
      }),
      { numRuns: 2 },
    );
  });

  it('changing outputs and a sample of internal cells fails; cost', () => {
    const r = rng(4);
    const w = [0, 1, 2].map(() => tensor(SHAPE, Array.from({ length: SIZE }, () => Math.round((r() * 2 - 1) * 400)), P.scale));
    const run = runGadget(K, attention, w);
    expectSatisfied(run.prover);
    expectTamperFails(run.prover, sample(run.outputs[0]!.cells, 12), 'attention');
    expectTamperFails(run.prover, sample(regionCells(run.prover, 'attention'), 40), 'attention');
    expectCost('attention 2x4x4', costOf(run, 'attention'));
  });
});

describe('embedding lookup', () => {
  const [VOCAB, DIM, T] = [10, 4, 5];
  const weights = tensor([VOCAB, DIM], Array.from({ length: VOCAB * DIM }, (_, i) => ((i * 37) % 101) - 50), 8);
  const embedding: GadgetCase<EmbeddingChip> = {
    name: 'embedding',
    inputs: [{ name: 'ids', shape: [T], scale: 0 }],
    configure: (ctx) => EmbeddingChip.configure(ctx, weights),
    synthesize: (layouter, chip, [ids]) => [chip.assign(layouter, ids!)],
  };

  it('random token ids satisfy the mock prover and equal the spec (exact)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: VOCAB - 1 }), { minLength: T, maxLength: T }), (ids) => {
        const run = runGadget(6, embedding, [tensor([T], ids, 0)]);
        expectSatisfied(run.prover);
        expect(run.outputs[0]!.values.get()).toEqual(embeddingSpec(weights, ids.map(BigInt)));
      }),
      { numRuns: 3 },
    );
  });

  it('tamper fails the row lookup; an id outside the vocabulary fails; cost', () => {
    const run = runGadget(6, embedding, [tensor([T], [0, 9, 3, 3, 7], 0)]);
    expectSatisfied(run.prover);
    expectTamperFails(run.prover, regionCells(run.prover, 'embedding'), 'embedding');
    const bad = runGadget(6, embedding, [tensor([T], [0, 10, 3, 3, 7], 0)]);
    expect(bad.prover.verify().some((f) => f.kind === 'lookup' && f.lookup.name === 'embedding: entry')).toBe(true);
    expectCost('embedding vocab 10 dim 4 ×5', costOf(run, 'embedding'));
  });
});
