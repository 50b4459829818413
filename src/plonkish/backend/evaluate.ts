/**
 * Evaluate constraint expressions over whole vectors of evaluations
 * (`VectorEvaluator`: the prover's Lagrange-domain evaluations, and the
 * oracle of `SumPlan`, the quotient's compiled sum): each AST node becomes
 * one packed-vector kernel call, instead of a bigint walk per point.
 *
 * Values are either scalars (constants, challenges, folded sub-trees) or
 * vectors; scalar ⊕ vector uses `scale` or `addScalar`, so constant-only
 * sub-trees cost nothing per point. Temporaries are freed as soon as their
 * parent has consumed them.
 */
import { Fr, type FieldVec, type PackedField } from '../../field/index.js';
import type { ExprNode } from '../frontend/index.js';

export type VecValue = { readonly scalar: bigint } | { readonly vec: FieldVec; readonly owned: boolean };

export interface VectorContext {
  readonly F: PackedField;
  readonly size: number;
  /** The evaluations of a queried column at a rotation (the callee owns and caches them). */
  query(kind: 'fixed' | 'advice' | 'instance', column: number, rotation: number): FieldVec;
  challenge(index: number): bigint;
}

export class VectorEvaluator {
  constructor(readonly ctx: VectorContext) {}

  /** Evaluate a node; the caller must `release` the result. */
  eval(node: ExprNode): VecValue {
    switch (node.type) {
      case 'constant':
        return { scalar: node.value };
      case 'challenge':
        return { scalar: this.ctx.challenge(node.challenge) };
      case 'selector':
        throw new TypeError('VectorEvaluator: compiled expressions contain no selector leaves');
      case 'fixed':
      case 'advice':
      case 'instance':
        return { vec: this.ctx.query(node.type, node.column, node.rotation), owned: false };
      case 'negated': {
        const v = this.eval(node.inner);
        if ('scalar' in v) return { scalar: Fr.neg(v.scalar) };
        const out = this.target(v);
        this.ctx.F.neg(out, v.vec);
        return { vec: out, owned: true };
      }
      case 'scaled': {
        const v = this.eval(node.inner);
        return this.scale(v, node.factor);
      }
      case 'sum':
        return this.add(this.eval(node.left), this.eval(node.right));
      case 'product':
        return this.mul(this.eval(node.left), this.eval(node.right));
    }
  }

  /** Evaluate into a vector (scalars broadcast), owned by the caller. */
  evalVec(node: ExprNode): FieldVec {
    const v = this.eval(node);
    return this.toOwnedVec(v);
  }

  toOwnedVec(v: VecValue): FieldVec {
    if ('scalar' in v) {
      const out = this.ctx.F.alloc(this.ctx.size);
      if (v.scalar !== 0n) this.ctx.F.addScalar(out, out, v.scalar);
      return out;
    }
    return v.owned ? v.vec : v.vec.clone();
  }

  release(v: VecValue): void {
    if ('vec' in v && v.owned) v.vec.free();
  }

  /** Nothing is held between evaluations (kept for the callers' symmetry). */
  free(): void {}

  /** An output vector: reuse an owned operand, else allocate. */
  private target(...vs: VecValue[]): FieldVec {
    for (const v of vs) if ('vec' in v && v.owned) return v.vec;
    // every kernel writing a target writes all of it
    return this.ctx.F.allocUninit(this.ctx.size);
  }

  scale(v: VecValue, c: bigint): VecValue {
    if ('scalar' in v) return { scalar: Fr.mul(v.scalar, c) };
    const out = this.target(v);
    this.ctx.F.scale(out, v.vec, c);
    return { vec: out, owned: true };
  }

  add(a: VecValue, b: VecValue): VecValue {
    if ('scalar' in a && 'scalar' in b) return { scalar: Fr.add(a.scalar, b.scalar) };
    if ('scalar' in a) return this.addScalar(b as { vec: FieldVec; owned: boolean }, a.scalar);
    if ('scalar' in b) return this.addScalar(a, b.scalar);
    const out = this.target(a, b);
    this.ctx.F.add(out, a.vec, b.vec);
    if (a.owned && a.vec !== out) a.vec.free();
    if (b.owned && b.vec !== out) b.vec.free();
    return { vec: out, owned: true };
  }

  mul(a: VecValue, b: VecValue): VecValue {
    if ('scalar' in a && 'scalar' in b) return { scalar: Fr.mul(a.scalar, b.scalar) };
    if ('scalar' in a) return this.scale(b, a.scalar);
    if ('scalar' in b) return this.scale(a, b.scalar);
    const out = this.target(a, b);
    this.ctx.F.mul(out, a.vec, b.vec);
    if (a.owned && a.vec !== out) a.vec.free();
    if (b.owned && b.vec !== out) b.vec.free();
    return { vec: out, owned: true };
  }

  private addScalar(v: { vec: FieldVec; owned: boolean }, c: bigint): VecValue {
    if (c === 0n) return v;
    const out = v.owned ? v.vec : this.ctx.F.allocUninit(this.ctx.size);
    this.ctx.F.addScalar(out, v.vec, c);
    return { vec: out, owned: true };
  }
}

/**
 * A weighted sum of expressions, Σ w_i·e_i, compiled once and evaluated over
 * whole vectors with fewer kernel calls than a node-by-node walk (the
 * quotient's hot loop; `VectorEvaluator` is its oracle in the tests):
 *
 * - every sub-expression becomes a linear form Σ c_j·atom_j + c₀ over atoms
 *   (queries and products of two atoms); scalars fold into the coefficients,
 *   so scalars never cost a vector pass, and scalar factors move out of
 *   products (c·a)·(d·b) = cd·(a·b);
 * - coefficients ±1 cost an add or sub, a constant one `addScalar` (no
 *   multiplication), any other coefficient one scale;
 * - equal atoms are one node (hash-consing over the whole sum): a common
 *   sub-expression (a lookup's (θ + f) factors, a permutation's products) is
 *   evaluated once and kept until its last use;
 * - terms of the sum sharing a query factor are factored out,
 *   Σ_t w_t·q·e_t = q·(Σ_t w_t·e_t) (the selectors and l_active), one product
 *   per factor instead of one per term.
 *
 * The result is the same field element at every point (only the order of
 * field operations differs).
 */
type Kind = 'fixed' | 'advice' | 'instance';

export type PlanNode =
  | { readonly id: number; readonly op: 'query'; readonly kind: Kind; readonly column: number; readonly rotation: number }
  | { readonly id: number; readonly op: 'mul'; readonly a: PlanNode; readonly b: PlanNode }
  | { readonly id: number; readonly op: 'lin'; readonly terms: readonly PlanTerm[]; readonly c0: bigint };

export interface PlanTerm {
  readonly node: PlanNode;
  readonly coeff: bigint;
}

/** A linear form while compiling: terms by node id, and a constant. */
interface Form {
  readonly terms: Map<number, PlanTerm>;
  c0: bigint;
}

const MINUS_ONE = Fr.p - 1n;

export interface PlanContext {
  readonly F: PackedField;
  readonly size: number;
  /** The evaluations of a queried column at a rotation (the callee owns and caches them). */
  query(kind: Kind, column: number, rotation: number): FieldVec;
}

interface Shared {
  readonly id: number;
  readonly vec: FieldVec;
  /** Uses not yet fetched. */
  left: number;
  /** Fetched and still being read. */
  holders: number;
}

interface Val {
  readonly vec: FieldVec;
  /** Whether the holder may overwrite or free it (else it only reads it, and releases it when done). */
  readonly owned: boolean;
  readonly shared?: Shared;
}

export class SumPlan {
  private readonly nodes = new Map<string, PlanNode>();
  /** Uses of each non-query node (operands and terms, the sum's terms included). */
  private readonly uses = new Map<number, number>();
  /** The sum: Σ terms + c0. */
  readonly top: { readonly terms: readonly PlanTerm[]; readonly c0: bigint };

  constructor(exprs: readonly ExprNode[], weights: readonly bigint[], challenge: (index: number) => bigint) {
    if (exprs.length !== weights.length) throw new RangeError(`SumPlan: ${exprs.length} expressions but ${weights.length} weights`);
    const total: Form = { terms: new Map(), c0: 0n };
    exprs.forEach((e, i) => addInto(total, this.form(e, challenge), weights[i]!));
    const top = this.factor(total);
    this.top = top;
    const count = (n: PlanNode): void => {
      if (n.op === 'query') return;
      const u = this.uses.get(n.id) ?? 0;
      this.uses.set(n.id, u + 1);
      if (u > 0) return;
      if (n.op === 'mul') {
        count(n.a);
        count(n.b);
      } else for (const t of n.terms) count(t.node);
    };
    for (const t of top.terms) count(t.node);
  }

  private intern(key: string, make: (id: number) => PlanNode): PlanNode {
    let node = this.nodes.get(key);
    if (!node) {
      node = make(this.nodes.size);
      this.nodes.set(key, node);
    }
    return node;
  }

  private form(e: ExprNode, challenge: (index: number) => bigint): Form {
    switch (e.type) {
      case 'constant':
        return { terms: new Map(), c0: e.value };
      case 'challenge':
        return { terms: new Map(), c0: challenge(e.challenge) };
      case 'selector':
        throw new TypeError('SumPlan: compiled expressions contain no selector leaves');
      case 'fixed':
      case 'advice':
      case 'instance': {
        const { type: kind, column, rotation } = e;
        const node = this.intern(`q${kind}:${column}:${rotation}`, (id) => ({ id, op: 'query', kind, column, rotation }));
        return { terms: new Map([[node.id, { node, coeff: 1n }]]), c0: 0n };
      }
      case 'negated':
        return scaled(this.form(e.inner, challenge), MINUS_ONE);
      case 'scaled':
        return scaled(this.form(e.inner, challenge), Fr.create(e.factor));
      case 'sum': {
        const f = this.form(e.left, challenge);
        addInto(f, this.form(e.right, challenge), 1n);
        return f;
      }
      case 'product': {
        const l = this.form(e.left, challenge);
        const r = this.form(e.right, challenge);
        if (l.terms.size === 0) return scaled(r, l.c0);
        if (r.terms.size === 0) return scaled(l, r.c0);
        const [ca, a] = this.atom(l);
        const [cb, b] = this.atom(r);
        const node = this.mulNode(a, b);
        return { terms: new Map([[node.id, { node, coeff: Fr.mul(ca, cb) }]]), c0: 0n };
      }
    }
  }

  private mulNode(a: PlanNode, b: PlanNode): PlanNode {
    const [x, y] = a.id <= b.id ? [a, b] : [b, a];
    return this.intern(`m${x.id},${y.id}`, (id) => ({ id, op: 'mul', a: x, b: y }));
  }

  /** A form with at least one term as c·node. */
  private atom(f: Form): [bigint, PlanNode] {
    if (f.c0 === 0n && f.terms.size === 1) {
      const [t] = f.terms.values();
      return [t!.coeff, t!.node];
    }
    return [1n, this.linNode(f)];
  }

  private linNode(f: Form): PlanNode {
    const terms = [...f.terms.values()].sort((s, t) => s.node.id - t.node.id);
    const key = `l${terms.map((t) => `${t.coeff}*${t.node.id}`).join('+')}+${f.c0}`;
    return this.intern(key, (id) => ({ id, op: 'lin', terms, c0: f.c0 }));
  }

  /** Group the sum's product terms by a shared query factor (the most frequent one first). */
  private factor(total: Form): { terms: PlanTerm[]; c0: bigint } {
    const factorsOf = (n: PlanNode): PlanNode[] => (n.op === 'mul' ? [...new Set([n.a, n.b])].filter((x) => x.op === 'query') : []);
    const freq = new Map<number, number>();
    for (const t of total.terms.values()) for (const q of factorsOf(t.node)) freq.set(q.id, (freq.get(q.id) ?? 0) + 1);
    // in order of first appearance: plain terms, and groups q·(Σ w_t·e_t)
    const slots: ({ term: PlanTerm } | { q: PlanNode; rest: Form })[] = [];
    const groups = new Map<number, { q: PlanNode; rest: Form }>();
    for (const t of total.terms.values()) {
      let best: PlanNode | undefined;
      for (const q of factorsOf(t.node)) if (freq.get(q.id)! >= 2 && (!best || freq.get(q.id)! > freq.get(best.id)!)) best = q;
      if (!best || t.node.op !== 'mul') {
        slots.push({ term: t });
        continue;
      }
      const other = t.node.a === best ? t.node.b : t.node.a;
      let g = groups.get(best.id);
      if (!g) {
        g = { q: best, rest: { terms: new Map(), c0: 0n } };
        groups.set(best.id, g);
        slots.push(g);
      }
      addInto(g.rest, { terms: new Map([[other.id, { node: other, coeff: 1n }]]), c0: 0n }, t.coeff);
    }
    const terms: PlanTerm[] = [];
    for (const slot of slots) {
      if ('term' in slot) terms.push(slot.term);
      else if (slot.rest.terms.size > 0) {
        const [c, rest] = this.atom(slot.rest);
        terms.push({ node: this.mulNode(slot.q, rest), coeff: c });
      }
    }
    return { terms, c0: total.c0 };
  }

  /**
   * Σ w_i·e_i over the context's vectors (a new vector of ctx.size); `between`
   * runs between terms of the sum, when no query vector is in use (cache eviction).
   */
  evaluate(ctx: PlanContext, between?: () => void): FieldVec {
    const { F, size } = ctx;
    // a shared value: uses not yet fetched, and holders that fetched it and still read it
    const cache = new Map<number, Shared>();
    let scratch: FieldVec | undefined;
    const fresh = () => F.allocUninit(size);
    /** Done reading v (its vector may live on as `keep`, the holder's output). */
    const release = (v: Val, keep?: FieldVec) => {
      if (v.owned) {
        if (v.vec !== keep) v.vec.free();
        return;
      }
      const s = v.shared;
      if (s && --s.holders === 0 && s.left === 0) {
        cache.delete(s.id);
        s.vec.free();
      }
    };
    const get = (n: PlanNode): Val => {
      if (n.op === 'query') return { vec: ctx.query(n.kind, n.column, n.rotation), owned: false };
      const hit = cache.get(n.id);
      if (hit) {
        // the last use, nobody else reading it: the holder may overwrite it
        if (--hit.left === 0 && hit.holders === 0) {
          cache.delete(n.id);
          return { vec: hit.vec, owned: true };
        }
        hit.holders++;
        return { vec: hit.vec, owned: false, shared: hit };
      }
      const vec = n.op === 'mul' ? mul(n.a, n.b) : lin(n.terms, n.c0);
      const uses = this.uses.get(n.id) ?? 1;
      if (uses <= 1) return { vec, owned: true };
      const shared: Shared = { id: n.id, vec, left: uses - 1, holders: 1 };
      cache.set(n.id, shared);
      return { vec, owned: false, shared };
    };
    const mul = (a: PlanNode, b: PlanNode): FieldVec => {
      const va = get(a);
      const vb = get(b);
      const out = va.owned ? va.vec : vb.owned ? vb.vec : fresh();
      if (va.vec === vb.vec) F.square(out, va.vec);
      else F.mul(out, va.vec, vb.vec);
      release(va, out);
      release(vb, out);
      return out;
    };
    const lin = (terms: readonly PlanTerm[], c0: bigint, step?: () => void): FieldVec => {
      // the partial sum: either a value read as is (a first term of coefficient 1) or an owned vector
      let cur: Val | undefined;
      for (const t of terms) {
        const v = get(t.node);
        let out: FieldVec;
        if (!cur) {
          if (t.coeff === 1n) {
            cur = v;
            out = v.vec;
          } else {
            out = v.owned ? v.vec : fresh();
            if (t.coeff === MINUS_ONE) F.neg(out, v.vec);
            else F.scale(out, v.vec, t.coeff);
            release(v, out);
          }
        } else {
          if (t.coeff === 1n || t.coeff === MINUS_ONE) {
            out = cur.owned ? cur.vec : v.owned ? v.vec : fresh();
            if (t.coeff === 1n) F.add(out, cur.vec, v.vec);
            else F.sub(out, cur.vec, v.vec);
          } else if (v.owned) {
            F.scale(v.vec, v.vec, t.coeff);
            out = cur.owned ? cur.vec : v.vec;
            F.add(out, cur.vec, v.vec);
          } else if (cur.owned) {
            scratch ??= fresh();
            F.scale(scratch, v.vec, t.coeff);
            out = cur.vec;
            F.add(out, out, scratch);
          } else {
            out = fresh();
            F.scale(out, v.vec, t.coeff);
            F.add(out, out, cur.vec);
          }
          release(cur, out);
          release(v, out);
        }
        if (!cur || cur.vec !== out) cur = { vec: out, owned: true };
        if (step) {
          // nothing the caller may evict stays in use across a step
          if (!cur.owned) {
            const copy = cur.vec.clone();
            release(cur);
            cur = { vec: copy, owned: true };
          }
          step();
        }
      }
      if (!cur) {
        const out = F.alloc(size);
        if (c0 !== 0n) F.addScalar(out, out, c0);
        return out;
      }
      if (c0 !== 0n) {
        const out = cur.owned ? cur.vec : fresh();
        F.addScalar(out, cur.vec, c0);
        release(cur, out);
        return out;
      }
      if (cur.owned) return cur.vec;
      const copy = cur.vec.clone();
      release(cur);
      return copy;
    };
    try {
      return lin(this.top.terms, this.top.c0, between);
    } finally {
      scratch?.free();
      for (const { vec } of cache.values()) vec.free();
    }
  }
}

/** f ← f + w·g (g unchanged). */
function addInto(f: Form, g: Form, w: bigint): void {
  if (w === 0n) return;
  f.c0 = Fr.add(f.c0, Fr.mul(w, g.c0));
  for (const [id, t] of g.terms) {
    const c = Fr.add(f.terms.get(id)?.coeff ?? 0n, Fr.mul(w, t.coeff));
    if (c === 0n) f.terms.delete(id);
    else f.terms.set(id, { node: t.node, coeff: c });
  }
}

/** c·f (a new form). */
function scaled(f: Form, c: bigint): Form {
  const out: Form = { terms: new Map(), c0: 0n };
  addInto(out, f, c);
  return out;
}
