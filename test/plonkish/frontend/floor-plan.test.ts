import { describe, expect, it } from 'vitest';
import { Fr } from '../../../src/field/bn254.js';
import { keygen } from '../../../src/plonkish/backend/keygen.js';
import { prove } from '../../../src/plonkish/backend/prover.js';
import { verify } from '../../../src/plonkish/backend/verifier.js';
import {
  type AdviceColumn,
  type ConstraintSystem,
  type Layouter,
  MockProver,
  type Selector,
  SynthesisError,
  synthesizeKeygen,
  Value,
} from '../../../src/plonkish/frontend/index.js';
import { KzgParams, unsafeDevSrs } from '../../../src/pcs/kzg.js';
import { circuitOf } from './helpers.js';

/** Two chips: "square" (b = a², in columns a, b) and "double" (d = 2c, in c, d); chained by copies. */
interface Chips {
  sq: { a: AdviceColumn; b: AdviceColumn; q: Selector };
  db: { c: AdviceColumn; d: AdviceColumn; q: Selector };
  /** A gate of chip "probe" reads column `zero` (which its regions never write) and requires it to be 0. */
  probe: { x: AdviceColumn; zero: AdviceColumn; q: Selector };
}

function configure(cs: ConstraintSystem, planner: 'packed' | 'single-pass'): Chips {
  cs.setFloorPlanner(planner);
  const col = (name: string) => {
    const c = cs.adviceColumn({ name });
    cs.enableEquality(c);
    return c;
  };
  const sq = { a: col('a'), b: col('b'), q: cs.selector({ name: 'q.sq' }) };
  const db = { c: col('c'), d: col('d'), q: cs.selector({ name: 'q.db' }) };
  const probe = { x: col('x'), zero: sq.b, q: cs.selector({ name: 'q.probe' }) };
  cs.createGate('square', (m) => {
    const q = m.querySelector(sq.q);
    return [q.mul(m.query(sq.b, 0).sub(m.query(sq.a, 0).mul(m.query(sq.a, 0))))];
  });
  cs.createGate('double', (m) => {
    const q = m.querySelector(db.q);
    return [q.mul(m.query(db.d, 0).sub(m.query(db.c, 0).mul(2)))];
  });
  // probe: x is anything, but the (unwritten) column b must read 0 on its rows
  cs.createGate('probe', (m) => [m.querySelector(probe.q).mul(m.query(probe.zero, 0))]);
  return { sq, db, probe };
}

const N = 6;
function synth(layouter: Layouter, c: Chips, start: bigint, dependsOnValue: boolean, probe: boolean) {
  let v = Value.known(start);
  for (let i = 0; i < N; i++) {
    const b = layouter.region(`square ${i}`, (r) => {
      r.enableSelector(c.sq.q, 0);
      r.assignAdvice(c.sq.a, 0, v);
      return r.assignAdvice(c.sq.b, 0, v.map((x) => Fr.mul(x, x)));
    });
    v = layouter.region(`double ${i}`, (r) => {
      r.enableSelector(c.db.q, 0);
      const cc = r.copyAdvice(b, c.db.c, 0);
      // a region whose height depends on the witness (forbidden)
      if (dependsOnValue && layouter.hasWitness) r.assignAdvice(c.db.c, 1, 0n);
      return r.assignAdvice(c.db.d, 0, cc.value.map((x) => Fr.mul(x, 2n))).value;
    });
    if (probe) layouter.region(`probe ${i}`, (r) => {
      r.enableSelector(c.probe.q, 0);
      r.assignAdvice(c.probe.x, 0, 7n);
    });
  }
}

// with probes the circuit is only laid out (the mock prover rejects a gate reading an unassigned cell)
const circuit = (planner: 'packed' | 'single-pass', start = 3n, dependsOnValue = false, probe = false) =>
  circuitOf((cs) => configure(cs, planner), (l, c: Chips) => synth(l, c, start, dependsOnValue, probe));

describe('packed floor plan', () => {
  it('lets regions with disjoint columns share rows', () => {
    const single = synthesizeKeygen(circuit('single-pass', 3n, false, true), { k: 6 });
    const packed = synthesizeKeygen(circuit('packed', 3n, false, true), { k: 6 });
    expect(single.rowsUsed).toBe(3 * N);
    // square i and double i−1 use disjoint columns; probe i must avoid column b (its gate reads it)
    expect(packed.rowsUsed).toBeLessThan(single.rowsUsed);
    const byName = new Map(packed.regions.map((r) => [r.name, r]));
    const rowsOf = (name: string) => byName.get(name)!.start;
    // regions of one chip stay in order, one after another
    for (let i = 1; i < N; i++) expect(rowsOf(`double ${i}`)).toBeGreaterThan(rowsOf(`double ${i - 1}`));
    // a probe (which reads b) never shares a row with a square region (which writes b)
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) expect(rowsOf(`probe ${i}`)).not.toBe(rowsOf(`square ${j}`));
  });

  it('satisfies the mock prover, and a changed cell is caught', () => {
    expect(synthesizeKeygen(circuit('packed'), { k: 6 }).rowsUsed).toBe(N); // square i and double i share row i
    const prover = MockProver.run(6, circuit('packed'), []);
    expect(prover.verify().map((f) => f.message)).toEqual([]);
    const cells = prover.assignment.regions.find((r) => r.name === 'double 2')!;
    const bad = MockProver.run(6, circuit('packed'), []);
    bad.setCell({ column: { kind: 'advice', index: 3, phase: 0 }, row: cells.start }, 5n);
    const failures = bad.verify();
    expect(failures.length).toBeGreaterThan(0);
    expect(JSON.stringify(failures.map((f) => f.message))).toContain('double');
  });

  it('rejects a region whose shape depends on the witness', () => {
    expect(() => MockProver.run(6, circuit('packed', 3n, true), [])).toThrow(SynthesisError);
  });

  it('proves and verifies with the real prover; another witness gives another proof that also verifies', () => {
    const params = new KzgParams(unsafeDevSrs(6, 'floor-plan'));
    const pk = keygen(circuit('packed'), params, 6);
    const proof = prove(pk, circuit('packed', 5n), [], params);
    expect(verify(pk.vk, proof, [], params.verifierParams())).toEqual({ ok: true });
    const t = proof.slice();
    t[t.length - 40]! ^= 1;
    expect(verify(pk.vk, t, [], params.verifierParams()).ok).toBe(false);
  });
});
