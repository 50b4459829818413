/**
 * The committed-table embedding: MockProver completeness on random ids (X
 * equals the spec, v = Σ γ^i·(E·r)_i), tamper tests over its cells and the
 * loaded ids, a lookup failure for a wrong row, the cost against a fixed
 * V·D table, and the folded opening rejecting a prover holding E′ ≠ E.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/index.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import { commitMatrixRows, openFoldedRows, verifyFoldedOpening } from '../../src/pcs/matrix-commit.js';
import { MockProver, Value } from '../../src/plonkish/frontend/index.js';
import { CommittedEmbeddingChip, committedEmbeddingRows, embeddingSpec } from '../../src/gadgets/embedding-committed.js';
import { committedRowEvaluations, foldSpec } from '../../src/gadgets/matmul-committed.js';
import { tensor, type FixedPointTensor } from '../../src/gadgets/tensor.js';
import { expectCost } from './cost.js';
import { chipRows, costOf, expectSatisfied, expectTamperFails, foldValue, type GadgetCase, GadgetCircuit, regionCells } from './harness.js';

const [V, D, T] = [7, 5, 4];
const S = 8;
const K = 8;
const E = tensor([V, D], Array.from({ length: V * D }, (_, i) => ((i * 41) % 300) - 150), S);

const gadget = (e: FixedPointTensor | undefined): GadgetCase<CommittedEmbeddingChip> => ({
  name: 'cembed',
  inputs: [{ name: 'ids', shape: [T], scale: 0 }],
  configure: (ctx) => CommittedEmbeddingChip.configure(ctx),
  synthesize: (layouter, chip, [ids]) => {
    const out = chip.assign(layouter, ids!, { index: 0, vocab: V, dim: D, scale: S, values: e ? Value.known(e.data) : Value.unknown() });
    chip.fold.finish(layouter);
    return [out];
  },
});

function run(e: FixedPointTensor, ids: readonly number[]) {
  const circuit = new GadgetCircuit(gadget(e), [tensor([T], ids, 0)]);
  const prover = MockProver.run(K, circuit, []);
  return { prover, circuit, outputs: circuit.outputs };
}

const challenge = (prover: MockProver<unknown>, name: string) => prover.challenges[prover.compiled.challenges.find((c) => c.name === name)!.index]!;

describe('committed-table embedding', () => {
  it('random ids: satisfied, X = E[ids], v = Σ γ^i·(E·r)_i', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: V - 1 }), { minLength: T, maxLength: T }), (ids) => {
        const r = run(E, ids);
        expectSatisfied(r.prover);
        expect([...r.outputs[0]!.values.get()]).toEqual([...embeddingSpec(E.data, V, D, ids.map(BigInt))]);
        const u = committedRowEvaluations(E.data, V, D, challenge(r.prover, 'freivalds.rho'));
        expect(foldValue(r.prover)).toBe(foldSpec(u, challenge(r.prover, 'weights.gamma')));
      }),
      { numRuns: 4 },
    );
  });

  it('changing any cell it assigns, any output or any loaded id fails naming the chip; cost', () => {
    const r = run(E, [0, 6, 3, 0]);
    expectSatisfied(r.prover);
    expectTamperFails(r.prover, regionCells(r.prover, 'cembed'), ['cembed', 'weights']);
    expectTamperFails(r.prover, regionCells(r.prover, 'weights'), 'weights');
    expectTamperFails(r.prover, r.outputs[0]!.cells, 'cembed');
    expectTamperFails(r.prover, regionCells(r.prover, 'load ids'), 'cembed');
    const rows = chipRows(r.prover, 'cembed') + chipRows(r.prover, 'weights');
    expect(rows).toBe(committedEmbeddingRows(T, V, D)); // vs a fixed table of V·D + 1 rows
    expectCost(`embedding committed vocab ${V} dim ${D} ×${T}`, { ...costOf(r, 'cembed'), rows });
  });

  it('a whole row of another id, consistent through the Horner column, fails the row lookup', () => {
    const r = run(E, [1, 2, 3, 4]);
    const rho = challenge(r.prover, 'freivalds.rho');
    const chip = r.prover.config.chip;
    const region = r.prover.assignment.regions.find((x) => x.name === 'cembed: X·r')!;
    // block 0 (id 1) rewritten to E[2]'s row, ent and h both (gates stay satisfied)
    let acc = 0n;
    for (let s = 0; s < D; s++) {
      const value = Fr.create(E.data[2 * D + (D - 1 - s)]!);
      acc = Fr.add(Fr.mul(acc, rho), value);
      r.prover.setCell({ column: chip.ent, row: region.start + s }, value);
      r.prover.setCell({ column: chip.h, row: region.start + s }, acc);
    }
    const failures = r.prover.verify();
    expect(failures.some((f) => f.kind === 'lookup' && f.lookup.name === 'cembed: row lookup')).toBe(true);
  });

  it('a prover holding E′ ≠ E satisfies the circuit, but its v has no opening against E’s commitments', () => {
    const e2 = tensor([V, D], [...E.data].map((x, i) => Number(i === 12 ? x + 1n : x)), S);
    const r = run(e2, [2, 2, 5, 1]);
    expectSatisfied(r.prover);
    const params = new KzgParams(unsafeDevSrs(4, 'embedding-committed'));
    const rows = (t: FixedPointTensor) => ({ rows: V, cols: D, values: Array.from(t.data) });
    const [rho, gamma] = [challenge(r.prover, 'freivalds.rho'), challenge(r.prover, 'weights.gamma')];
    const v = foldValue(r.prover);
    const honest = openFoldedRows(params, [rows(E)], gamma, rho);
    expect(honest.value).not.toBe(v);
    const forged = openFoldedRows(params, [rows(e2)], gamma, rho);
    expect(forged.value).toBe(v);
    expect(verifyFoldedOpening([commitMatrixRows(params, rows(E))], gamma, rho, forged, params.verifierParams())).toBe(false);
  });
});
