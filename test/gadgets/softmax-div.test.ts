import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DivChip, divSpec } from '../../src/gadgets/division.js';
import { SoftmaxChip, softmaxErrorBound, type SoftmaxParams, softmaxSpec } from '../../src/gadgets/softmax.js';
import { dequantize, tensor } from '../../src/gadgets/tensor.js';
import { expectCost } from './cost.js';
import { costOf, errors, expectSatisfied, expectTamperFails, type GadgetCase, regionCells, rng, runGadget, sample } from './harness.js';

const S = 8;
const B = 16;

const div: GadgetCase<DivChip> = {
  name: 'div',
  inputs: [
    { name: 'a', shape: [6], scale: S },
    { name: 'b', shape: [6], scale: S },
  ],
  configure: (ctx) => DivChip.configure(ctx, { shift: S, divisorBits: 16, outBits: 24 }),
  synthesize: (layouter, chip, [a, b]) => [chip.assign(layouter, a!, b!)],
};

describe('division', () => {
  it('spec rounds half up', () => {
    expect([...divSpec([1n, -1n, 3n], [2n, 2n, 256n], 0)]).toEqual([1n, 0n, 0n]);
  });
  it('random inputs satisfy the mock prover; tamper fails; zero divisor fails; accuracy; cost', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 65535 }), { minLength: 6, maxLength: 6 }),
        (as, bs) => {
          const run = runGadget(9, div, [tensor([6], as, S), tensor([6], bs, S)]);
          expectSatisfied(run.prover);
          expect(run.outputs[0]!.values.get()).toEqual(divSpec(as.map(BigInt), bs.map(BigInt), S));
        },
      ),
      { numRuns: 3 },
    );
    const a = tensor([6], [1000, -1000, 1, 32767, -32768, 0], S);
    const b = tensor([6], [3, 7, 65535, 1, 256, 9], S);
    const run = runGadget(9, div, [a, b]);
    expectSatisfied(run.prover);
    expectTamperFails(run.prover, regionCells(run.prover, 'div'), 'div');
    const zero = runGadget(9, div, [a, tensor([6], [3, 7, 0, 1, 256, 9], S)]);
    expect(zero.prover.verify().length).toBeGreaterThan(0);
    const fa = dequantize(a);
    const fb = dequantize(b);
    const got = Array.from(run.outputs[0]!.values.get(), (v) => Number(v) / 2 ** S);
    expect(errors(got, Array.from(fa, (v, i) => v / fb[i]!)).abs).toBeLessThanOrEqual(2 ** -(S + 1));
    expectCost('div ×6', costOf(run, 'div'));
  });
});

function softmaxCase(rows: number, width: number, params: SoftmaxParams): GadgetCase<SoftmaxChip> {
  return {
    name: 'softmax',
    inputs: [{ name: 'x', shape: [rows, width], scale: params.inScale }],
    configure: (ctx) => SoftmaxChip.configure(ctx, params),
    synthesize: (layouter, chip, [x], ctx) => [chip.assign(layouter, ctx, x!)],
  };
}

function floatSoftmax(x: Float64Array, rows: number, width: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * width, r * width + width);
    const m = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, j) => (out[r * width + j] = v / s));
  }
  return out;
}

const DEFAULT: SoftmaxParams = { inScale: S, inBits: B, maxWidth: 64 };

describe('softmax (zkAttn)', () => {
  it('random rows satisfy the mock prover and equal the spec', () => {
    const [rows, width] = [2, 6];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(1 << 15), max: (1 << 15) - 1 }), { minLength: rows * width, maxLength: rows * width }), (xs) => {
        const run = runGadget(9, softmaxCase(rows, width, DEFAULT), [tensor([rows, width], xs, S)]);
        expectSatisfied(run.prover);
        expect(run.outputs[0]!.values.get()).toEqual(softmaxSpec(xs.map(BigInt), [width, width], DEFAULT));
      }),
      { numRuns: 3 },
    );
  });

  it('changing outputs and a sample of internal cells fails', () => {
    const xs = tensor([2, 6], [0, 100, -200, 100, 5, -32768, 32767, 1, 2, 3, 4, 5], S);
    const run = runGadget(9, softmaxCase(2, 6, DEFAULT), [xs]);
    expectSatisfied(run.prover);
    expectTamperFails(run.prover, run.outputs[0]!.cells, 'softmax');
    expectTamperFails(run.prover, sample(regionCells(run.prover, 'softmax'), 60), 'softmax');
    expectCost('softmax 2x6 (s=8, B=16, b=8, t=16)', costOf(run, 'softmax'));
  });

  it('accuracy over rows of width 64 is within the documented bound', () => {
    const [rows, width] = [2, 64];
    const r = rng(7);
    const xs = quantizeRows(rows * width, r, 6);
    const run = runGadget(10, softmaxCase(rows, width, DEFAULT), [xs]);
    expectSatisfied(run.prover);
    const got = Array.from(run.outputs[0]!.values.get(), (v) => Number(v) / 2 ** S);
    const { abs } = errors(got, floatSoftmax(dequantize(xs), rows, width));
    const bound = softmaxErrorBound(DEFAULT);
    expect(abs).toBeLessThanOrEqual(bound);
    expect(abs).toBeLessThanOrEqual(2 ** -S); // in practice: output rounding dominates
  });

  it('with a range-checked low segment (s = 10, 4-bit segments, L = 1) the bound still holds', () => {
    const params: SoftmaxParams = { inScale: 10, inBits: 16, maxWidth: 8, segmentBits: 4, lowSegments: 1, expScale: 12, outScale: 10 };
    const xs = quantizeRows(16, rng(3), 4, 10);
    const run = runGadget(9, softmaxCase(2, 8, params), [xs]);
    expectSatisfied(run.prover);
    expect(run.outputs[0]!.values.get()).toEqual(softmaxSpec(xs.data, [8, 8], params));
    const got = Array.from(run.outputs[0]!.values.get(), (v) => Number(v) / 2 ** 10);
    expect(errors(got, floatSoftmax(dequantize(xs), 2, 8)).abs).toBeLessThanOrEqual(softmaxErrorBound(params));
  });
});

function quantizeRows(n: number, r: () => number, spread: number, scale = S) {
  return tensor([n / (n >= 64 ? 64 : 8), n >= 64 ? 64 : 8], Array.from({ length: n }, () => Math.round((r() * 2 - 1) * spread * 2 ** scale)), scale);
}
