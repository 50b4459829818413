import { describe, expect, it } from 'vitest';
import { Fr } from '../../../src/field/bn254.js';
import {
  COMPILED_CIRCUIT_FORMAT,
  ConstraintSystem,
  ConstraintSystemError,
  constant,
  lookupDegree,
  parseCompiledCircuit,
  serializeCompiledCircuit,
  usableRowsOf,
} from '../../../src/plonkish/frontend/index.js';

describe('ConstraintSystem columns and phases', () => {
  it('creates typed, indexed column handles', () => {
    const cs = new ConstraintSystem();
    expect(cs.adviceColumn()).toEqual({ kind: 'advice', index: 0, phase: 0 });
    expect(cs.adviceColumn({ phase: 1, name: 'z' })).toEqual({ kind: 'advice', index: 1, phase: 1 });
    expect(cs.fixedColumn()).toEqual({ kind: 'fixed', index: 0 });
    expect(cs.instanceColumn()).toEqual({ kind: 'instance', index: 0 });
    expect(cs.selector()).toEqual({ kind: 'selector', index: 0 });
    const t = cs.lookupTableColumn();
    expect(t).toEqual({ kind: 'table', index: 1, column: { kind: 'fixed', index: 1 } });
    expect(cs.describeColumn({ kind: 'advice', index: 1 })).toBe('advice[1](z)');
    expect(cs.numPhases()).toBe(2);
  });

  it('rejects phases without a previous phase and challenges without advice in their phase', () => {
    const cs = new ConstraintSystem();
    expect(() => cs.adviceColumn({ phase: 1 })).toThrow(ConstraintSystemError);
    expect(() => cs.challenge(0)).toThrow(/no advice column of phase 0/);
    cs.adviceColumn();
    expect(cs.challenge(0)).toEqual({ kind: 'challenge', index: 0, phase: 0 });
    expect(() => cs.adviceColumn({ phase: 3 as 1 })).toThrow(/expected phase/);
  });

  it('rejects foreign columns, empty gates and advice in fixed lookups', () => {
    const cs = new ConstraintSystem();
    const other = new ConstraintSystem();
    other.adviceColumn();
    const foreign = other.adviceColumn();
    const a = cs.adviceColumn();
    expect(() => cs.createGate('g', (meta) => [meta.query(foreign)])).toThrow(/does not belong/);
    expect(() => cs.createGate('empty', () => [])).toThrow(/at least one constraint/);
    expect(() => cs.lookup('bad', (meta) => [[meta.query(a), meta.query(a)]])).toThrow(/use lookupAny/);
    expect(() => cs.lookup('none', () => [])).toThrow(/at least one/);
    expect(() => cs.enableEquality(foreign)).toThrow(ConstraintSystemError);
  });
});

describe('degree, blinding factors, usable rows', () => {
  it('is at least 3 (permutation) and follows gates and lookups', () => {
    const cs = new ConstraintSystem();
    const a = cs.adviceColumn();
    const s = cs.selector();
    expect(cs.degree()).toBe(3);
    cs.createGate('quad', (meta) => [meta.querySelector(s).mul(meta.query(a).square())]);
    expect(cs.degree()).toBe(3);
    cs.createGate('quart', (meta) => [meta.querySelector(s).mul(meta.query(a).square().mul(meta.query(a)))]);
    expect(cs.degree()).toBe(4);
    const t = cs.lookupTableColumn();
    // s·a (degree 2) into a table column (degree 1): 2 + 2 + 1.
    cs.lookup('l', (meta) => [[meta.querySelector(s).mul(meta.query(a)), t]]);
    expect(cs.degree()).toBe(5);
    cs.setMinimumDegree(7);
    expect(cs.degree()).toBe(7);
    expect(lookupDegree([constant(1).node], [constant(1).node])).toBe(4);
  });

  it('follows halo2 blinding factors: max(3, advice queries per column) + 1', () => {
    const cs = new ConstraintSystem();
    const a = cs.adviceColumn();
    expect(cs.blindingFactors()).toBe(4);
    expect(cs.usableRows(16)).toBe(11);
    expect(cs.minimumRows()).toBe(7);
    cs.createGate('wide', (meta) => [meta.query(a, -2).add(meta.query(a, -1)).add(meta.query(a)).add(meta.query(a, 1)).add(meta.query(a, 2))]);
    expect(cs.queriedRotations('advice')).toEqual([[-2, -1, 0, 1, 2]]);
    expect(cs.blindingFactors()).toBe(6);
    expect(cs.usableRows(32)).toBe(25);
  });
});

describe('compile', () => {
  function build() {
    const cs = new ConstraintSystem();
    const a = cs.adviceColumn({ name: 'a' });
    const b = cs.adviceColumn({ name: 'b' });
    const f = cs.fixedColumn();
    const consts = cs.fixedColumn({ name: 'k' });
    const inst = cs.instanceColumn();
    const t1 = cs.lookupTableColumn({ name: 't1' });
    const t2 = cs.lookupTableColumn({ name: 't2' });
    const s = cs.selector({ name: 'q' });
    const s2 = cs.selector();
    const gamma = cs.challenge(0, { name: 'gamma' });
    const z = cs.adviceColumn({ phase: 1, name: 'z' });
    cs.enableEquality(b);
    cs.enableEquality(inst);
    cs.enableEquality(a);
    cs.enableConstant(consts);
    cs.createGate('mul', (meta) => [['m', meta.querySelector(s).mul(meta.query(a).mul(meta.query(b)).sub(meta.query(f)))]]);
    cs.createGate('z', (meta) => [meta.querySelector(s2).mul(meta.query(z, 1).sub(meta.query(z).mul(meta.queryChallenge(gamma))))]);
    cs.lookup('byte-a', (meta) => [[meta.query(a), t1]]);
    cs.lookup('byte-b', (meta) => [[meta.query(b, -1), t1]]);
    cs.lookup('pair', (meta) => [
      [meta.query(a), t1],
      [meta.query(b), t2],
    ]);
    cs.lookupAny('dyn', (meta) => [[meta.query(a), meta.query(z)]]);
    return cs;
  }

  it('lowers selectors to trailing fixed columns and groups lookups per table', () => {
    const c = build().compile();
    expect(c.format).toBe(COMPILED_CIRCUIT_FORMAT);
    expect(c.modulus).toBe(Fr.p);
    expect(c.numPhases).toBe(2);
    expect(c.advice).toEqual([
      { index: 0, phase: 0, name: 'a' },
      { index: 1, phase: 0, name: 'b' },
      { index: 2, phase: 1, name: 'z' },
    ]);
    expect(c.fixed.map((f) => f.origin)).toEqual(['fixed', 'constant', 'table', 'table', 'selector', 'selector']);
    expect(c.selectors).toEqual([
      { index: 0, fixedColumn: 4, name: 'q' },
      { index: 1, fixedColumn: 5 },
    ]);
    expect(c.challenges).toEqual([{ index: 0, phase: 0, name: 'gamma' }]);
    expect(c.gates[0]!.constraints[0]!.expression).toMatchObject({ type: 'product', left: { type: 'fixed', column: 4, rotation: 0 } });
    expect(c.gates[0]!.selectors).toEqual([0]);
    expect(c.gates[1]!.constraints[0]!.name).toBe('z[0]');
    expect(JSON.stringify(c.gates, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v))).not.toContain('"selector"');
    expect(c.lookupTables.map((t) => t.lookups)).toEqual([[0, 1], [2], [3]]);
    expect(c.lookupTables.map((t) => t.dynamic)).toEqual([false, false, true]);
    expect(c.lookups.map((l) => [l.name, l.table, l.degree])).toEqual([
      ['byte-a', 0, 4],
      ['byte-b', 0, 4],
      ['pair', 1, 4],
      ['dyn', 2, 4],
    ]);
    expect(c.permutation.columns).toEqual([
      { kind: 'advice', index: 1 },
      { kind: 'instance', index: 0 },
      { kind: 'advice', index: 0 },
      { kind: 'fixed', index: 1 },
    ]);
    expect(c.permutation.chunkSize).toBe(c.degree - 2);
    expect(c.constants).toEqual([1]);
    expect(c.queries.advice).toEqual([[0], [-1, 0], [0, 1]]);
    expect(c.queries.fixed).toEqual([[0], [], [0], [0], [0], [0]]);
    expect(c.degree).toBe(4);
    expect(c.blindingFactors).toBe(4);
    expect(usableRowsOf(c, 64)).toBe(59);
  });

  it('serializes deterministically and round-trips', () => {
    const text = serializeCompiledCircuit(build().compile());
    expect(serializeCompiledCircuit(build().compile())).toBe(text);
    const back = parseCompiledCircuit(text);
    expect(back).toEqual(build().compile());
    expect(serializeCompiledCircuit(back)).toBe(text);
    expect(back.modulus).toBe(Fr.p);
    expect(() => parseCompiledCircuit('{"format":"other","version":1}')).toThrow(/expected format/);
  });
});
