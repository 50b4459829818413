/**
 * The vocabulary the arguments (lookup.ts, permutation.ts, argument.ts) write
 * their constraints in: expression builders over compiled `ExprNode`s, and
 * what an argument needs from the assembly — the virtual instance-like
 * columns, the backend's challenge indices and the next free advice column.
 * The expressions are what both sides use: the prover evaluates them on the
 * extended coset, the verifier at x.
 */
import type { CompiledCircuit, ExprNode, Phase } from '../frontend/index.js';

export const constant = (value: bigint): ExprNode => ({ type: 'constant', value });
export const add = (left: ExprNode, right: ExprNode): ExprNode => ({ type: 'sum', left, right });
export const mul = (left: ExprNode, right: ExprNode): ExprNode => ({ type: 'product', left, right });
export const neg = (inner: ExprNode): ExprNode => ({ type: 'negated', inner });
export const sub = (a: ExprNode, b: ExprNode): ExprNode => add(a, neg(b));
export const sumAll = (xs: readonly ExprNode[]): ExprNode => (xs.length === 0 ? constant(0n) : xs.reduce((a, b) => add(a, b)));
export const prodAll = (xs: readonly ExprNode[]): ExprNode => (xs.length === 0 ? constant(1n) : xs.reduce((a, b) => mul(a, b)));

// the backend's own columns and challenges carry phase 0: phases only order the frontend's synthesis
export const challenge = (index: number): ExprNode => ({ type: 'challenge', challenge: index, phase: 0 as Phase });
export const advice = (column: number, rotation = 0): ExprNode => ({ type: 'advice', column, rotation, phase: 0 as Phase });
export const fixed = (column: number, rotation = 0): ExprNode => ({ type: 'fixed', column, rotation });
export const instance = (column: number, rotation = 0): ExprNode => ({ type: 'instance', column, rotation });

export interface NamedConstraint {
  readonly name: string;
  readonly expression: ExprNode;
}

/** Instance-like columns both sides compute and never commit (indices after the circuit's instances). */
export interface VirtualColumns {
  readonly l0: number;
  readonly lLast: number;
  /** 1 − l_last − l_blind: the rows where transitions are checked. */
  readonly lActive: number;
  /** The polynomial X. */
  readonly x: number;
}

/** Challenge indices of θ, β, γ (after the circuit's own) and the total count. */
export interface BackendChallenges {
  readonly theta: number;
  readonly beta: number;
  readonly gamma: number;
  readonly count: number;
}

/** What an argument's layout and constraints are built from (argument.ts hands it out). */
export interface ArgumentContext {
  readonly circuit: CompiledCircuit;
  readonly usableRows: number;
  readonly virtual: VirtualColumns;
  readonly challenges: BackendChallenges;
  /** The next free advice column (arguments allocate theirs in protocol order). */
  allocAdvice(): number;
}
