import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fr } from '../../../src/field/bn254.js';
import {
  ConstraintSystem,
  constant,
  degreeOf,
  evaluateNode,
  Expression,
  type ExpressionEvaluator,
  fieldEvaluator,
  formatExpression,
  formatFieldValue,
  nodeKey,
  product,
  sum,
} from '../../../src/plonkish/frontend/index.js';

function setup() {
  const cs = new ConstraintSystem();
  const a = cs.adviceColumn();
  const b = cs.adviceColumn();
  const f = cs.fixedColumn();
  const i = cs.instanceColumn();
  const s = cs.selector();
  const ch = cs.challenge(0);
  let q!: { a: Expression; aNext: Expression; b: Expression; f: Expression; i: Expression; s: Expression; ch: Expression };
  cs.createGate('probe', (meta) => {
    q = {
      a: meta.query(a),
      aNext: meta.query(a, 1),
      b: meta.query(b, -1),
      f: meta.query(f),
      i: meta.query(i),
      s: meta.querySelector(s),
      ch: meta.queryChallenge(ch),
    };
    return [q.a];
  });
  return q;
}

const leaves = (values: Record<string, bigint>) =>
  fieldEvaluator({
    selector: () => values.s!,
    fixed: () => values.f!,
    advice: (n) => (n.column === 0 ? (n.rotation === 1 ? values.aNext! : values.a!) : values.b!),
    instance: () => values.i!,
    challenge: () => values.ch!,
  });

describe('Expression', () => {
  it('computes degrees: queries 1, constants and challenges 0, products add, sums max', () => {
    const q = setup();
    expect(constant(5).degree()).toBe(0);
    expect(q.ch.degree()).toBe(0);
    expect(q.a.degree()).toBe(1);
    expect(q.s.mul(q.a.mul(q.b).mul(q.f).sub(q.i)).degree()).toBe(4);
    expect(q.a.add(q.b.mul(q.b)).degree()).toBe(2);
    expect(q.a.mul(q.ch).scale(3).neg().degree()).toBe(1);
    expect(sum([]).degree()).toBe(0);
    expect(product([q.a, q.a, q.a]).degree()).toBe(3);
  });

  it('embeds constants canonically', () => {
    expect(constant(-1).node).toEqual({ type: 'constant', value: Fr.p - 1n });
    expect(constant(Fr.p + 2n).node).toEqual({ type: 'constant', value: 2n });
    expect(() => constant(0.5)).toThrow(RangeError);
    expect(constant(3).scale(-2).node).toMatchObject({ type: 'scaled', factor: Fr.p - 2n });
  });

  it('evaluates over Fr and agrees with direct arithmetic (property)', () => {
    const q = setup();
    const elem = fc.bigInt({ min: 0n, max: Fr.p - 1n });
    fc.assert(
      fc.property(elem, elem, elem, elem, elem, elem, elem, (a, aNext, b, f, i, s, ch) => {
        const ev = leaves({ a, aNext, b, f, i, s, ch });
        const e = q.s.mul(q.a.mul(q.b).sub(q.aNext)).add(q.f.scale(7)).sub(q.i.mul(q.ch)).neg().add(3);
        const expected = Fr.add(
          Fr.neg(Fr.sub(Fr.add(Fr.mul(s, Fr.sub(Fr.mul(a, b), aNext)), Fr.mul(f, 7n)), Fr.mul(i, ch))),
          3n,
        );
        expect(e.evaluate(ev)).toBe(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('has a generic evaluator (degree via callbacks equals degree())', () => {
    const q = setup();
    const e = q.s.mul(q.a.mul(q.b).sub(q.aNext)).add(q.ch.mul(q.f)).scale(2).neg();
    const degreeEval: ExpressionEvaluator<number> = {
      constant: () => 0,
      selector: () => 1,
      fixed: () => 1,
      advice: () => 1,
      instance: () => 1,
      challenge: () => 0,
      negated: (x) => x,
      sum: (x, y) => Math.max(x, y),
      product: (x, y) => x + y,
      scaled: (x) => x,
    };
    expect(evaluateNode(e.node, degreeEval)).toBe(e.degree());
    expect(degreeOf(e.node)).toBe(3);
  });

  it('lists distinct queries in first-occurrence order', () => {
    const q = setup();
    const e = q.a.mul(q.aNext).add(q.a).sub(q.b).add(q.f.mul(q.i)).mul(q.s);
    expect(e.queries()).toEqual([
      { kind: 'advice', column: 0, rotation: 0 },
      { kind: 'advice', column: 0, rotation: 1 },
      { kind: 'advice', column: 1, rotation: -1 },
      { kind: 'fixed', column: 0, rotation: 0 },
      { kind: 'instance', column: 0, rotation: 0 },
    ]);
    expect(e.selectors()).toEqual([0]);
  });

  it('pretty prints with minimal parentheses and signed constants', () => {
    const q = setup();
    const e = q.s.mul(q.a.mul(q.b).sub(q.aNext));
    expect(e.toString()).toBe('selector[0] * (advice[0]@0 * advice[1]@-1 - advice[0]@1)');
    expect(q.a.add(-1).toString()).toBe('advice[0]@0 + -1');
    expect(q.a.mul(-1).toString()).toBe('advice[0]@0 * (-1)');
    expect(q.a.sub(q.b.add(q.f)).toString()).toBe('advice[0]@0 - (advice[1]@-1 + fixed[0]@0)');
    expect(q.a.neg().mul(q.ch).toString()).toBe('-advice[0]@0 * challenge[0]');
    expect(formatExpression(q.a.node, { column: (k, i) => `${k.toUpperCase()}${i}` })).toBe('ADVICE0@0');
    expect(formatFieldValue(Fr.p - 5n)).toBe('-5');
    expect(formatFieldValue(1n << 100n)).toBe(`0x${(1n << 100n).toString(16)}`);
  });

  it('is immutable and structurally keyed', () => {
    const q = setup();
    const e = q.a.add(q.b);
    const e2 = e.mul(2);
    expect(e.toString()).toBe('advice[0]@0 + advice[1]@-1');
    expect(Object.isFrozen(e2.node)).toBe(true);
    expect(nodeKey(q.a.add(q.b).node)).toBe(nodeKey(e.node));
    expect(nodeKey(q.b.add(q.a).node)).not.toBe(nodeKey(e.node));
    expect(() => {
      (e.node as { type: string }).type = 'constant';
    }).toThrow(TypeError);
  });
});
