import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnSpec, LookupFnChip, lookupFnSpec } from '../../src/gadgets/lookup-fn.js';
import { buildTable, type FnTableSpec, type TableFn } from '../../src/gadgets/tables.js';
import { tensor } from '../../src/gadgets/tensor.js';
import { expectCost } from './cost.js';
import { costOf, errors, expectSatisfied, expectTamperFails, type GadgetCase, regionCells, runGadget } from './harness.js';

const N = 8;
const K = 10;
const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
// input scale 2^6, output 2^10, ranges of 512 entries
const CASES: [TableFn, FnTableSpec, (x: number) => number][] = [
  ['gelu', fnSpec('gelu', 6, 10, -256, 255), gelu],
  ['exp', fnSpec('exp', 6, 10, -384, 127), Math.exp],
  ['sigmoid', fnSpec('sigmoid', 6, 10, -256, 255), (x) => 1 / (1 + Math.exp(-x))],
  ['tanh', fnSpec('tanh', 6, 10, -256, 255), Math.tanh],
  ['reciprocal', fnSpec('reciprocal', 6, 10, 1, 512), (x) => 1 / x],
  ['rsqrt', fnSpec('rsqrt', 6, 10, 1, 512, { eps: [1n, 100000n] }), (x) => 1 / Math.sqrt(x + 1e-5)],
];

function gadget(fn: TableFn, spec: FnTableSpec): GadgetCase<LookupFnChip> {
  return {
    name: fn,
    inputs: [{ name: 'x', shape: [N], scale: spec.inScale }],
    configure: (ctx) => LookupFnChip.configure(ctx, spec),
    synthesize: (layouter, chip, [x], ctx) => [chip.assign(layouter, ctx, x!)],
  };
}

describe('table-lookup functions', () => {
  for (const [fn, spec, ref] of CASES) {
    it(`${fn}: random in-range inputs satisfy the mock prover and equal the spec`, () => {
      const table = buildTable(spec);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: spec.min, max: spec.max }), { minLength: N, maxLength: N }), (xs) => {
          const run = runGadget(K, gadget(fn, spec), [tensor([N], xs, spec.inScale)]);
          expectSatisfied(run.prover);
          expect(run.outputs[0]!.values.get()).toEqual(lookupFnSpec(table, xs.map(BigInt)));
        }),
        { numRuns: 2 },
      );
    });

    it(`${fn}: tamper fails the table lookup; out-of-range input fails; accuracy ≤ ½ ulp; cost`, () => {
      const xs = Array.from({ length: N }, (_, i) => spec.min + Math.floor(((spec.max - spec.min) * i) / (N - 1)));
      const run = runGadget(K, gadget(fn, spec), [tensor([N], xs, spec.inScale)]);
      expectSatisfied(run.prover);
      expectTamperFails(run.prover, regionCells(run.prover, fn), fn);
      const bad = runGadget(K, gadget(fn, spec), [tensor([N], [...xs.slice(1), spec.max + 1], spec.inScale)]);
      expect(bad.prover.verify().some((f) => f.kind === 'lookup' && f.lookup.name.startsWith(fn))).toBe(true);
      const got = Array.from(run.outputs[0]!.values.get(), (v) => Number(v) / 2 ** spec.outScale);
      const { abs } = errors(got, xs.map((x) => ref(x / 2 ** spec.inScale)));
      expect(abs).toBeLessThanOrEqual(2 ** -(spec.outScale + 1) + 1e-9);
      expectCost(`${fn} ×8 table 512`, costOf(run, fn));
    });
  }

  it('two chips over one table share it (one table per circuit)', () => {
    const spec = CASES[0]![1];
    const twice: GadgetCase<[LookupFnChip, LookupFnChip]> = {
      name: 'gelu',
      inputs: [{ name: 'x', shape: [N], scale: 6 }],
      configure: (ctx) => [LookupFnChip.configure(ctx, spec, 'gelu1'), LookupFnChip.configure(ctx, spec, 'gelu2')],
      synthesize: (layouter, [a, b], [x], ctx) => [a.assign(layouter, ctx, x!), b.assign(layouter, ctx, x!)],
    };
    const run = runGadget(K, twice, [tensor([N], Array(N).fill(3), 6)]);
    expectSatisfied(run.prover);
    expect(run.prover.compiled.lookupTables.length).toBe(1);
    expect(run.prover.compiled.lookupTables[0]!.lookups.length).toBe(2);
  });
});
