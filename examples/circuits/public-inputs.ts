/**
 * (e) Public inputs: knowledge of x with y = x³ + x + k, where y and k are
 * public (instance rows 0 and 1) and x is private.
 *
 * Region "cubic", one row:
 *
 *   | a | b  | c | d (from instance row 1) | q_cubic |   instance |
 *   |---|----|---|-------------------------|---------|------------|
 *   | x | x² | y | k                       |    1    |   y, k     |
 *
 * Gate "cubic": [square] q·(a·a − b) = 0, [cubic] q·(a·b + a + d − c) = 0.
 * c is constrained to instance row 0 (`constrainInstance`), d is read from
 * instance row 1 (`assignAdviceFromInstance`).
 */
import { Fr } from '../../src/field/bn254.js';
import {
  type AdviceColumn,
  type Circuit,
  type ConstraintSystem,
  type Expression,
  type InstanceColumn,
  type Layouter,
  type Selector,
  Value,
} from '../../src/plonkish/frontend/index.js';
import type { ExampleCase } from './common.js';

export interface PublicInputsConfig {
  readonly a: AdviceColumn;
  readonly b: AdviceColumn;
  readonly c: AdviceColumn;
  readonly d: AdviceColumn;
  readonly q: Selector;
  readonly instance: InstanceColumn;
}

export class PublicInputsCircuit implements Circuit<PublicInputsConfig, undefined> {
  readonly params = undefined;
  /** `x` is the private witness; the circuit computes y from x and the public k. */
  constructor(readonly x?: bigint) {}

  configure(cs: ConstraintSystem): PublicInputsConfig {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => cs.adviceColumn({ name })) as [AdviceColumn, AdviceColumn, AdviceColumn, AdviceColumn];
    const instance = cs.instanceColumn({ name: 'public' });
    cs.enableEquality(c);
    cs.enableEquality(d);
    cs.enableEquality(instance);
    const q = cs.selector({ name: 'q_cubic' });
    cs.createGate('cubic', (meta) => {
      const [qa, qb, qc, qd] = [a, b, c, d].map((col) => meta.query(col)) as [Expression, Expression, Expression, Expression];
      const s = meta.querySelector(q);
      return [
        ['square', s.mul(qa.mul(qa).sub(qb))],
        ['cubic', s.mul(qa.mul(qb).add(qa).add(qd).sub(qc))],
      ];
    });
    return { a, b, c, d, q, instance };
  }

  synthesize(layouter: Layouter, config: PublicInputsConfig): void {
    const x = Value.fromOptional(this.x);
    const y = layouter.region('cubic', (region) => {
      region.enableSelector(config.q, 0);
      region.assignAdvice(config.a, 0, x);
      const x2 = region.assignAdvice(config.b, 0, x.map((v) => Fr.square(v)));
      const k = region.assignAdviceFromInstance(config.d, 0, config.instance, 1);
      const y = x.zip(x2.value).zip(k.value).map(([[v, v2], kv]) => Fr.add(Fr.add(Fr.mul(v, v2), v), kv));
      return region.assignAdvice(config.c, 0, y);
    });
    layouter.constrainInstance(y, config.instance, 0);
  }
}

export function publicInputsSpec(x: bigint, bias: bigint): bigint {
  return Fr.add(Fr.add(Fr.mul(x, Fr.square(x)), x), bias);
}

export function publicInputsValid(x = 3n, bias = 5n): ExampleCase<PublicInputsConfig, undefined> {
  return { circuit: new PublicInputsCircuit(x), instances: [[publicInputsSpec(x, bias), bias]], k: 4 };
}

/** The claimed output y is off by one: the instance constraint on row 0 fails. */
export function publicInputsBad(x = 3n, bias = 5n): ExampleCase<PublicInputsConfig, undefined> {
  return { circuit: new PublicInputsCircuit(x), instances: [[Fr.add(publicInputsSpec(x, bias), 1n), bias]], k: 4 };
}
