/**
 * Polynomials in three forms, as distinct types that cannot be mixed (halo2's
 * `Polynomial<F, Coeff | LagrangeCoeff | ExtendedLagrangeCoeff>`):
 *
 *   Coeffs          c_0 … c_{m−1}: p(X) = Σ c_i X^i (any length 1 … N)
 *   LagrangeValues  p(ω^i) for the n points of H
 *   ExtendedValues  p(g·ω_E^i) for the N points of the extended coset
 *
 * Each wraps a packed `FieldVec` and its `Domain`; the `basis` tag makes the
 * three structurally different, so `coeffs.add(lagrange)` does not compile,
 * and the methods also check forms and domains at run time for JS callers.
 *
 * Conversions: Lagrange ⇄ Coeffs by the (inverse) NTT on H; Coeffs ⇄ Extended
 * by the coset NTT of size N (zero-padding the coefficients). Every method
 * returns a new polynomial in fresh wasm memory: call `free()` when done.
 */
import { Fr, ShapeError, type FieldVec } from '../field/index.js';
import { Domain, fillPattern } from './domain.js';
import { log2Size } from './ntt.js';

type Basis = 'coeffs' | 'lagrange' | 'extended';

abstract class Polynomial {
  abstract readonly basis: Basis;

  constructor(
    readonly domain: Domain,
    /** The packed entries; owned by this polynomial. */
    readonly values: FieldVec,
  ) {
    if (values.field.runtime !== domain.F.runtime) throw new ShapeError('Polynomial: expected values in the domain’s runtime');
  }

  get length(): number {
    return this.values.length;
  }
  toBigints(): bigint[] {
    return this.values.toBigints();
  }
  free(): void {
    this.values.free();
  }
  clone(): this {
    return this.make(this.values.clone());
  }
  /** p·c for a scalar c. */
  scale(c: bigint): this {
    const out = this.values.clone();
    this.domain.F.scale(out, out, c);
    return this.make(out);
  }
  /** −p. */
  neg(): this {
    const out = this.values.clone();
    this.domain.F.neg(out, out);
    return this.make(out);
  }

  protected abstract make(values: FieldVec): this;

  protected checkPeer(op: string, other: Polynomial): void {
    if (other.basis !== this.basis) throw new ShapeError(`${this.basis}.${op}: expected a ${this.basis} polynomial, got ${other.basis}`);
    if (other.domain.F.runtime !== this.domain.F.runtime || other.domain.k !== this.domain.k || other.domain.extendedK !== this.domain.extendedK) {
      throw new ShapeError(`${this.basis}.${op}: expected the same domain (k = ${this.domain.k}), got k = ${other.domain.k}`);
    }
  }

  /** Element-wise a ∘ b on equal lengths (the evaluation forms). */
  protected pointwise(op: 'add' | 'sub' | 'mul', other: Polynomial): FieldVec {
    this.checkPeer(op, other);
    const out = this.domain.F.alloc(this.length);
    this.domain.F[op](out, this.values, other.values);
    return out;
  }
}

/** Rotation r of an evaluation vector with `stride` entries per row of H: out_i = v_{(i + r·stride) mod len}. */
function rotated(F: Domain['F'], v: FieldVec, r: number, stride: number): FieldVec {
  const len = v.length;
  const shift = (((r * stride) % len) + len) % len;
  const out = F.alloc(len);
  out.slice(0, len - shift).copyFrom(v.slice(shift, len - shift));
  if (shift > 0) out.slice(len - shift, shift).copyFrom(v.slice(0, shift));
  return out;
}

export class Coeffs extends Polynomial {
  readonly basis = 'coeffs' as const;

  constructor(domain: Domain, values: FieldVec) {
    super(domain, values);
    if (values.length < 1 || values.length > domain.extendedN) {
      throw new ShapeError(`Coeffs: expected 1 … ${domain.extendedN} coefficients, got ${values.length}`);
    }
  }
  static fromBigints(domain: Domain, coeffs: readonly bigint[]): Coeffs {
    return new Coeffs(domain, domain.F.fromBigints(coeffs.length ? coeffs : [0n]));
  }
  protected make(values: FieldVec): this {
    return new Coeffs(this.domain, values) as this;
  }

  add(other: Coeffs): Coeffs {
    return this.combine('add', other);
  }
  sub(other: Coeffs): Coeffs {
    return this.combine('sub', other);
  }

  /**
   * The product polynomial: schoolbook when one factor is short, otherwise by
   * the convolution theorem, a·b = NTT⁻¹(NTT(a) ∘ NTT(b)) on the smallest
   * power of two ≥ deg a + deg b + 1.
   */
  mul(other: Coeffs): Coeffs {
    this.checkPeer('mul', other);
    const F = this.domain.F;
    const len = this.length + other.length - 1;
    if (len > this.domain.extendedN) throw new ShapeError(`coeffs.mul: the product has ${len} coefficients, more than N = ${this.domain.extendedN}`);
    const out = F.alloc(len);
    if (Math.min(this.length, other.length) <= 16) {
      const [long, short] = this.length >= other.length ? [this, other] : [other, this];
      const sc = short.toBigints();
      for (let j = 0; j < sc.length; j++) if (sc[j] !== 0n) F.axpy(out.slice(j, long.length), sc[j]!, long.values);
      return new Coeffs(this.domain, out);
    }
    let size = 1;
    while (size < len) size *= 2;
    log2Size(size, 'coeffs.mul');
    const a = F.alloc(size);
    const b = F.alloc(size);
    try {
      a.slice(0, this.length).copyFrom(this.values);
      b.slice(0, other.length).copyFrom(other.values);
      const ntt = this.domain.ntt;
      ntt.forward(a);
      ntt.forward(b);
      F.mul(a, a, b);
      ntt.inverse(a);
      out.copyFrom(a.slice(0, len));
      return new Coeffs(this.domain, out);
    } finally {
      a.free();
      b.free();
    }
  }

  /** p(x), by Horner's rule in wasm. */
  evaluate(x: bigint): bigint {
    return this.domain.ntt.evaluate(this.values, x);
  }

  /**
   * Synthetic division by (X − a): p(X) = q(X)·(X − a) + p(a). The quotient is
   * the KZG opening polynomial (p(X) − p(a))/(X − a). A constant p gives q = 0.
   */
  divideByLinear(a: bigint): { quotient: Coeffs; remainder: bigint } {
    const F = this.domain.F;
    const q = F.alloc(Math.max(this.length - 1, 1));
    const remainder = this.domain.ntt.divideByLinear(this.length > 1 ? q : q.slice(0, 0), this.values, a);
    return { quotient: new Coeffs(this.domain, q), remainder };
  }

  /**
   * Pieces of `size` coefficients (the last one zero-padded): p = Σ_k p_k·X^(k·size).
   * The prover splits the quotient h (degree < N) into n-coefficient pieces this way.
   */
  split(size: number): Coeffs[] {
    if (!Number.isInteger(size) || size < 1) throw new ShapeError(`coeffs.split: expected a piece size ≥ 1, got ${size}`);
    const pieces: Coeffs[] = [];
    for (let start = 0; start < this.length; start += size) {
      const v = this.domain.F.alloc(size);
      const len = Math.min(size, this.length - start);
      v.slice(0, len).copyFrom(this.values.slice(start, len));
      pieces.push(new Coeffs(this.domain, v));
    }
    return pieces;
  }

  /** Values on H (requires at most n coefficients). */
  toLagrange(): LagrangeValues {
    const d = this.domain;
    if (this.length > d.n) throw new ShapeError(`coeffs.toLagrange: expected at most n = ${d.n} coefficients, got ${this.length}`);
    const v = this.padded(d.n);
    d.ntt.forward(v);
    return new LagrangeValues(d, v);
  }

  /** Values on the extended coset g·⟨ω_E⟩ (coset NTT of size N). */
  toExtended(): ExtendedValues {
    const d = this.domain;
    const v = this.padded(d.extendedN);
    d.ntt.cosetForward(v, d.cosetGenerator);
    return new ExtendedValues(d, v);
  }

  /** A copy zero-padded (or equal) to `size` entries. */
  private padded(size: number): FieldVec {
    const v = this.domain.F.alloc(size);
    v.slice(0, this.length).copyFrom(this.values);
    return v;
  }

  private combine(op: 'add' | 'sub', other: Coeffs): Coeffs {
    this.checkPeer(op, other);
    const F = this.domain.F;
    const len = Math.max(this.length, other.length);
    const out = this.padded(len);
    const head = out.slice(0, other.length);
    F[op](head, head, other.values);
    return new Coeffs(this.domain, out);
  }
}

export class LagrangeValues extends Polynomial {
  readonly basis = 'lagrange' as const;

  constructor(domain: Domain, values: FieldVec) {
    super(domain, values);
    if (values.length !== domain.n) throw new ShapeError(`LagrangeValues: expected n = ${domain.n} values, got ${values.length}`);
  }
  /** From values on H; a shorter list is padded with zeros (unused rows). */
  static fromBigints(domain: Domain, values: readonly bigint[]): LagrangeValues {
    if (values.length > domain.n) throw new ShapeError(`LagrangeValues.fromBigints: expected at most ${domain.n} values, got ${values.length}`);
    const v = domain.F.alloc(domain.n);
    domain.F.writeBigints(v, values);
    return new LagrangeValues(domain, v);
  }
  protected make(values: FieldVec): this {
    return new LagrangeValues(this.domain, values) as this;
  }

  add(other: LagrangeValues): LagrangeValues {
    return new LagrangeValues(this.domain, this.pointwise('add', other));
  }
  sub(other: LagrangeValues): LagrangeValues {
    return new LagrangeValues(this.domain, this.pointwise('sub', other));
  }
  /** Pointwise product: the values of a·b on H (a·b itself only when deg a + deg b < n). */
  mul(other: LagrangeValues): LagrangeValues {
    return new LagrangeValues(this.domain, this.pointwise('mul', other));
  }

  /** p(x) by the barycentric formula (p(ω^j) directly when x = ω^j). */
  evaluate(x: bigint): bigint {
    return this.domain.barycentric(this.values, x);
  }

  /** The coefficients of the unique polynomial of degree < n through these values (inverse NTT). */
  interpolate(): Coeffs {
    const v = this.values.clone();
    this.domain.ntt.inverse(v);
    return new Coeffs(this.domain, v);
  }

  /** Values on the extended coset (interpolate, then coset NTT). */
  toExtended(): ExtendedValues {
    const c = this.interpolate();
    try {
      return c.toExtended();
    } finally {
      c.free();
    }
  }

  /** The column read at rotation r: out_i = p(ω^(i + r)). */
  rotate(r: number): LagrangeValues {
    return new LagrangeValues(this.domain, rotated(this.domain.F, this.values, r, 1));
  }
}

export class ExtendedValues extends Polynomial {
  readonly basis = 'extended' as const;

  constructor(domain: Domain, values: FieldVec) {
    super(domain, values);
    if (values.length !== domain.extendedN) throw new ShapeError(`ExtendedValues: expected N = ${domain.extendedN} values, got ${values.length}`);
  }
  static fromBigints(domain: Domain, values: readonly bigint[]): ExtendedValues {
    if (values.length !== domain.extendedN) throw new ShapeError(`ExtendedValues.fromBigints: expected ${domain.extendedN} values, got ${values.length}`);
    return new ExtendedValues(domain, domain.F.fromBigints(values));
  }
  /** The constant c on every point. */
  static constant(domain: Domain, c: bigint): ExtendedValues {
    const v = domain.F.alloc(domain.extendedN);
    fillPattern(v, [Fr.create(c)]);
    return new ExtendedValues(domain, v);
  }
  protected make(values: FieldVec): this {
    return new ExtendedValues(this.domain, values) as this;
  }

  add(other: ExtendedValues): ExtendedValues {
    return new ExtendedValues(this.domain, this.pointwise('add', other));
  }
  sub(other: ExtendedValues): ExtendedValues {
    return new ExtendedValues(this.domain, this.pointwise('sub', other));
  }
  mul(other: ExtendedValues): ExtendedValues {
    return new ExtendedValues(this.domain, this.pointwise('mul', other));
  }

  /** Coefficients (N of them) by the inverse coset NTT. */
  toCoeffs(): Coeffs {
    const v = this.values.clone();
    this.domain.ntt.cosetInverse(v, this.domain.cosetGenerator);
    return new Coeffs(this.domain, v);
  }

  /** h = p / Z_H pointwise: Z_H repeats with period 2^e on the coset (see domain.ts). */
  divideByVanishing(): ExtendedValues {
    const d = this.domain;
    const out = d.F.alloc(d.extendedN);
    fillPattern(out, d.vanishingInverseOnExtendedCoset());
    d.F.mul(out, out, this.values);
    return new ExtendedValues(d, out);
  }

  /** The column read at rotation r: ω^r·(g·ω_E^i) = g·ω_E^(i + r·2^e). */
  rotate(r: number): ExtendedValues {
    return new ExtendedValues(this.domain, rotated(this.domain.F, this.values, r, 2 ** this.domain.extendedBits));
  }
}

export type AnyPolynomial = Coeffs | LagrangeValues | ExtendedValues;
