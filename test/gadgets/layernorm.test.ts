import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LayerNormChip, type LayerNormParams, layerNormSpec } from '../../src/gadgets/layernorm.js';
import { dequantize, tensor } from '../../src/gadgets/tensor.js';
import { expectCost } from './cost.js';
import { costOf, errors, expectSatisfied, expectTamperFails, type GadgetCase, regionCells, rng, runGadget, sample } from './harness.js';

const S = 8;
const P: LayerNormParams = { scale: S, bits: 16, width: 8, varBits: 11 };
const K = 12;
const ROWS = 2;

const ln: GadgetCase<LayerNormChip> = {
  name: 'layernorm',
  inputs: [{ name: 'x', shape: [ROWS, P.width], scale: S }],
  configure: (ctx) => LayerNormChip.configure(ctx, P),
  synthesize: (layouter, chip, [x], ctx) => [chip.assign(layouter, ctx, x!)],
};

function floatLayerNorm(x: Float64Array, rows: number, n: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * n, r * n + n));
    const mu = row.reduce((a, b) => a + b, 0) / n;
    const v = row.reduce((a, b) => a + (b - mu) ** 2, 0) / n;
    for (const z of row) out.push((z - mu) / Math.sqrt(v + 1e-5));
  }
  return out;
}

// inputs within ±2.0 keep the variance (< 4) inside the 2^11 / 2^8 = 8 table range
const inputs = fc.array(fc.integer({ min: -512, max: 511 }), { minLength: ROWS * P.width, maxLength: ROWS * P.width });

describe('layernorm', () => {
  it('random rows satisfy the mock prover and equal the spec', () => {
    fc.assert(
      fc.property(inputs, (xs) => {
        const run = runGadget(K, ln, [tensor([ROWS, P.width], xs, S)]);
        expectSatisfied(run.prover);
        expect(run.outputs[0]!.values.get()).toEqual(layerNormSpec(xs.map(BigInt), ROWS, P));
      }),
      { numRuns: 2 },
    );
  });

  it('changing outputs and internal cells fails; accuracy; cost', () => {
    const r = rng(11);
    const xs = tensor([ROWS, P.width], Array.from({ length: ROWS * P.width }, () => Math.round((r() * 2 - 1) * 512)), S);
    const run = runGadget(K, ln, [xs]);
    expectSatisfied(run.prover);
    expectTamperFails(run.prover, run.outputs[0]!.cells, 'layernorm');
    expectTamperFails(run.prover, sample(regionCells(run.prover, 'layernorm'), 50), 'layernorm');
    const got = Array.from(run.outputs[0]!.values.get(), (v) => Number(v) / 2 ** S);
    const { abs } = errors(got, floatLayerNorm(dequantize(xs), ROWS, P.width));
    // μ and v are rounded to 2^−8, ι to 2^−8 relative to ~1/σ: a few output ulps for σ ≳ 0.3
    expect(abs).toBeLessThanOrEqual(0.05);
    expectCost('layernorm 2x8', costOf(run, 'layernorm'));
  });
});
