import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Fr } from '../../../src/field/bn254.js';
import { ConstraintSystem, ConstraintSystemError, MockProver, SynthesisError, configure, lateInstanceColumns, mockChallenges, serializeCompiledCircuit } from '../../../src/plonkish/frontend/index.js';
import { LateInstanceCircuit, hornerSpec } from '../late-instance-circuit.js';
import { circuitOf } from './helpers.js';

describe('late instance columns (phase > 0)', () => {
  it('configure: phase and length are recorded in the compiled circuit; phase-0 columns serialize as before', () => {
    const { compiled } = configure(new LateInstanceCircuit([1n, 2n]));
    expect(compiled.instance).toEqual([{ index: 0, phase: 1, length: 1, name: 'out' }]);
    expect(lateInstanceColumns(compiled)).toEqual([{ index: 0, phase: 1, length: 1 }]);
    const cs = new ConstraintSystem();
    cs.instanceColumn({ name: 'x' });
    expect(serializeCompiledCircuit(cs.compile())).toContain('"instance":[{"index":0,"name":"x"}]');
  });

  it('configure rejects a late column without its phase round or without a length, and a phase-0 column with a length', () => {
    const cs = new ConstraintSystem();
    expect(() => cs.instanceColumn({ phase: 1, length: 1 })).toThrow(/phase 1 needs an advice column of phase 1/);
    cs.adviceColumn();
    cs.adviceColumn({ phase: 1 });
    expect(() => cs.instanceColumn({ phase: 1 })).toThrow(ConstraintSystemError);
    expect(() => cs.instanceColumn({ phase: 1, length: 0 })).toThrow(/length \(rows published\) ≥ 1, got 0/);
    expect(() => cs.instanceColumn({ length: 2 })).toThrow(/phase-0 instance column takes its length/);
    expect(cs.instanceColumn({ phase: 1, length: 2 })).toEqual({ kind: 'instance', index: 0, phase: 1 });
  });

  it('MockProver: random valid inputs satisfy the circuit and the published value is the spec at the mock challenge', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: Fr.p - 1n }), { minLength: 1, maxLength: 8 }), (a) => {
        const mock = MockProver.run(5, new LateInstanceCircuit(a), [[]]);
        expect(mock.verify()).toEqual([]);
        expect(mock.lateInstances()).toEqual([[hornerSpec(a, mockChallenges(1)[0]!)]]);
      }),
      { numRuns: 20 },
    );
  });

  it('MockProver: a changed published value fails as an instance constraint naming the column and row', () => {
    const mock = MockProver.run(5, new LateInstanceCircuit([3n, 4n, 5n]), [[]]);
    mock.setCell({ column: { kind: 'instance', index: 0, phase: 1 }, row: 0 }, 7n);
    const failures = mock.verify();
    expect(failures.map((f) => f.kind)).toEqual(['instance']);
    expect(failures[0]!.message).toMatch(/Instance constraint violated: .*instance\[0\]\(out\) row 0 = 7/);
  });

  it('MockProver: changing any accumulator cell fails a Horner gate in region "horner"', () => {
    const circuit = new LateInstanceCircuit([3n, 4n, 5n, 6n]);
    expect(MockProver.run(5, circuit, [[]]).verify()).toEqual([]);
    const cells = circuit.last.accs;
    expect(cells.length).toBe(4);
    for (const cell of cells) {
      const mock = MockProver.run(5, circuit, [[]]);
      mock.setCell(cell, Fr.add(mock.assignment.advice[cell.column.index]![cell.row]!, 1n));
      const failures = mock.verify();
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.some((f) => f.kind === 'constraint' && f.gate.name.startsWith('horner') && f.location.kind === 'region' && f.location.region.name === 'horner')).toBe(true);
    }
  });

  it('synthesis rejects values passed for a late column, exposing into a phase-0 column, and rows past the length', () => {
    expect(() => MockProver.run(5, new LateInstanceCircuit([1n]), [[5n]])).toThrow(/values come from the witness; expected \[\] for it, got 1 values/);
    const toPhase0 = circuitOf(
      (cs) => {
        const a = cs.adviceColumn();
        const i = cs.instanceColumn();
        cs.enableEquality(a);
        cs.enableEquality(i);
        return { a, i };
      },
      (layouter, { a, i }) => {
        const cell = layouter.region('r', (r) => r.assignAdvice(a, 0, 1n));
        layouter.exposeInstance(cell, i, 0);
      },
    );
    expect(() => MockProver.run(4, toPhase0, [[1n]])).toThrow(SynthesisError);
    const pastLength = circuitOf(
      (cs) => {
        const a = cs.adviceColumn();
        cs.adviceColumn({ phase: 1 });
        const i = cs.instanceColumn({ phase: 1, length: 1 });
        cs.enableEquality(a);
        cs.enableEquality(i);
        return { a, i };
      },
      (layouter, { a, i }) => {
        const cell = layouter.region('r', (r) => r.assignAdvice(a, 0, 1n));
        layouter.exposeInstance(cell, i, 1);
      },
    );
    expect(() => MockProver.run(4, pastLength, [[]])).toThrow(/publishes rows 0…0, got row 1/);
  });
});
