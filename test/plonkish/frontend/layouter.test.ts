import { describe, expect, it } from 'vitest';
import { Fr } from '../../../src/field/bn254.js';
import {
  AssignmentError,
  type Circuit,
  type ConstraintSystem,
  NotEnoughRowsError,
  regionAt,
  SynthesisError,
  synthesizeKeygen,
  synthesizeWitness,
  Value,
} from '../../../src/plonkish/frontend/index.js';
import { circuitOf } from './helpers.js';

function simple(cs: ConstraintSystem) {
  const a = cs.adviceColumn({ name: 'a' });
  const b = cs.adviceColumn();
  const f = cs.fixedColumn();
  const s = cs.selector();
  const inst = cs.instanceColumn();
  return { a, b, f, s, inst };
}
type Simple = ReturnType<typeof simple>;

const run = <C>(circuit: Circuit<C, undefined>, k = 4, instances: bigint[][] = [[]]) => synthesizeWitness(circuit, { k, instances });

describe('Layouter regions', () => {
  it('appends regions one after another and records the region table', () => {
    const circuit = circuitOf(simple, (layouter, c: Simple) => {
      layouter.region('first', (r) => {
        r.assignAdvice(c.a, 0, 1n);
        r.assignAdvice(c.a, 2, 2n);
      });
      layouter.region('empty', () => undefined);
      const cell = layouter.region('second', (r) => {
        r.enableSelector(c.s, 1);
        return r.assignFixed(c.f, 0, 5n);
      });
      expect(cell).toEqual({ column: { kind: 'fixed', index: 0 }, row: 3 });
      expect(layouter.nextRow).toBe(5);
    });
    const asg = run(circuit);
    expect(asg.regions).toEqual([
      { index: 0, name: 'first', start: 0, rows: 3 },
      { index: 1, name: 'empty', start: 3, rows: 0 },
      { index: 2, name: 'second', start: 3, rows: 2 },
    ]);
    expect(asg.rowsUsed).toBe(5);
    expect(asg.advice[0]!.slice(0, 4)).toEqual([1n, 0n, 2n, 0n]);
    expect([...asg.adviceAssigned[0]!.slice(0, 4)]).toEqual([1, 0, 1, 0]);
    expect(asg.fixed[0]![3]).toBe(5n);
    expect(asg.fixed[1]![4]).toBe(1n); // the selector, lowered to fixed column 1
    expect(asg.selectors[0]![4]).toBe(1);
    expect(asg.fixed.length).toBe(2);
    expect(asg.fixed.every((col) => col.length === 16)).toBe(true);
    expect(regionAt(asg.regions, 4)?.name).toBe('second');
    expect(regionAt(asg.regions, 3)?.name).toBe('second');
    expect(regionAt(asg.regions, 7)).toBeUndefined();
  });

  it('errors with column, row and limit when a region passes the usable rows', () => {
    const circuit = circuitOf(simple, (layouter, c: Simple) => {
      layouter.region('too-long', (r) => r.assignAdvice(c.a, 11, 1n));
    });
    expect(() => run(circuit)).toThrow(NotEnoughRowsError);
    try {
      run(circuit);
    } catch (e) {
      const err = e as NotEnoughRowsError;
      expect(err.column).toBe('advice[0](a)');
      expect(err.row).toBe(11);
      expect(err.limit).toBe(11);
      expect(err.message).toMatch(/region "too-long".*advice\[0\]\(a\) row 11.*row < 11 at k = 4/);
    }
    const bulk = circuitOf(simple, (layouter, c: Simple) => {
      layouter.region('bulk', (r) => r.assignAdviceColumn(c.b, 2, new Array<bigint>(10).fill(1n)));
    });
    expect(() => run(bulk)).toThrow(/advice\[1\] row 11 is beyond the usable rows \(expected row < 11/);
    const selectors = circuitOf(simple, (layouter, c: Simple) => {
      layouter.region('sel', (r) => r.enableSelectorRange(c.s, 0, 12));
    });
    expect(() => synthesizeKeygen(selectors, { k: 4 })).toThrow(NotEnoughRowsError);
  });

  it('rejects bad offsets, non-canonical values, nesting, closed regions and small k', () => {
    const offset = circuitOf(simple, (l, c: Simple) => l.region('r', (r) => r.assignAdvice(c.a, -1, 1n)));
    expect(() => run(offset)).toThrow(AssignmentError);
    const value = circuitOf(simple, (l, c: Simple) => l.region('r', (r) => r.assignAdvice(c.a, 0, Fr.p)));
    expect(() => run(value)).toThrow(/expected a canonical Fr element/);
    const bulkValue = circuitOf(simple, (l, c: Simple) => l.region('r', (r) => r.assignAdviceColumn(c.a, 0, [1n, -2n])));
    expect(() => run(bulkValue)).toThrow(/advice\[0\]\(a\) row 1: expected a canonical Fr element in \[0, p\), got -2/);
    const nested = circuitOf(simple, (l) => l.region('outer', () => l.region('inner', () => 0)));
    expect(() => run(nested)).toThrow(/regions cannot nest/);
    const closed = circuitOf(simple, (l, c: Simple) => {
      const region = l.region('r', (r) => r);
      region.assignAdvice(c.a, 0, 1n);
    });
    expect(() => run(closed)).toThrow(/region is closed/);
    expect(() => run(circuitOf(simple, () => undefined), 2)).toThrow(/increase k/);
  });

  it('requires known values when synthesizing the witness, ignores them at keygen', () => {
    const circuit = circuitOf(simple, (l, c: Simple) => {
      l.region('r', (r) => {
        r.assignAdvice(c.a, 0, Value.unknown());
        r.assignAdviceColumn(c.b, 0, Value.unknown(), 3);
      });
    });
    expect(() => run(circuit)).toThrow(/got Value.unknown\(\) while synthesizing the witness/);
    const asg = synthesizeKeygen(circuit, { k: 4 });
    expect(asg.witness).toBe(false);
    expect(asg.advice).toEqual([undefined, undefined]);
    expect(asg.instance).toBeUndefined();
    expect(asg.regions[0]!.rows).toBe(3);
    const noLength = circuitOf(simple, (l, c: Simple) => l.region('r', (r) => r.assignAdviceColumn(c.b, 0, Value.unknown())));
    expect(() => synthesizeKeygen(noLength, { k: 4 })).toThrow(/needs an explicit length/);
  });

  it('bulk-assigns typed arrays with signed embedding', () => {
    const circuit = circuitOf(simple, (l, c: Simple) => {
      l.region('r', (r) => {
        const span = r.assignAdviceColumn(c.a, 1, Int32Array.from([-1, 2, -3]));
        expect(span.cell(2)).toEqual({ column: c.a, row: 3 });
        r.assignAdviceColumn(c.b, 0, BigInt64Array.from([-5n, 7n]));
        r.assignFixedColumn(c.f, 0, Uint8Array.from([9, 8]));
      });
    });
    const asg = run(circuit);
    expect(asg.advice[0]!.slice(0, 4)).toEqual([0n, Fr.p - 1n, 2n, Fr.p - 3n]);
    // Around the shared small-value table's edges, for number and bigint typed arrays.
    const edges = [-32769, -32768, -1, 0, 32767, 32768, 2147483647, -2147483648];
    const expected = edges.map((v) => Fr.create(BigInt(v)));
    const edgeCircuit = circuitOf(simple, (l, c: Simple) => {
      l.region('edges', (r) => {
        r.assignAdviceColumn(c.a, 0, Int32Array.from(edges));
        r.assignAdviceColumn(c.b, 0, BigInt64Array.from(edges.map(BigInt)));
      });
    });
    const edgeAsg = run(edgeCircuit);
    expect(edgeAsg.advice[0]!.slice(0, edges.length)).toEqual(expected);
    expect(edgeAsg.advice[1]!.slice(0, edges.length)).toEqual(expected);
    expect(asg.advice[1]!.slice(0, 2)).toEqual([Fr.p - 5n, 7n]);
    expect(asg.fixed[0]!.slice(0, 2)).toEqual([9n, 8n]);
  });

  it('bulk-assigns a large column in one call', () => {
    const count = 60_000;
    const values = BigInt64Array.from({ length: count }, (_, i) => BigInt(i % 2 === 0 ? i : -i));
    const circuit = circuitOf(simple, (l, c: Simple) => {
      l.region('tensor', (r) => {
        r.assignAdviceColumn(c.a, 0, values);
        r.enableSelectorRange(c.s, 0, count);
      });
    });
    const asg = run(circuit, 16);
    expect(asg.rowsUsed).toBe(count);
    expect(asg.advice[0]![59_998]).toBe(59_998n);
    expect(asg.advice[0]![59_999]).toBe(Fr.p - 59_999n);
    expect(asg.adviceAssigned[0]!.subarray(0, count).every((x) => x === 1)).toBe(true);
  });

  it('checks copy constraints, instances and constants', () => {
    const setup = (cs: ConstraintSystem) => {
      const c = simple(cs);
      cs.enableEquality(c.a);
      cs.enableEquality(c.inst);
      const k = cs.fixedColumn({ name: 'k' });
      cs.enableConstant(k);
      return { ...c, k };
    };
    type S = ReturnType<typeof setup>;
    const circuit = circuitOf(setup, (l, c: S) => {
      const { x, y } = l.region('r', (r) => {
        const x = r.assignAdviceFromConstant(c.a, 0, 3n);
        const y = r.assignAdviceFromConstant(c.a, 1, 3n);
        const z = r.assignAdviceFromInstance(c.a, 2, c.inst, 1);
        expect(z.value.get()).toBe(9n);
        r.constrainConstant(z, 9n);
        return { x, y };
      });
      l.constrainEqual(x, y);
      l.constrainInstance(y, c.inst, 0);
      expect(l.assignConstant(3n)).toEqual({ column: c.k, row: 0 });
      expect(() => l.region('bad', (r) => r.assignFixed(c.k, 0, 1n))).toThrow(/constant column; fill it with assignConstant/);
      expect(() => l.region('bad2', (r) => r.constrainEqual(x, r.assignAdvice(c.b, 0, 3n)))).toThrow(
        /advice\[1\] is not equality-enabled; call cs.enableEquality/,
      );
      expect(() => l.constrainInstance(x, c.inst, 11)).toThrow(NotEnoughRowsError);
    });
    const asg = run(circuit, 4, [[3n, 9n]]);
    expect(asg.fixed[1]!.slice(0, 3)).toEqual([3n, 9n, 0n]); // constants deduplicated
    expect(asg.copies.length).toBe(6);
    expect(asg.copies[2]).toEqual({ a: { column: { kind: 'advice', index: 0, phase: 0 }, row: 2 }, b: { column: { kind: 'instance', index: 0 }, row: 1 } });
    expect(asg.instance![0]!.slice(0, 3)).toEqual([3n, 9n, 0n]);
    expect(() => run(circuit, 4, [])).toThrow(/expected 1 instance columns, got 0/);
    expect(() => run(circuit, 4, [new Array<bigint>(12).fill(0n)])).toThrow(NotEnoughRowsError);
    const noConstants = circuitOf(simple, (l) => l.assignConstant(1n));
    expect(() => run(noConstants)).toThrow(/no constants column/);
  });

  it('fills lookup tables from row 0 and pads with the first entry', () => {
    const setup = (cs: ConstraintSystem) => ({ t: cs.lookupTableColumn(), u: cs.lookupTableColumn(), v: cs.lookupTableColumn() });
    type S = ReturnType<typeof setup>;
    const ok = circuitOf(setup, (l, c: S) => {
      l.assignTable('pairs', (t) => {
        t.assignColumn(c.t, [5n, 6n, 7n]);
        for (let i = 0; i < 3; i++) t.assignCell(c.u, i, BigInt(10 + i));
      });
    });
    const asg = run(ok, 4, []);
    expect(asg.fixed[0]!.slice(0, 12)).toEqual([5n, 6n, 7n, 5n, 5n, 5n, 5n, 5n, 5n, 5n, 5n, 0n]);
    expect(asg.fixed[1]![10]).toBe(10n);
    expect(asg.rowsUsed).toBe(3);
    const uneven = circuitOf(setup, (l, c: S) =>
      l.assignTable('uneven', (t) => {
        t.assignColumn(c.t, [1n, 2n]);
        t.assignColumn(c.u, [1n]);
      }),
    );
    expect(() => run(uneven, 4, [])).toThrow(/equal lengths/);
    const hole = circuitOf(setup, (l, c: S) => l.assignTable('hole', (t) => t.assignCell(c.t, 1, 1n)));
    expect(() => run(hole, 4, [])).toThrow(/hole at row 0/);
    const twice = circuitOf(setup, (l, c: S) => {
      l.assignTable('a', (t) => t.assignCell(c.t, 0, 1n));
      l.assignTable('b', (t) => t.assignCell(c.t, 1, 1n));
    });
    expect(() => run(twice, 4, [])).toThrow(/already filled/);
    const inRegion = circuitOf(setup, (l, c: S) => l.region('r', (r) => r.assignFixed(c.t.column, 0, 1n)));
    expect(() => run(inRegion, 4, [])).toThrow(SynthesisError);
  });
});
