/**
 * The immutable Expression AST of gates and lookups (halo2's
 * `plonk::Expression`): constants, selectors, cell queries at a rotation,
 * challenges, and the sum / product / scaled / negated combinators.
 *
 * Two faces:
 * - `ExprNode`: frozen plain objects (a discriminated union on `type`). They
 *   are what compiled circuits store and what backends walk; they serialize.
 * - `Expression`: a thin wrapper with builder methods (`a.mul(b).sub(c)`),
 *   which is what circuit authors write.
 *
 * Constants live in Fr (BN254 scalar field) and are canonical: `constant(-1)`
 * is p − 1. Builders never simplify, so the AST is exactly what was written.
 */
import { Fr } from '../../field/bn254.js';
import type { ColumnKind, Phase } from './columns.js';

export interface ConstantNode {
  readonly type: 'constant';
  readonly value: bigint;
}
export interface SelectorNode {
  readonly type: 'selector';
  readonly selector: number;
}
export interface FixedQueryNode {
  readonly type: 'fixed';
  readonly column: number;
  readonly rotation: number;
}
export interface AdviceQueryNode {
  readonly type: 'advice';
  readonly column: number;
  readonly phase: Phase;
  readonly rotation: number;
}
export interface InstanceQueryNode {
  readonly type: 'instance';
  readonly column: number;
  readonly rotation: number;
}
export interface ChallengeNode {
  readonly type: 'challenge';
  readonly challenge: number;
  readonly phase: Phase;
}
export interface NegatedNode {
  readonly type: 'negated';
  readonly inner: ExprNode;
}
export interface SumNode {
  readonly type: 'sum';
  readonly left: ExprNode;
  readonly right: ExprNode;
}
export interface ProductNode {
  readonly type: 'product';
  readonly left: ExprNode;
  readonly right: ExprNode;
}
export interface ScaledNode {
  readonly type: 'scaled';
  readonly inner: ExprNode;
  readonly factor: bigint;
}
export type QueryNode = FixedQueryNode | AdviceQueryNode | InstanceQueryNode;
export type ExprNode =
  | ConstantNode
  | SelectorNode
  | QueryNode
  | ChallengeNode
  | NegatedNode
  | SumNode
  | ProductNode
  | ScaledNode;

/** A queried cell of an expression: column and rotation (advice also carries its phase). */
export interface ColumnQuery {
  readonly kind: ColumnKind;
  readonly column: number;
  readonly rotation: number;
}

/** Callbacks for each leaf and combinator (halo2's `Expression::evaluate`). */
export interface ExpressionEvaluator<T> {
  constant(value: bigint): T;
  selector(selector: number): T;
  fixed(query: FixedQueryNode): T;
  advice(query: AdviceQueryNode): T;
  instance(query: InstanceQueryNode): T;
  challenge(challenge: ChallengeNode): T;
  negated(value: T): T;
  sum(left: T, right: T): T;
  product(left: T, right: T): T;
  scaled(value: T, factor: bigint): T;
}

/** Leaf values for `fieldEvaluator`: each returns a canonical field element. */
export interface LeafValues {
  selector?(selector: number): bigint;
  fixed(query: FixedQueryNode): bigint;
  advice(query: AdviceQueryNode): bigint;
  instance(query: InstanceQueryNode): bigint;
  challenge(challenge: ChallengeNode): bigint;
}

export type ExpressionLike = Expression | bigint | number;

export class Expression {
  constructor(readonly node: ExprNode) {}

  static from(x: ExpressionLike): Expression {
    return x instanceof Expression ? x : constant(x);
  }
  add(other: ExpressionLike): Expression {
    return node({ type: 'sum', left: this.node, right: Expression.from(other).node });
  }
  sub(other: ExpressionLike): Expression {
    return node({ type: 'sum', left: this.node, right: Expression.from(other).neg().node });
  }
  mul(other: ExpressionLike): Expression {
    return node({ type: 'product', left: this.node, right: Expression.from(other).node });
  }
  neg(): Expression {
    return node({ type: 'negated', inner: this.node });
  }
  /** Multiply by a field constant without raising the degree (halo2's `Scaled`). */
  scale(factor: bigint | number): Expression {
    return node({ type: 'scaled', inner: this.node, factor: Fr.create(BigInt(factor)) });
  }
  square(): Expression {
    return this.mul(this);
  }
  degree(): number {
    return degreeOf(this.node);
  }
  evaluate<T>(evaluator: ExpressionEvaluator<T>): T {
    return evaluateNode(this.node, evaluator);
  }
  /** Distinct queried cells, in first-occurrence order. */
  queries(): ColumnQuery[] {
    return queriesOf(this.node);
  }
  /** Distinct selector indices used. */
  selectors(): number[] {
    return selectorsOf(this.node);
  }
  toString(): string {
    return formatExpression(this.node);
  }
}

function node(n: ExprNode): Expression {
  return new Expression(Object.freeze(n));
}

/** A constant (numbers and negative values are embedded canonically in Fr). */
export function constant(value: bigint | number): Expression {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`constant: expected a safe integer or bigint, got ${value}`);
  }
  return node({ type: 'constant', value: Fr.create(BigInt(value)) });
}
/** Σ terms (0 for none). */
export function sum(terms: readonly ExpressionLike[]): Expression {
  if (terms.length === 0) return constant(0);
  let acc = Expression.from(terms[0]!);
  for (let i = 1; i < terms.length; i++) acc = acc.add(terms[i]!);
  return acc;
}
/** Π factors (1 for none). */
export function product(factors: readonly ExpressionLike[]): Expression {
  if (factors.length === 0) return constant(1);
  let acc = Expression.from(factors[0]!);
  for (let i = 1; i < factors.length; i++) acc = acc.mul(factors[i]!);
  return acc;
}

/**
 * Degree as a polynomial in the column polynomials: queries and selectors 1,
 * constants and challenges 0, products add, sums take the max.
 */
export function degreeOf(n: ExprNode): number {
  switch (n.type) {
    case 'constant':
    case 'challenge':
      return 0;
    case 'selector':
    case 'fixed':
    case 'advice':
    case 'instance':
      return 1;
    case 'negated':
    case 'scaled':
      return degreeOf(n.inner);
    case 'sum':
      return Math.max(degreeOf(n.left), degreeOf(n.right));
    case 'product':
      return degreeOf(n.left) + degreeOf(n.right);
  }
}

export function evaluateNode<T>(n: ExprNode, ev: ExpressionEvaluator<T>): T {
  switch (n.type) {
    case 'constant':
      return ev.constant(n.value);
    case 'selector':
      return ev.selector(n.selector);
    case 'fixed':
      return ev.fixed(n);
    case 'advice':
      return ev.advice(n);
    case 'instance':
      return ev.instance(n);
    case 'challenge':
      return ev.challenge(n);
    case 'negated':
      return ev.negated(evaluateNode(n.inner, ev));
    case 'sum':
      return ev.sum(evaluateNode(n.left, ev), evaluateNode(n.right, ev));
    case 'product':
      return ev.product(evaluateNode(n.left, ev), evaluateNode(n.right, ev));
    case 'scaled':
      return ev.scaled(evaluateNode(n.inner, ev), n.factor);
  }
}

/** An evaluator over Fr given leaf values (selectors default to an error). */
export function fieldEvaluator(leaves: LeafValues): ExpressionEvaluator<bigint> {
  return {
    constant: (v) => v,
    selector: (s) => {
      if (!leaves.selector) throw new TypeError(`fieldEvaluator: no value given for selector[${s}]`);
      return leaves.selector(s);
    },
    fixed: leaves.fixed,
    advice: leaves.advice,
    instance: leaves.instance,
    challenge: leaves.challenge,
    negated: (a) => Fr.neg(a),
    sum: (a, b) => Fr.add(a, b),
    product: (a, b) => Fr.mul(a, b),
    scaled: (a, f) => Fr.mul(a, f),
  };
}

/** Rebuild a node bottom-up, replacing leaves through `leaf` (returns the leaf itself to keep it). */
export function mapLeaves(n: ExprNode, leaf: (l: ExprNode) => ExprNode): ExprNode {
  switch (n.type) {
    case 'negated':
      return Object.freeze({ type: 'negated', inner: mapLeaves(n.inner, leaf) });
    case 'scaled':
      return Object.freeze({ type: 'scaled', inner: mapLeaves(n.inner, leaf), factor: n.factor });
    case 'sum':
    case 'product':
      return Object.freeze({ type: n.type, left: mapLeaves(n.left, leaf), right: mapLeaves(n.right, leaf) });
    default:
      return leaf(n);
  }
}

/** Visit every leaf, left to right. */
export function forEachLeaf(n: ExprNode, visit: (leaf: ExprNode) => void): void {
  switch (n.type) {
    case 'negated':
    case 'scaled':
      forEachLeaf(n.inner, visit);
      return;
    case 'sum':
    case 'product':
      forEachLeaf(n.left, visit);
      forEachLeaf(n.right, visit);
      return;
    default:
      visit(n);
  }
}

/** Distinct (column, rotation) queries in first-occurrence order. */
export function queriesOf(n: ExprNode): ColumnQuery[] {
  const seen = new Set<string>();
  const out: ColumnQuery[] = [];
  forEachLeaf(n, (l) => {
    if (l.type !== 'advice' && l.type !== 'fixed' && l.type !== 'instance') return;
    const key = `${l.type}:${l.column}:${l.rotation}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(Object.freeze({ kind: l.type, column: l.column, rotation: l.rotation }));
  });
  return out;
}

export function selectorsOf(n: ExprNode): number[] {
  const out = new Set<number>();
  forEachLeaf(n, (l) => {
    if (l.type === 'selector') out.add(l.selector);
  });
  return [...out];
}

export function challengesOf(n: ExprNode): number[] {
  const out = new Set<number>();
  forEachLeaf(n, (l) => {
    if (l.type === 'challenge') out.add(l.challenge);
  });
  return [...out];
}

/** A canonical string of the structure (equal strings ⇔ equal ASTs). */
export function nodeKey(n: ExprNode): string {
  switch (n.type) {
    case 'constant':
      return `c${n.value}`;
    case 'selector':
      return `s${n.selector}`;
    case 'fixed':
    case 'advice':
    case 'instance':
      return `${n.type[0]}${n.column}@${n.rotation}`;
    case 'challenge':
      return `x${n.challenge}`;
    case 'negated':
      return `-(${nodeKey(n.inner)})`;
    case 'scaled':
      return `(${nodeKey(n.inner)})*c${n.factor}`;
    case 'sum':
      return `(${nodeKey(n.left)}+${nodeKey(n.right)})`;
    case 'product':
      return `(${nodeKey(n.left)}*${nodeKey(n.right)})`;
  }
}

/**
 * Field element for humans: small values (|v| < 2^64 as a signed integer)
 * in decimal, negative ones as `-k`, the rest in hex.
 */
export function formatFieldValue(v: bigint): string {
  const s = Fr.toSigned(v);
  if (s < 1n << 64n && s > -(1n << 64n)) return s.toString();
  return `0x${v.toString(16)}`;
}

/** Labels of leaves for printing; defaults to `advice[i]`, `selector[i]`, `challenge[i]`. */
export interface NameResolver {
  column?(kind: ColumnKind, index: number): string;
  selector?(index: number): string;
  challenge?(index: number): string;
}

/** `label@rotation`, the notation of failure reports. */
export function formatQuery(q: ColumnQuery, names: NameResolver = {}): string {
  const label = names.column ? names.column(q.kind, q.column) : `${q.kind}[${q.column}]`;
  return `${label}@${q.rotation}`;
}

/** Pretty print with minimal parentheses: `s0 * (a@0 * b@0 - c@0)`. */
export function formatExpression(n: ExprNode, names: NameResolver = {}): string {
  return format(n, names, 0);
}

// Precedence: 0 = sum context, 1 = product context, 2 = unary operand.
function format(n: ExprNode, names: NameResolver, prec: number): string {
  const wrap = (s: string, own: number) => (own < prec ? `(${s})` : s);
  switch (n.type) {
    case 'constant': {
      const s = formatFieldValue(n.value);
      return s.startsWith('-') && prec > 0 ? `(${s})` : s;
    }
    case 'selector':
      return names.selector ? names.selector(n.selector) : `selector[${n.selector}]`;
    case 'fixed':
    case 'advice':
    case 'instance':
      return formatQuery({ kind: n.type, column: n.column, rotation: n.rotation }, names);
    case 'challenge':
      return names.challenge ? names.challenge(n.challenge) : `challenge[${n.challenge}]`;
    case 'negated':
      return wrap(`-${format(n.inner, names, 2)}`, 1);
    case 'sum': {
      const right = n.right.type === 'negated' ? ` - ${format(n.right.inner, names, 1)}` : ` + ${format(n.right, names, 0)}`;
      return wrap(format(n.left, names, 0) + right, 0);
    }
    case 'product':
      return wrap(`${format(n.left, names, 1)} * ${format(n.right, names, 1)}`, 1);
    case 'scaled':
      return wrap(`${format(n.inner, names, 1)} * ${formatFieldValue(n.factor)}`, 1);
  }
}
