/**
 * Row-wise evaluation of compiled expressions for the mock prover, with
 * halo2's "poison" semantics for unusable rows: advice cells at rows ≥
 * usableRows hold random blinding values in a real proof, so the mock
 * treats them as unknown (`POISON`). Poison propagates through sums,
 * negation and products, except that a product with a real 0 is 0 — which
 * is exactly how a selector switches a gate off on blinding rows. A gate
 * that still evaluates to poison would fail in a real proof with high
 * probability, so the mock prover reports it.
 *
 * Each expression is compiled once into a tree of closures `(row) => value`
 * (no per-row AST dispatch), which keeps the mock usable at 2^16+ rows.
 */
import { Fr } from '../../field/bn254.js';
import type { ColumnKind } from './columns.js';
import type { ExprNode } from './expression.js';

/** Marks an unknown (blinding) value; canonical values are ≥ 0. */
export const POISON = -1n;

/** The columns a mock evaluation reads (compiled order; advice of all phases). */
export interface MockColumns {
  readonly n: number;
  readonly usableRows: number;
  readonly fixed: readonly (readonly bigint[])[];
  readonly advice: readonly (readonly bigint[] | undefined)[];
  readonly instance: readonly (readonly bigint[])[];
  readonly challenges: readonly bigint[];
}

export type RowEvaluator = (row: number) => bigint;

/** (row + rotation) mod n. */
export function rotateRow(row: number, rotation: number, n: number): number {
  const r = (row + rotation) % n;
  return r < 0 ? r + n : r;
}

/** A cell's value as the mock sees it: POISON for advice on unusable rows, 0 for unassigned. */
export function mockCellValue(t: MockColumns, kind: ColumnKind, column: number, row: number): bigint {
  if (kind === 'advice') {
    if (row >= t.usableRows) return POISON;
    return t.advice[column]?.[row] ?? 0n;
  }
  const col = kind === 'fixed' ? t.fixed[column] : t.instance[column];
  return col?.[row] ?? 0n;
}

export function compileRowEvaluator(node: ExprNode, t: MockColumns): RowEvaluator {
  const p = Fr.p;
  const n = t.n;
  switch (node.type) {
    case 'constant': {
      const v = node.value;
      return () => v;
    }
    case 'selector':
      throw new TypeError('compileRowEvaluator: compiled expressions contain no selectors');
    case 'challenge': {
      const v = t.challenges[node.challenge];
      if (v === undefined) throw new RangeError(`compileRowEvaluator: no value for challenge[${node.challenge}]`);
      return () => v;
    }
    case 'fixed':
    case 'instance':
    case 'advice': {
      const { type, column, rotation } = node;
      return (row) => mockCellValue(t, type, column, rotateRow(row, rotation, n));
    }
    case 'negated': {
      const inner = compileRowEvaluator(node.inner, t);
      return (row) => {
        const v = inner(row);
        return v === POISON ? POISON : v === 0n ? 0n : p - v;
      };
    }
    case 'scaled': {
      const inner = compileRowEvaluator(node.inner, t);
      const f = node.factor;
      if (f === 0n) return () => 0n;
      return (row) => {
        const v = inner(row);
        return v === POISON ? POISON : (v * f) % p;
      };
    }
    case 'sum': {
      const left = compileRowEvaluator(node.left, t);
      const right = compileRowEvaluator(node.right, t);
      return (row) => {
        const a = left(row);
        if (a === POISON) return POISON;
        const b = right(row);
        if (b === POISON) return POISON;
        const s = a + b;
        return s >= p ? s - p : s;
      };
    }
    case 'product': {
      const left = compileRowEvaluator(node.left, t);
      const right = compileRowEvaluator(node.right, t);
      return (row) => {
        const a = left(row);
        if (a === 0n) return 0n;
        const b = right(row);
        if (b === 0n) return 0n;
        if (a === POISON || b === POISON) return POISON;
        return (a * b) % p;
      };
    }
  }
}
