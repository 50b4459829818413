import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RangeCheckChip, rangeCheckSpec } from '../../src/gadgets/range.js';
import { tensor } from '../../src/gadgets/tensor.js';
import { expectCost } from './cost.js';
import { costOf, expectSatisfied, expectTamperFails, type GadgetCase, regionCells, runGadget, sample } from './harness.js';

const BITS = 12;
const N = 8;
const gadget: GadgetCase<RangeCheckChip> = {
  name: 'range',
  inputs: [{ name: 'x', shape: [N], scale: 0 }],
  configure: (ctx) => RangeCheckChip.configure(ctx, BITS, true, 'range'),
  synthesize: (layouter, chip, [x]) => [chip.assign(layouter, x!)],
};
const K = 9;

describe('range check (limb decomposition)', () => {
  it('spec accepts the signed range and rejects the rest', () => {
    expect(() => rangeCheckSpec([-2048n, 2047n], BITS)).not.toThrow();
    expect(() => rangeCheckSpec([2048n], BITS)).toThrow(/outside/);
    expect(() => rangeCheckSpec([-2049n], BITS)).toThrow(/outside/);
  });

  it('random in-range tensors satisfy the mock prover', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -2048, max: 2047 }), { minLength: N, maxLength: N }), (xs) => {
        expectSatisfied(runGadget(K, gadget, [tensor([N], xs, 0)]).prover);
      }),
      { numRuns: 4 },
    );
  });

  it('out-of-range values fail the decomposition or a limb lookup', () => {
    for (const bad of [2048, -2049, 5000]) {
      const failures = runGadget(K, gadget, [tensor([N], [0, 1, 2, bad, 4, 5, 6, 7], 0)]).prover.verify();
      expect(failures.some((f) => (f.kind === 'constraint' ? f.gate.name : f.kind === 'lookup' ? f.lookup.name : '').startsWith('range'))).toBe(true);
    }
  });

  it('changing any assigned cell fails a range gate or lookup', () => {
    const run = runGadget(K, gadget, [tensor([N], [0, 1, -1, 2047, -2048, 100, -100, 7], 0)]);
    expectSatisfied(run.prover);
    expectTamperFails(run.prover, sample(regionCells(run.prover, 'range'), 24), 'range');
  });

  it('limb lookups hold on every row (no selector): a limb outside the table where the check is off is rejected', () => {
    const run = runGadget(K, gadget, [tensor([N], [0, 1, -1, 2047, -2048, 100, -100, 7], 0)]);
    expectSatisfied(run.prover);
    const limb = run.prover.cs.advice.find((c) => c.name === 'range.limb0')!.column;
    const region = run.prover.assignment.regions.find((r) => r.name === 'range')!;
    const off = { column: limb, row: region.start + region.rows + 2 }; // past the region: q is off here
    run.prover.setCell(off, 5n); // in the table [0, 256): still fine
    expectSatisfied(run.prover);
    run.prover.setCell(off, 256n); // outside it
    const failures = run.prover.verify();
    run.prover.setCell(off, 0n);
    expect(failures.some((f) => f.kind === 'lookup' && f.lookup.name.startsWith('range: limb 0'))).toBe(true);
  });

  it('cost', () => {
    expectCost('range-check 12 bits ×8', costOf(runGadget(K, gadget, [tensor([N], Array(N).fill(0), 0)]), 'range'));
  });
});
