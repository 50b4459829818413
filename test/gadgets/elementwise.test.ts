import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ElementwiseChip, elementwiseSpec, type ElementwiseOp } from '../../src/gadgets/elementwise.js';
import { RescaleChip, rescaleSpec } from '../../src/gadgets/rescale.js';
import { dequantize, tensor } from '../../src/gadgets/tensor.js';
import { expectCost } from './cost.js';
import { costOf, errors, failureName, expectSatisfied, expectTamperFails, type GadgetCase, regionCells, runGadget, sample } from './harness.js';

const S = 8;
const B = 16;
const N = 8;
const K = 9;
const small = fc.array(fc.integer({ min: -(1 << 11), max: (1 << 11) - 1 }), { minLength: N, maxLength: N });

function elementwise(op: ElementwiseOp): GadgetCase<ElementwiseChip> {
  return {
    name: op,
    inputs: [
      { name: 'a', shape: [N], scale: S },
      { name: 'b', shape: [N], scale: S },
    ],
    configure: (ctx) => ElementwiseChip.configure(ctx, op === 'mul' ? { op, shift: S, outBits: B } : { op }),
    synthesize: (layouter, chip, [a, b]) => [chip.assign(layouter, a!, b!)],
  };
}

const rescale: GadgetCase<RescaleChip> = {
  name: 'rescale',
  inputs: [{ name: 'x', shape: [N], scale: 2 * S }],
  configure: (ctx) => RescaleChip.configure(ctx, { shift: S, outBits: B }),
  synthesize: (layouter, chip, [x]) => [chip.assign(layouter, x!)],
};

describe('elementwise add / sub / mul', () => {
  it('spec: mul rounds half up', () => {
    expect([...elementwiseSpec('mul', [3n, -3n, 1n], [128n, 128n, 127n], 8)]).toEqual([2n, -1n, 0n]);
    expect([...elementwiseSpec('sub', [3n], [5n])]).toEqual([-2n]);
  });

  for (const op of ['add', 'sub', 'mul'] as const) {
    it(`${op}: random inputs satisfy the mock prover and match the spec`, () => {
      fc.assert(
        fc.property(small, small, (xs, ys) => {
          const run = runGadget(K, elementwise(op), [tensor([N], xs, S), tensor([N], ys, S)]);
          expectSatisfied(run.prover);
          expect([...run.outputs[0]!.values.get()]).toEqual([...elementwiseSpec(op, BigInt64Array.from(xs, BigInt), BigInt64Array.from(ys, BigInt), S)]);
        }),
        { numRuns: 3 },
      );
    });

    it(`${op}: changing outputs and internal cells fails`, () => {
      const run = runGadget(K, elementwise(op), [tensor([N], [1, -2, 300, -400, 2047, -2048, 0, 5], S), tensor([N], [7, 7, -300, 9, 2047, 2047, 0, -1], S)]);
      expectSatisfied(run.prover);
      expectTamperFails(run.prover, run.outputs[0]!.cells, op);
      expectTamperFails(run.prover, sample(regionCells(run.prover, op), 16), op);
    });

    it(`${op}: cost`, () => {
      expectCost(`${op} ×8`, costOf(runGadget(K, elementwise(op), [tensor([N], Array(N).fill(0), S), tensor([N], Array(N).fill(0), S)]), op));
    });
  }

  it('mul: accuracy against float64 is within half an ulp', () => {
    const r = (i: number) => Math.round(Math.sin(i * 12.9898) * 43758.5453 % 1 * 2048);
    const xs = tensor([N], Array.from({ length: N }, (_, i) => r(i)), S);
    const ys = tensor([N], Array.from({ length: N }, (_, i) => r(i + 100)), S);
    const run = runGadget(K, elementwise('mul'), [xs, ys]);
    const got = dequantize({ ...xs, data: run.outputs[0]!.values.get() });
    const fx = dequantize(xs);
    const fy = dequantize(ys);
    const { abs } = errors(got, Array.from(fx, (v, i) => v * fy[i]!));
    expect(abs).toBeLessThanOrEqual(2 ** -(S + 1));
  });
});

describe('rescale', () => {
  it('spec: multiplier and rounding', () => {
    expect([...rescaleSpec([256n, 128n, -128n, -129n], 8)]).toEqual([1n, 1n, 0n, -1n]);
    expect([...rescaleSpec([100n], 4, 3n)]).toEqual([19n]);
  });

  it('random inputs satisfy the mock prover and match the spec', () => {
    const wide = fc.array(fc.integer({ min: -(1 << 22), max: (1 << 22) - 1 }), { minLength: N, maxLength: N });
    fc.assert(
      fc.property(wide, (xs) => {
        const run = runGadget(K, rescale, [tensor([N], xs, 2 * S)]);
        expectSatisfied(run.prover);
        expect([...run.outputs[0]!.values.get()]).toEqual([...rescaleSpec(BigInt64Array.from(xs, BigInt), S)]);
      }),
      { numRuns: 3 },
    );
  });

  it('an output past the bound fails the y range check', () => {
    const failures = runGadget(K, rescale, [tensor([N], [1 << 24, 0, 0, 0, 0, 0, 0, 0], 2 * S)]).prover.verify();
    expect(failures.map(failureName).some((n) => n.startsWith('rescale.y'))).toBe(true);
  });

  it('changing outputs and internal cells fails; accuracy; cost', () => {
    const xs = tensor([N], [65535, -65535, 128, -128, 129, 4000000, -4000000, 1], 2 * S);
    const run = runGadget(K, rescale, [xs]);
    expectSatisfied(run.prover);
    expectTamperFails(run.prover, run.outputs[0]!.cells, 'rescale');
    expectTamperFails(run.prover, sample(regionCells(run.prover, 'rescale'), 16), 'rescale');
    const got = dequantize({ ...xs, scale: S, data: run.outputs[0]!.values.get() });
    expect(errors(got, dequantize(xs)).abs).toBeLessThanOrEqual(2 ** -(S + 1));
    expectCost('rescale ×8', costOf(run, 'rescale'));
  });
});
