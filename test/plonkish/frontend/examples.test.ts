import { describe, expect, it } from 'vitest';
import { Fr } from '../../../src/field/bn254.js';
import {
  configure,
  type ConstraintFailure,
  ConstraintFailureError,
  type CopyFailure,
  type LookupFailure,
  MockProver,
  mockChallenges,
  serializeCompiledCircuit,
  synthesizeKeygen,
  synthesizeWitness,
  type VerifyFailure,
} from '../../../src/plonkish/frontend/index.js';
import {
  copyRegionsBad,
  copyRegionsValid,
  CopyRegionsCircuit,
  grandProduct,
  mulChainBad,
  MulChainCircuit,
  mulChainValid,
  mulChainWitness,
  publicInputsBad,
  PublicInputsCircuit,
  publicInputsValid,
  rangeCheckBad,
  RangeCheckCircuit,
  rangeCheckValid,
  shuffleBad,
  ShuffleCircuit,
  shuffleValid,
} from '../../../examples/circuits/index.js';

const constraintFailures = (fs: VerifyFailure[]) => fs.filter((f): f is ConstraintFailure => f.kind === 'constraint');

describe('example circuits pass the MockProver', () => {
  const cases = {
    'mul-chain': mulChainValid(),
    'range-check': rangeCheckValid(),
    shuffle: shuffleValid(),
    'copy-regions': copyRegionsValid(),
    'public-inputs': publicInputsValid(),
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const prover = MockProver.run(c.k, c.circuit as never, c.instances);
      expect(prover.verify()).toEqual([]);
      prover.assertSatisfied();
    });
  }
});

describe('bad witnesses are reported with the right name and row', () => {
  it('mul-chain: changed d names gate "mul" constraint 0 at region "chain" offset 3', () => {
    const c = mulChainBad(8, 3);
    const failures = constraintFailures(MockProver.run(c.k, c.circuit, c.instances).verify());
    expect(failures.map((f) => [f.gate.name, f.constraint.index, f.location.row])).toEqual([
      ['mul', 0, 3],
      ['chain', 0, 3],
    ]);
    const mul = failures[0]!;
    expect(mul.location).toMatchObject({ kind: 'region', region: { name: 'chain' }, offset: 3 });
    expect(mul.constraint.name).toBe('a*b*c=d');
    expect(mul.cells.map((x) => x.text.split(' = ')[0])).toEqual([
      'selector[0](q_mul)@0',
      'advice[0](a)@0',
      'advice[1](b)@0',
      'advice[2](c)@0',
      'advice[3](d)@0',
    ]);
    expect(mul.value).toBe(Fr.p - 1n);
    expect(mul.message).toContain('gate 0 "mul"');
    expect(mul.message).toContain('region "chain" (#0) at offset 3 (row 3)');
  });

  it('range-check: an out-of-range value names lookup "range8" at its row', () => {
    for (const bad of [256n, -1n]) {
      const c = rangeCheckBad(16, 5, bad);
      const failures = MockProver.run(c.k, c.circuit, c.instances).verify();
      expect(failures).toHaveLength(1);
      const f = failures[0] as LookupFailure;
      expect(f.kind).toBe('lookup');
      expect(f.lookup.name).toBe('range8');
      expect(f.location).toMatchObject({ kind: 'region', offset: 5, row: 5 });
      expect(f.inputs).toEqual([Fr.create(bad)]);
      expect(f.cells.map((x) => x.text)).toContain(`advice[0](value)@0 = ${bad}`);
    }
  });

  it('shuffle: a non-permutation fails "z-last" at the last row; a changed z fails "grand-product"', () => {
    const c = shuffleBad(8, 2);
    const failures = constraintFailures(MockProver.run(c.k, c.circuit, c.instances).verify());
    expect(failures.map((f) => [f.gate.name, f.constraint.name, f.location.row])).toEqual([['boundary', 'z-last', 8]]);

    const ok = shuffleValid(8);
    const prover = MockProver.run(ok.k, ok.circuit, ok.instances);
    prover.setCell({ column: prover.config.z, row: 4 }, 12345n);
    const tampered = constraintFailures(prover.verify());
    expect(tampered.map((f) => [f.gate.name, f.location.row])).toEqual([
      ['grand-product', 3],
      ['grand-product', 4],
    ]);
  });

  it('copy-regions: a broken copy names both regions and cells', () => {
    const c = copyRegionsBad(3n, 4n);
    const failures = MockProver.run(c.k, c.circuit, c.instances).verify();
    expect(failures).toHaveLength(1);
    const f = failures[0] as CopyFailure;
    expect(f.kind).toBe('copy');
    expect(f.a).toMatchObject({ value: 7n, location: { kind: 'region', region: { name: 'add' }, offset: 0 } });
    expect(f.b).toMatchObject({ value: 8n, location: { kind: 'region', region: { name: 'square' }, offset: 0 } });
    expect(f.message).toMatch(/advice\[2\]\(o\) row 0 in region "add".* = 7 but advice\[0\]\(l\) row 1 in region "square".* = 8/);
  });

  it('copy-regions: changing the constant cell breaks the constant copy', () => {
    const c = copyRegionsValid();
    const prover = MockProver.run(c.k, c.circuit, c.instances);
    prover.setCell({ column: prover.config.constants, row: 0 }, 8n);
    const failures = prover.verify();
    expect(failures.map((f) => f.kind)).toEqual(['copy']);
    expect(failures[0]!.message).toContain('region "offset"');
  });

  it('public-inputs: a wrong public output is an instance failure at instance row 0', () => {
    const c = publicInputsBad();
    const failures = MockProver.run(c.k, c.circuit, c.instances).verify();
    expect(failures).toHaveLength(1);
    const f = failures[0] as CopyFailure;
    expect(f.kind).toBe('instance');
    expect(f.a.location).toMatchObject({ kind: 'region', region: { name: 'cubic' }, offset: 0 });
    expect(f.b.cell).toEqual({ column: { kind: 'instance', index: 0 }, row: 0 });
    expect(f.message).toMatch(/^Instance constraint violated: advice\[2\]\(c\) row 0 in region "cubic".* = 35 but instance\[0\]\(public\) row 0 = 36$/);
  });

  it('public-inputs: a wrong public bias (read into advice) makes the output mismatch instance row 0', () => {
    const c = publicInputsValid(3n, 5n);
    const failures = MockProver.run(c.k, c.circuit, [[c.instances[0]![0]!, 6n]]).verify();
    expect(failures.map((f) => f.kind)).toEqual(['instance']);
    expect((failures[0] as CopyFailure).b.cell.row).toBe(0);
  });

  it('public-inputs: a changed advice copy of the bias fails gate "cubic" and the instance copy', () => {
    const c = publicInputsValid(3n, 5n);
    const prover = MockProver.run(c.k, c.circuit, c.instances);
    prover.setCell({ column: prover.config.d, row: 0 }, 6n);
    const failures = prover.verify();
    expect(constraintFailures(failures).map((f) => [f.gate.name, f.constraint.name, f.constraint.index, f.location.row])).toEqual([
      ['cubic', 'cubic', 1, 0],
    ]);
    expect(failures.filter((f) => f.kind === 'instance').map((f) => (f as CopyFailure).b.cell.row)).toEqual([1]);
  });

  it('assertSatisfied throws a typed error listing the failures', () => {
    const c = mulChainBad(8, 3);
    const prover = MockProver.run(c.k, c.circuit, c.instances);
    expect(() => prover.assertSatisfied()).toThrow(ConstraintFailureError);
    try {
      prover.assertSatisfied();
    } catch (e) {
      expect((e as ConstraintFailureError).failures).toHaveLength(2);
      expect((e as Error).message).toMatch(/2 failure\(s\) at k = 4:\n {2}1\. Constraint 0 "a\*b\*c=d" of gate 0 "mul"/);
    }
  });
});

describe('determinism and witness independence', () => {
  const keygenCircuits = {
    'mul-chain': [new MulChainCircuit({ length: 8 }), mulChainValid(), 4],
    'range-check': [new RangeCheckCircuit({ count: 16 }), rangeCheckValid(), 9],
    shuffle: [new ShuffleCircuit({ length: 8 }), shuffleValid(), 4],
    'copy-regions': [new CopyRegionsCircuit(), copyRegionsValid(), 4],
    'public-inputs': [new PublicInputsCircuit(), publicInputsValid(), 4],
  } as const;
  for (const [name, [blank, withWitness, k]] of Object.entries(keygenCircuits)) {
    it(`${name}: compiles identically twice and lays out identically with and without a witness`, () => {
      const a = configure(blank as never);
      const b = configure(withWitness.circuit as never);
      expect(serializeCompiledCircuit(a.compiled)).toBe(serializeCompiledCircuit(b.compiled));
      const keygen1 = synthesizeKeygen(blank as never, { k });
      const keygen2 = synthesizeKeygen(blank as never, { k });
      const challenges = mockChallenges(a.compiled.challenges.length);
      const proving = synthesizeWitness(withWitness.circuit as never, { k, instances: withWitness.instances, challenges });
      for (const other of [keygen2, proving]) {
        expect(other.fixed).toEqual(keygen1.fixed);
        expect(other.copies).toEqual(keygen1.copies);
        expect(other.regions).toEqual(keygen1.regions);
        expect(other.rowsUsed).toBe(keygen1.rowsUsed);
      }
      // the prover's synthesis (copies: false): the same table, no copy constraints recorded
      const prover = synthesizeWitness(withWitness.circuit as never, { k, instances: withWitness.instances, challenges, copies: false });
      expect(prover.copies).toEqual([]);
      expect(prover.advice).toEqual(proving.advice);
      expect(prover.fixed).toEqual(proving.fixed);
      expect(prover.regions).toEqual(proving.regions);
    });
  }

  it('mul-chain: different witnesses give the same fixed columns', () => {
    const one = synthesizeWitness(new MulChainCircuit({ length: 8 }, mulChainWitness(8, 1)), { k: 4, instances: [] });
    const two = synthesizeWitness(new MulChainCircuit({ length: 8 }, mulChainWitness(8, 99)), { k: 4, instances: [] });
    expect(two.fixed).toEqual(one.fixed);
    expect(two.advice).not.toEqual(one.advice);
  });

  it('shuffle: phase-by-phase synthesis records each phase with the challenges known so far', () => {
    const c = shuffleValid(8);
    const configured = configure(c.circuit);
    const phase0 = synthesizeWitness(c.circuit, { k: 4, instances: [], configured, phases: [0] });
    expect(phase0.phases).toEqual([0]);
    expect(phase0.advice[2]).toBeUndefined();
    const gamma = 1234567n;
    const phase1 = synthesizeWitness(c.circuit, { k: 4, instances: [], configured, phases: [1], challenges: [gamma] });
    expect(phase1.advice[0]).toBeUndefined();
    const witness = (c.circuit as ShuffleCircuit).witness!;
    expect(phase1.advice[2]!.slice(0, 9)).toEqual(grandProduct(witness.a, witness.b, gamma));
    expect(phase1.advice[2]![8]).toBe(1n);
    // Phase 1 without its challenge: z is unknown while being recorded.
    expect(() => synthesizeWitness(c.circuit, { k: 4, instances: [], configured, phases: [1] })).toThrow(/Value.unknown/);
    // The mock prover's challenges are deterministic.
    const p1 = MockProver.run(4, c.circuit, []);
    const p2 = MockProver.run(4, c.circuit, []);
    expect(p1.challenges).toEqual(p2.challenges);
    expect(p1.assignment.advice[2]).toEqual(p2.assignment.advice[2]);
  });
});
