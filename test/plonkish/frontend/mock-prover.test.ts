import { describe, expect, it } from 'vitest';
import { Fr } from '../../../src/field/bn254.js';
import { type ConstraintSystem, type LookupFailure, MockProver, mockChallenges } from '../../../src/plonkish/frontend/index.js';
import { circuitOf } from './helpers.js';

describe('MockProver semantics', () => {
  it('reports a gate that is not switched off on blinding rows', () => {
    const circuit = circuitOf(
      (cs: ConstraintSystem) => {
        const a = cs.adviceColumn();
        cs.createGate('always-on', (meta) => [meta.query(a)]);
        return { a };
      },
      () => undefined,
    );
    const failures = MockProver.run(4, circuit, []).verify();
    // Usable rows are 0…10; rows 11…15 hold blinding values.
    expect(failures.map((f) => f.kind === 'constraint' && [f.location.row, f.value])).toEqual([
      [11, undefined],
      [12, undefined],
      [13, undefined],
      [14, undefined],
      [15, undefined],
    ]);
    expect(failures[0]!.message).toMatch(/depends on blinding rows.*row 11 \(unusable: last\/blinding rows\).*advice\[0\]@0 = <blinding>/);
  });

  it('reports a rotation that reaches into the blinding rows, and a wrap-around', () => {
    const circuit = circuitOf(
      (cs: ConstraintSystem) => {
        const a = cs.adviceColumn();
        const s = cs.selector();
        cs.createGate('next', (meta) => [meta.querySelector(s).mul(meta.query(a, 1).sub(meta.query(a)))]);
        cs.createGate('prev', (meta) => [meta.querySelector(s).mul(meta.query(a, -1).sub(meta.query(a)))]);
        return { a, s };
      },
      (layouter, { a, s }) => {
        layouter.region('edge', (r) => {
          r.assignAdviceColumn(a, 0, new Array<bigint>(11).fill(0n));
          r.enableSelector(s, 0);
          r.enableSelector(s, 10);
        });
      },
    );
    const failures = MockProver.run(4, circuit, []).verify();
    expect(failures.map((f) => f.kind === 'constraint' && [f.gate.name, f.location.row])).toEqual([
      ['next', 10],
      ['prev', 0],
    ]);
  });

  it('reports cells read by an enabled gate that were never assigned', () => {
    const circuit = circuitOf(
      (cs: ConstraintSystem) => {
        const a = cs.adviceColumn();
        const b = cs.adviceColumn();
        const s = cs.selector();
        cs.createGate('eq', (meta) => [meta.querySelector(s).mul(meta.query(a).sub(meta.query(b)))]);
        return { a, b, s };
      },
      (layouter, { a, s }) => {
        layouter.region('half', (r) => {
          r.enableSelector(s, 0);
          r.assignAdvice(a, 0, 0n);
        });
      },
    );
    const failures = MockProver.run(4, circuit, []).verify();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ kind: 'cell-not-assigned', gate: { name: 'eq' }, column: { kind: 'advice', index: 1 }, row: 0 });
    expect(failures[0]!.message).toContain('reads advice[1]@0 (row 0), which was never assigned');
  });

  it('checks vector tables and dynamic (advice) tables', () => {
    const setup = (cs: ConstraintSystem) => {
      const x = cs.adviceColumn({ name: 'x' });
      const y = cs.adviceColumn({ name: 'y' });
      const dyn = cs.adviceColumn({ name: 'dyn' });
      const s = cs.selector({ name: 'q' });
      const tx = cs.lookupTableColumn({ name: 'tx' });
      const ty = cs.lookupTableColumn({ name: 'ty' });
      cs.lookup('square', (meta) => {
        const q = meta.querySelector(s);
        return [
          [q.mul(meta.query(x)), tx],
          [q.mul(meta.query(y)), ty],
        ];
      });
      cs.lookupAny('in-dyn', (meta) => [[meta.querySelector(s).mul(meta.query(x)), meta.query(dyn)]]);
      return { x, y, dyn, s, tx, ty };
    };
    const make = (ys: bigint[]) =>
      circuitOf(setup, (layouter, c: ReturnType<typeof setup>) => {
        layouter.assignTable('squares', (t) => {
          t.assignColumn(c.tx, [0n, 1n, 2n, 3n]);
          t.assignColumn(c.ty, [0n, 1n, 4n, 9n]);
        });
        layouter.region('values', (r) => {
          r.assignAdviceColumn(c.x, 0, [1n, 3n, 2n]);
          r.assignAdviceColumn(c.y, 0, ys);
          r.assignAdviceColumn(c.dyn, 0, [3n, 2n, 1n]);
          r.enableSelectorRange(c.s, 0, 3);
        });
      });
    expect(MockProver.run(5, make([1n, 9n, 4n]), []).verify()).toEqual([]);
    const failures = MockProver.run(5, make([1n, 4n, 4n]), []).verify() as LookupFailure[];
    expect(failures.map((f) => [f.lookup.name, f.location.row, f.inputs])).toEqual([['square', 1, [3n, 4n]]]);
    expect(failures[0]!.message).toContain('input (3, 4) is not in the table');
    const prover = MockProver.run(5, make([1n, 9n, 4n]), []);
    prover.setCell({ column: prover.config.dyn, row: 0 }, 7n);
    const dynFailures = prover.verify() as LookupFailure[];
    expect(dynFailures.map((f) => [f.lookup.name, f.location.row])).toEqual([['in-dyn', 1]]);
  });

  it('caps the number of failures and derives challenges deterministically', () => {
    const circuit = circuitOf(
      (cs: ConstraintSystem) => {
        const f = cs.fixedColumn();
        cs.createGate('one', (meta) => [meta.query(f).sub(1)]);
        return { f };
      },
      () => undefined,
    );
    expect(MockProver.run(5, circuit, [], { maxFailures: 3 }).verify()).toHaveLength(3);
    expect(MockProver.run(5, circuit, []).verify()).toHaveLength(32);
    const c1 = mockChallenges(3);
    expect(mockChallenges(3)).toEqual(c1);
    expect(new Set(c1).size).toBe(3);
    expect(c1.every((c) => Fr.isValid(c))).toBe(true);
  });
});
