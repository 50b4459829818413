/**
 * The quotient's compiled sum (SumPlan) against the node-by-node
 * VectorEvaluator (its slow oracle): random expressions with shared
 * sub-expressions, shared selectors, squares, rotations, constants and
 * challenges give the same Σ w_i·e_i at every point.
 */
import { describe, expect, it } from 'vitest';
import { Fr, mulberry32, packedFr, type FieldVec } from '../../../src/field/index.js';
import { SumPlan, VectorEvaluator } from '../../../src/plonkish/backend/evaluate.js';
import type { ExprNode } from '../../../src/plonkish/frontend/index.js';

const F = packedFr();
const size = 8;

function randomExprs(seed: number, count: number): ExprNode[] {
  const rng = mulberry32(seed);
  const int = (m: number) => rng() % m;
  const pool: ExprNode[] = [];
  const leaf = (): ExprNode => {
    switch (int(6)) {
      case 0:
        return { type: 'constant', value: [0n, 1n, Fr.p - 1n, 2n, Fr.random(rng)][int(5)]! };
      case 1:
        return { type: 'challenge', challenge: int(2), phase: 0 };
      case 2:
        return { type: 'fixed', column: int(3), rotation: [0, 0, 1][int(3)]! };
      case 3:
        return { type: 'instance', column: 0, rotation: 0 };
      default:
        return { type: 'advice', column: int(4), rotation: [0, 0, -1, 1][int(4)]!, phase: 0 };
    }
  };
  const gen = (depth: number): ExprNode => {
    // reuse an earlier sub-expression now and then (common sub-expressions)
    if (pool.length > 0 && int(6) === 0) return pool[int(pool.length)]!;
    if (depth === 0) return leaf();
    let e: ExprNode;
    switch (int(7)) {
      case 0:
        e = { type: 'negated', inner: gen(depth - 1) };
        break;
      case 1:
        e = { type: 'scaled', inner: gen(depth - 1), factor: [1n, 2n, Fr.p - 1n, 256n, Fr.random(rng)][int(5)]! };
        break;
      case 2:
      case 3: {
        const x = gen(depth - 1);
        e = { type: 'product', left: x, right: int(4) === 0 ? x : gen(depth - 1) };
        break;
      }
      case 4:
        e = leaf();
        break;
      default:
        e = { type: 'sum', left: gen(depth - 1), right: gen(depth - 1) };
    }
    pool.push(e);
    return e;
  };
  return Array.from({ length: count }, () => {
    const body = gen(1 + int(4));
    // most constraints carry a selector (shared between several of them)
    const sel = int(3);
    return sel === 2 ? body : { type: 'product', left: { type: 'fixed', column: sel, rotation: 0 }, right: body };
  });
}

describe('SumPlan', () => {
  it('equals Σ w_i·e_i evaluated node by node (VectorEvaluator) on random expressions', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = mulberry32(1000 + seed);
      const columns = new Map<string, FieldVec>();
      const query = (kind: string, column: number, rotation: number) => {
        const key = `${kind}:${column}:${rotation}`;
        let v = columns.get(key);
        if (!v) columns.set(key, (v = F.fromBigints(Array.from({ length: size }, () => Fr.random(rng)))));
        return v;
      };
      const challenges = [Fr.random(rng), 7n];
      const exprs = randomExprs(seed, 1 + (seed % 9));
      const weights = exprs.map((_, i) => (seed % 5 === 0 ? 1n : i % 3 === 0 ? Fr.p - 1n : Fr.random(rng)));
      const ev = new VectorEvaluator({ F, size, query, challenge: (i) => challenges[i]! });
      const want = F.alloc(size);
      exprs.forEach((e, i) => {
        const v = ev.evalVec(e);
        F.scale(v, v, weights[i]!);
        F.add(want, want, v);
        v.free();
      });
      ev.free();
      const before = new Map([...columns].map(([key, v]) => [key, v.toBigints()]));
      const inUse = F.runtime.arena.bytesInUse;
      let steps = 0;
      const plan = new SumPlan(exprs, weights, (i) => challenges[i]!);
      const got = plan.evaluate({ F, size, query }, () => steps++);
      expect(steps, 'a step between terms').toBe(plan.top.terms.length);
      expect(got.toBigints(), `seed ${seed}`).toEqual(want.toBigints());
      // the query vectors are untouched (the plan never writes what it does not own)
      for (const [key, v] of columns) expect(v.toBigints(), `seed ${seed}: ${key}`).toEqual(before.get(key));
      got.free();
      // nothing left behind but the result (intermediates and shared values are freed)
      expect(F.runtime.arena.bytesInUse, `seed ${seed}`).toBe(inUse);
      [want, ...columns.values()].forEach((v) => v.free());
    }
  });

  it('evaluates an empty or constant-only sum to the constant', () => {
    const query = () => {
      throw new Error('no queries');
    };
    const empty = new SumPlan([], [], () => 0n).evaluate({ F, size, query });
    expect(empty.toBigints()).toEqual(new Array(size).fill(0n));
    const c = new SumPlan([{ type: 'sum', left: { type: 'constant', value: 3n }, right: { type: 'challenge', challenge: 0, phase: 0 } }], [5n], () => 4n).evaluate({ F, size, query });
    expect(c.toBigints()).toEqual(new Array(size).fill(35n));
    empty.free();
    c.free();
  });
});
