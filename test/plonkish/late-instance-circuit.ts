/**
 * A circuit that publishes a value computed after a challenge (a late
 * instance): the private a_0…a_{m−1} are committed in phase 0, c is drawn,
 * phase 1 runs Horner acc_i = acc_{i−1}·c + a_i (acc_0 = a_0) and the last
 * acc = Σ a_i·c^{m−1−i} is exposed in a phase-1 instance column (length 1).
 * Used by the frontend (MockProver) and backend (prove/verify) tests.
 */
import { Fr } from '../../src/field/bn254.js';
import type { AdviceColumn, AssignedCell, Challenge, Circuit, ConstraintSystem, InstanceColumn, Layouter, Selector } from '../../src/plonkish/frontend/index.js';

export interface LateConfig {
  readonly a: AdviceColumn;
  readonly acc: AdviceColumn;
  readonly first: Selector;
  readonly step: Selector;
  readonly c: Challenge;
  readonly out: InstanceColumn;
}

/** The bigint spec: Σ a_i·c^{m−1−i}. */
export function hornerSpec(a: readonly bigint[], c: bigint): bigint {
  return a.reduce((acc, x) => Fr.add(Fr.mul(acc, c), x), 0n);
}

export class LateInstanceCircuit implements Circuit<LateConfig, { m: number }> {
  readonly params: { m: number };
  /** Cells of the last synthesis (tamper tests). */
  last: { accs: AssignedCell[]; out?: AssignedCell } = { accs: [] };
  constructor(readonly a: readonly bigint[]) {
    this.params = { m: a.length };
  }

  configure(cs: ConstraintSystem): LateConfig {
    const a = cs.adviceColumn({ name: 'a' });
    const c = cs.challenge(0, { name: 'c' });
    const acc = cs.adviceColumn({ name: 'acc', phase: 1 });
    const out = cs.instanceColumn({ name: 'out', phase: 1, length: 1 });
    cs.enableEquality(acc);
    cs.enableEquality(out);
    const first = cs.selector({ name: 'first' });
    const step = cs.selector({ name: 'step' });
    cs.createGate('horner-first', (meta) => [meta.querySelector(first).mul(meta.query(acc).sub(meta.query(a)))]);
    cs.createGate('horner-step', (meta) => [
      meta.querySelector(step).mul(meta.query(acc).sub(meta.query(acc, -1).mul(meta.queryChallenge(c))).sub(meta.query(a))),
    ]);
    return { a, acc, first, step, c, out };
  }

  synthesize(layouter: Layouter, cfg: LateConfig): void {
    const c = layouter.getChallenge(cfg.c);
    const accs = layouter.region('horner', (r) => {
      r.assignAdviceColumn(cfg.a, 0, [...this.a]);
      const cells: AssignedCell[] = [];
      let acc = c.map(() => 0n);
      this.a.forEach((x, i) => {
        acc = acc.zip(c).map(([v, ch]) => Fr.add(Fr.mul(v, ch), x));
        cells.push(r.assignAdvice(cfg.acc, i, acc));
        r.enableSelector(i === 0 ? cfg.first : cfg.step, i);
      });
      return cells;
    });
    layouter.exposeInstance(accs[accs.length - 1]!, cfg.out, 0);
    this.last = { accs, out: accs[accs.length - 1] };
  }
}
