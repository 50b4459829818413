/**
 * erf and √ lookups (lookup-exact.ts): the exact tables against slow
 * oracles (float erf within its own error, the integer square root's
 * rounding bounds, the saturation shortcut against entry-by-entry), and the
 * chip both ways (random valid inputs pass, a changed output or an
 * out-of-range input fails), with its cost written down.
 */
import { describe, expect, it } from 'vitest';
import { buildExactFnTable, ExactFnChip, exactFnEntry, exactFnKey, type ExactFnSpec, exactFnSpecValues, exactFnTable } from '../../src/gadgets/lookup-exact.js';
import { tensor } from '../../src/gadgets/tensor.js';
import { erfFloat } from '../../src/models/float-eval.js';
import { costOf, expectSatisfied, expectTamperFails, type GadgetCase, regionCells, runGadget } from './harness.js';

const N = 8;
const K = 10;
const ERF: ExactFnSpec = { fn: 'erf', inScale: 6, outScale: 10, min: -300, max: 300 };
const SQRT: ExactFnSpec = { fn: 'sqrt', inScale: 6, outScale: 10, min: 0, max: 511 };

function gadget(spec: ExactFnSpec): GadgetCase<ExactFnChip> {
  return {
    name: spec.fn,
    inputs: [{ name: 'x', shape: [N], scale: spec.inScale }],
    configure: (ctx) => ExactFnChip.configure(ctx, spec),
    synthesize: (layouter, chip, [x]) => [chip.assign(layouter, x!)],
  };
}

describe('exact tables', () => {
  it('erf: every entry within ½ ulp + the float oracle error, odd, saturating at ±1', () => {
    const t = buildExactFnTable(ERF);
    const ulp = 2 ** -ERF.outScale;
    t.inputs.forEach((d, i) => {
      const want = erfFloat(Number(d) / 2 ** ERF.inScale);
      expect(Math.abs(Number(t.outputs[i]!) * ulp - want)).toBeLessThanOrEqual(ulp / 2 + 2e-7);
    });
    for (let d = 1; d <= 300; d++) expect(t.outputs[300 + d]).toBe(-t.outputs[300 - d]!);
    expect(t.outputs[600]).toBe(1n << 10n);
  });

  it('erf: the saturation shortcut equals entry-by-entry evaluation, also for high precision and one-sided ranges', () => {
    for (const spec of [ERF, { ...ERF, inScale: 4, outScale: 20, min: -130, max: 140 }, { ...ERF, min: 40, max: 400 }, { ...ERF, min: -400, max: -40 }] as ExactFnSpec[]) {
      const t = buildExactFnTable(spec);
      t.inputs.forEach((d, i) => expect(t.outputs[i], `${exactFnKey(spec)} at ${d}`).toBe(exactFnEntry(spec, d)));
    }
  });

  it('sqrt: y is the nearest integer to √(d·2^(2t−s)) (exact bounds), also for s > 2t', () => {
    for (const spec of [SQRT, { ...SQRT, inScale: 12, outScale: 4, max: 3000 }] as ExactFnSpec[]) {
      const t = buildExactFnTable(spec);
      t.inputs.forEach((d, i) => {
        const y = t.outputs[i]!;
        // (2y − 1)² ≤ 4·v < (2y + 1)² with v = d·2^(2t) / 2^s, scaled to integers
        const v4 = 4n * d << BigInt(2 * spec.outScale);
        const den = 1n << BigInt(spec.inScale);
        expect(y === 0n || (2n * y - 1n) ** 2n * den <= v4).toBe(true);
        expect(v4 < (2n * y + 1n) ** 2n * den).toBe(true);
      });
    }
  });

  it('bad specs and out-of-range spec inputs are named errors', () => {
    expect(() => buildExactFnTable({ ...SQRT, min: -1 })).toThrow(/sqrt needs inputs ≥ 0/);
    expect(() => buildExactFnTable({ ...ERF, outScale: 41 })).toThrow(/0 ≤ t ≤ 40/);
    expect(() => exactFnSpecValues(exactFnTable(ERF), [301n])).toThrow(/input 301 is outside the table range \[-300, 300\]/);
  });
});

describe('ExactFnChip', () => {
  for (const spec of [ERF, SQRT]) {
    it(`${spec.fn}: valid inputs satisfy the mock prover and equal the spec; a changed output and an out-of-range input fail`, () => {
      const xs = Array.from({ length: N }, (_, i) => spec.min + Math.floor(((spec.max - spec.min) * i) / (N - 1)));
      const run = runGadget(K, gadget(spec), [tensor([N], xs, spec.inScale)]);
      expectSatisfied(run.prover);
      expect(run.outputs[0]!.values.get()).toEqual(exactFnSpecValues(exactFnTable(spec), xs.map(BigInt)));
      expectTamperFails(run.prover, regionCells(run.prover, spec.fn), spec.fn);
      const bad = runGadget(K, gadget(spec), [tensor([N], [...xs.slice(1), spec.max + 1], spec.inScale)]);
      expect(bad.prover.verify().some((f) => f.kind === 'lookup' && f.lookup.name.startsWith(spec.fn))).toBe(true);
      // cost: 2 advice columns, one selector, one lookup (degree 3 with the logUp helper), N rows
      console.log(JSON.stringify(costOf(run, spec.fn)));
      expect(costOf(run, spec.fn)).toMatchObject({ advice: 2, fixed: 0, selectors: 1, gates: 0, lookups: 1, rows: N });
    });
  }
});
