import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RowMaxChip, rowMaxSpec } from '../../src/gadgets/max.js';
import { ReluChip, reluSpec } from '../../src/gadgets/relu.js';
import { dequantize, tensor } from '../../src/gadgets/tensor.js';
import { expectCost } from './cost.js';
import { costOf, errors, expectSatisfied, expectTamperFails, type GadgetCase, regionCells, runGadget, sample } from './harness.js';

const S = 8;
const B = 16;
const K = 9;
const N = 8;
const vals = (len: number, lo = -(1 << 15), hi = (1 << 15) - 1) => fc.array(fc.integer({ min: lo, max: hi }), { minLength: len, maxLength: len });

const relu: GadgetCase<ReluChip> = {
  name: 'relu',
  inputs: [{ name: 'x', shape: [N], scale: S }],
  configure: (ctx) => ReluChip.configure(ctx, { bits: B }),
  synthesize: (layouter, chip, [x]) => [chip.assign(layouter, x!)],
};

const [ROWS, WIDTH] = [3, 5];
const max: GadgetCase<RowMaxChip> = {
  name: 'max',
  inputs: [{ name: 'x', shape: [ROWS, WIDTH], scale: S }],
  configure: (ctx) => RowMaxChip.configure(ctx, { bits: B }),
  synthesize: (layouter, chip, [x]) => {
    const r = chip.assign(layouter, x!);
    return [r.max, r.argmax];
  },
};

describe('relu', () => {
  it('random inputs (incl. 0, ±bounds) satisfy the mock prover and equal the spec', () => {
    fc.assert(
      fc.property(vals(N), (xs) => {
        xs[0] = 0;
        const run = runGadget(K, relu, [tensor([N], xs, S)]);
        expectSatisfied(run.prover);
        expect([...run.outputs[0]!.values.get()]).toEqual([...reluSpec(xs.map(BigInt))]);
      }),
      { numRuns: 4 },
    );
  });

  it('changing any assigned cell fails; float accuracy is exact; cost', () => {
    const xs = tensor([N], [0, 1, -1, 32767, -32768, 5, -77, 300], S);
    const run = runGadget(K, relu, [xs]);
    expectSatisfied(run.prover);
    expectTamperFails(run.prover, regionCells(run.prover, 'relu'), 'relu');
    const got = dequantize({ ...xs, data: run.outputs[0]!.values.get() });
    expect(errors(got, Array.from(dequantize(xs), (v) => Math.max(v, 0))).abs).toBe(0);
    expectCost('relu ×8', costOf(run, 'relu'));
  });
});

describe('row max / argmax', () => {
  it('spec takes the first maximum', () => {
    expect(rowMaxSpec([1n, 3n, 3n, 2n, -5n, -5n], [4, 2])).toEqual({ max: BigInt64Array.from([3n, -5n]), argmax: BigInt64Array.from([1n, 0n]) });
  });

  it('random rows (with ties) satisfy the mock prover and equal the spec', () => {
    fc.assert(
      fc.property(vals(ROWS * WIDTH, -4, 4), vals(ROWS * WIDTH, -(1 << 15), (1 << 15) - 1), fc.boolean(), (small, wide, useSmall) => {
        const xs = useSmall ? small : wide;
        const run = runGadget(K, max, [tensor([ROWS, WIDTH], xs, S)]);
        expectSatisfied(run.prover);
        const spec = rowMaxSpec(xs.map(BigInt), Array(ROWS).fill(WIDTH));
        expect(run.outputs[0]!.values.get()).toEqual(spec.max);
        expect(run.outputs[1]!.values.get()).toEqual(spec.argmax);
      }),
      { numRuns: 5 },
    );
  });

  it('changing any assigned cell fails (ties included); accuracy; cost', () => {
    const xs = tensor([ROWS, WIDTH], [1, 7, 7, -3, 0, -9, -8, -8, -9, -100, 5, 4, 3, 2, 1], S);
    const run = runGadget(K, max, [xs]);
    expectSatisfied(run.prover);
    expectTamperFails(run.prover, [...run.outputs[0]!.cells, ...run.outputs[1]!.cells], 'max');
    expectTamperFails(run.prover, sample(regionCells(run.prover, 'max'), 40), 'max');
    const f = dequantize(xs);
    const want = [0, 1, 2].map((r) => Math.max(...f.slice(r * WIDTH, r * WIDTH + WIDTH)));
    expect(errors(Array.from(run.outputs[0]!.values.get(), (v) => Number(v) / 2 ** S), want).abs).toBe(0);
    expectCost('max 3x5', costOf(run, 'max'));
  });

  it('causal groups of lengths 1…4', () => {
    const gadget: GadgetCase<RowMaxChip> = {
      name: 'max',
      inputs: [{ name: 'x', shape: [10], scale: S }],
      configure: (ctx) => RowMaxChip.configure(ctx, { bits: B }),
      synthesize: (layouter, chip, [x]) => [chip.assignGroups(layouter, x!, [1, 2, 3, 4]).max],
    };
    const data = [5, 2, 9, 9, 1, 3, -1, -2, -3, -4];
    const run = runGadget(K, gadget, [tensor([10], data, S)]);
    expectSatisfied(run.prover);
    expect([...run.outputs[0]!.values.get()]).toEqual([5n, 9n, 9n, -1n]);
  });
});
