/**
 * Evaluation domains: H = ⟨ω⟩ of size n = 2^k, and the extended coset
 * g·⟨ω_E⟩ of size N = 2^(k+e) on which the quotient is computed (halo2's
 * `EvaluationDomain`). g = Fr.generator = 5, a multiplicative generator, so
 * the coset never meets H and Z_H(X) = X^n − 1 never vanishes on it.
 *
 * Facts used below:
 *   - Z_H(X) = X^n − 1 = Π_{i<n} (X − ω^i).
 *   - Lagrange basis: L_i(X) = ω^i·(X^n − 1) / (n·(X − ω^i)); L_i(ω^j) = δ_ij.
 *   - Barycentric form: for x ∉ H, p(x) = (x^n − 1)/n · Σ_i p(ω^i)·ω^i/(x − ω^i).
 *   - On the extended coset, (g·ω_E^i)^n = g^n·ω_{2^e}^(i mod 2^e): Z_H takes only
 *     2^e distinct values there (ω_E^n has order 2^e), never zero because
 *     g^n is not a 2^e-th root of unity (g has order p − 1 > n·2^e).
 *   - Rotation r moves a point x to ω^r·x (r may be negative).
 */
import { ELEMENT_BYTES, Fr, ShapeError, packedFr, type FieldVec, type PackedField } from '../field/index.js';
import { MAX_LOG_SIZE, Ntt } from './ntt.js';

export interface DomainOptions {
  /** log2 of the extension factor N/n for the quotient (default 0). */
  readonly extendedBits?: number;
  /** Packed Fr to allocate in (default: the process-wide runtime). */
  readonly packed?: PackedField;
}

export class Domain {
  /** log2 of the domain size. */
  readonly k: number;
  /** n = 2^k. */
  readonly n: number;
  /** ω, a primitive n-th root of unity. */
  readonly omega: bigint;
  readonly omegaInv: bigint;
  /** n⁻¹. */
  readonly nInv: bigint;
  /** g = 5: the extended domain is the coset g·⟨ω_E⟩. */
  readonly cosetGenerator: bigint;
  readonly cosetGeneratorInv: bigint;
  /** e: the extended domain has N = 2^(k+e) points. */
  readonly extendedBits: number;
  readonly extendedK: number;
  readonly extendedN: number;
  /** ω_E, a primitive N-th root of unity (ω_E^(2^e) = ω). */
  readonly extendedOmega: bigint;
  readonly extendedOmegaInv: bigint;
  readonly F: PackedField;
  readonly ntt: Ntt;
  private elementsCache: FieldVec | null = null;

  constructor(k: number, options: DomainOptions = {}) {
    const e = options.extendedBits ?? 0;
    if (!Number.isInteger(k) || k < 0 || k > MAX_LOG_SIZE) throw new RangeError(`Domain: expected 0 ≤ k ≤ ${MAX_LOG_SIZE}, got ${k}`);
    if (!Number.isInteger(e) || e < 0 || k + e > MAX_LOG_SIZE) {
      throw new RangeError(`Domain: expected an extension 0 ≤ e ≤ ${MAX_LOG_SIZE - k} for k = ${k}, got ${e}`);
    }
    this.k = k;
    this.n = 2 ** k;
    this.omega = Fr.rootOfUnityOfOrder(k);
    this.omegaInv = Fr.inv(this.omega);
    this.nInv = Fr.inv(BigInt(this.n));
    this.cosetGenerator = Fr.generator;
    this.cosetGeneratorInv = Fr.inv(Fr.generator);
    this.extendedBits = e;
    this.extendedK = k + e;
    this.extendedN = 2 ** (k + e);
    this.extendedOmega = Fr.rootOfUnityOfOrder(k + e);
    this.extendedOmegaInv = Fr.inv(this.extendedOmega);
    this.F = options.packed ?? packedFr();
    this.ntt = Ntt.for(this.F);
  }

  /**
   * The domain for constraints of degree `maxDegree` (halo2's rule): the
   * quotient has degree (maxDegree − 1)·n, so N = 2^(k+e) ≥ (maxDegree − 1)·n.
   */
  static forConstraintDegree(k: number, maxDegree: number, packed?: PackedField): Domain {
    if (!Number.isInteger(maxDegree) || maxDegree < 1) throw new RangeError(`Domain.forConstraintDegree: expected a degree ≥ 1, got ${maxDegree}`);
    const quotientDegree = Math.max(maxDegree - 1, 1);
    return new Domain(k, { extendedBits: Math.ceil(Math.log2(quotientDegree)), packed });
  }

  /** ω^r for any integer r (negative r gives ω^(r mod n)). */
  rotationOmega(r: number): bigint {
    if (!Number.isInteger(r)) throw new RangeError(`Domain.rotationOmega: expected an integer rotation, got ${r}`);
    return Fr.pow(this.omega, BigInt(mod(r, this.n)));
  }

  /** ω^r·x: the point that rotation r reads when the row is at x. */
  rotate(x: bigint, r: number): bigint {
    return Fr.mul(Fr.create(x), this.rotationOmega(r));
  }

  /** ω^i, the i-th point of H. */
  element(i: number): bigint {
    return this.rotationOmega(i);
  }

  /** g·ω_E^i, the i-th point of the extended coset. */
  extendedCosetPoint(i: number): bigint {
    return Fr.mul(this.cosetGenerator, Fr.pow(this.extendedOmega, BigInt(mod(i, this.extendedN))));
  }

  /** The points of H as a packed vector (ω^0 … ω^(n−1)), cached. */
  elements(): FieldVec {
    if (!this.elementsCache) {
      const v = this.F.alloc(this.n);
      this.F.powers(v, 1n, this.omega);
      this.F.reduce(v, v);
      this.elementsCache = v;
    }
    return this.elementsCache;
  }

  /** Z_H(x) = x^n − 1. */
  vanishingAt(x: bigint): bigint {
    return Fr.sub(Fr.pow(Fr.create(x), BigInt(this.n)), 1n);
  }

  /** Z_H on the extended coset: entry j is Z_H(g·ω_E^i) for every i ≡ j (mod 2^e). */
  vanishingOnExtendedCoset(): bigint[] {
    const gn = Fr.pow(this.cosetGenerator, BigInt(this.n));
    const zeta = Fr.rootOfUnityOfOrder(this.extendedBits); // ω_E^n
    const out: bigint[] = [];
    let z = gn;
    for (let j = 0; j < 2 ** this.extendedBits; j++) {
      out.push(Fr.sub(z, 1n));
      z = Fr.mul(z, zeta);
    }
    return out;
  }

  /** 1/Z_H on the extended coset, in the layout of `vanishingOnExtendedCoset`. */
  vanishingInverseOnExtendedCoset(): bigint[] {
    return Fr.batchInv(this.vanishingOnExtendedCoset());
  }

  /** The i with ω^i = x, or −1 when x ∉ H (Pohlig–Hellman in the 2-group: one bit per step). */
  indexOf(x: bigint): number {
    const y0 = Fr.create(x);
    if (y0 === 0n || Fr.pow(y0, BigInt(this.n)) !== 1n) return -1;
    let j = 0;
    let y = y0; // y = x·ω^(−j), of order dividing 2^(k−b) at step b
    let step = this.omegaInv; // ω^(−2^b)
    for (let b = 0; b < this.k; b++) {
      let t = y;
      for (let s = 0; s < this.k - 1 - b; s++) t = Fr.square(t);
      if (t !== 1n) {
        j += 2 ** b;
        y = Fr.mul(y, step);
      }
      step = Fr.square(step);
    }
    return j;
  }

  /** L_i(x) for a row i (negative i counts from the end: L_{−1} is the last row). */
  lagrangeAt(i: number, x: bigint): bigint {
    return this.lagrangeEvals(x, [i])[0]!;
  }

  /**
   * L_{r mod n}(x) for each rotation r, with one inversion (halo2's `l_i_range`);
   * the verifier's l_0, l_last and blinding-row terms.
   */
  lagrangeEvals(x: bigint, rows: readonly number[]): bigint[] {
    const xc = Fr.create(x);
    const at = this.indexOf(xc);
    if (at >= 0) return rows.map((r) => (mod(r, this.n) === at ? 1n : 0n));
    const common = Fr.mul(this.vanishingAt(xc), this.nInv);
    const wi = rows.map((r) => this.rotationOmega(r));
    const inv = Fr.batchInv(wi.map((w) => Fr.sub(xc, w)));
    return wi.map((w, j) => Fr.mul(Fr.mul(w, inv[j]!), common));
  }

  /**
   * Σ_i values_i·L_i(x): the polynomial whose values on the first m points of
   * H are `values` (zero on the rest) at x, in bigints with one inversion —
   * O(m), for short columns such as a verifier's instances.
   */
  barycentricPrefix(values: readonly bigint[], x: bigint): bigint {
    if (values.length > this.n) throw new ShapeError(`Domain.barycentricPrefix: expected at most ${this.n} values, got ${values.length}`);
    if (values.length === 0) return 0n;
    const xc = Fr.create(x);
    const at = this.indexOf(xc);
    if (at >= 0) return at < values.length ? Fr.create(values[at]!) : 0n;
    const wi: bigint[] = [];
    let w = 1n;
    for (let i = 0; i < values.length; i++, w = Fr.mul(w, this.omega)) wi.push(w);
    const inv = Fr.batchInv(wi.map((p) => Fr.sub(xc, p)));
    let acc = 0n;
    values.forEach((v, i) => {
      if (v !== 0n) acc = Fr.add(acc, Fr.mul(v, Fr.mul(wi[i]!, inv[i]!)));
    });
    return Fr.mul(acc, Fr.mul(this.vanishingAt(xc), this.nInv));
  }

  /** All n values L_i(x) as a packed vector (caller frees). */
  lagrangeBasisAt(x: bigint): FieldVec {
    const xc = Fr.create(x);
    const out = this.F.alloc(this.n);
    const at = this.indexOf(xc);
    if (at >= 0) {
      out.set(at, 1n);
      return out;
    }
    this.weightsInto(out, xc);
    this.F.scale(out, out, Fr.mul(this.vanishingAt(xc), this.nInv));
    return out;
  }

  /**
   * Evaluate the polynomial whose values on H are `values` (length n) at x, by
   * the barycentric formula: O(n) packed work and one batch inversion.
   */
  barycentric(values: FieldVec, x: bigint): bigint {
    if (values.length !== this.n) throw new ShapeError(`Domain.barycentric: expected ${this.n} values, got ${values.length}`);
    const xc = Fr.create(x);
    const at = this.indexOf(xc);
    if (at >= 0) return values.get(at);
    const w = this.F.alloc(this.n);
    try {
      this.weightsInto(w, xc);
      return Fr.mul(this.F.inner(values, w), Fr.mul(this.vanishingAt(xc), this.nInv));
    } finally {
      w.free();
    }
  }

  /** Free cached vectors (rebuilt on demand). */
  dispose(): void {
    this.elementsCache?.free();
    this.elementsCache = null;
  }

  /** out_i = ω^i / (x − ω^i) for x ∉ H. */
  private weightsInto(out: FieldVec, x: bigint): void {
    const el = this.elements();
    fillPattern(out, [x]);
    this.F.sub(out, out, el);
    this.F.batchInv(out, out);
    this.F.mul(out, out, el);
  }
}

/**
 * v_i = pattern[i mod pattern.length], written by doubling copies (a few
 * memmoves instead of one call per element).
 */
export function fillPattern(v: FieldVec, pattern: readonly bigint[]): void {
  const len = Math.min(pattern.length, v.length);
  for (let i = 0; i < len; i++) v.set(i, pattern[i]!);
  const u8 = new Uint8Array(v.field.runtime.buffer);
  const bytes = v.byteLength;
  let filled = len * ELEMENT_BYTES;
  while (filled > 0 && filled < bytes) {
    const chunk = Math.min(filled, bytes - filled);
    u8.copyWithin(v.ptr + filled, v.ptr, v.ptr + chunk);
    filled += chunk;
  }
}

function mod(a: number, n: number): number {
  const r = a % n;
  return r < 0 ? r + n : r;
}
