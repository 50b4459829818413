/**
 * Evaluate constraint expressions over whole vectors of evaluations (the
 * prover's quotient step): each AST node becomes one packed-vector kernel
 * call over the extended coset, instead of a bigint walk per point.
 *
 * Values are either scalars (constants, challenges, folded sub-trees) or
 * vectors; scalar ⊕ vector uses `scale` or an axpy against a cached ones
 * vector, so constant-only sub-trees cost nothing per point. Temporaries are
 * freed as soon as their parent has consumed them.
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
  private ones: FieldVec | undefined;

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
      this.ctx.F.scale(out, this.onesVec(), v.scalar);
      return out;
    }
    return v.owned ? v.vec : v.vec.clone();
  }

  release(v: VecValue): void {
    if ('vec' in v && v.owned) v.vec.free();
  }

  free(): void {
    this.ones?.free();
    this.ones = undefined;
  }

  onesVec(): FieldVec {
    if (!this.ones) {
      this.ones = this.ctx.F.alloc(this.ctx.size);
      this.ctx.F.powers(this.ones, 1n, 1n);
    }
    return this.ones;
  }

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
    let out: FieldVec;
    if (v.owned) out = v.vec;
    else {
      out = this.ctx.F.allocUninit(this.ctx.size);
      out.copyFrom(v.vec);
    }
    this.ctx.F.axpy(out, c, this.onesVec());
    return { vec: out, owned: true };
  }
}
