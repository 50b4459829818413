/**
 * The scalar face of a prime field: canonical `bigint` values in [0, p).
 *
 * This is the reference semantics of every packed kernel (`FieldVec` is tested
 * bit for bit against it), the API circuit authors use, and the portable
 * fallback where WebAssembly is unavailable. It is deliberately simple: a
 * value is a bigint, operations reduce eagerly.
 */
import { NonCanonicalError, ZeroInversionError } from './errors.js';

export class PrimeField {
  /** The modulus p. */
  readonly p: bigint;
  /** Bit length of p. */
  readonly bits: number;
  /** Bytes of the canonical encoding: ceil(bits / 8). */
  readonly bytes: number;
  /** Largest s with 2^s | p − 1 (the two-adicity). */
  readonly twoAdicity: number;
  /** Odd part t of p − 1 = 2^s · t. */
  readonly oddPart: bigint;
  /** Smallest multiplicative generator g of F_p^*. */
  readonly generator: bigint;
  /** A primitive 2^s-th root of unity: g^t. */
  readonly rootOfUnity: bigint;
  readonly ZERO = 0n;
  readonly ONE = 1n;
  /** A short label for error messages ("Fr", "Fq", …). */
  readonly name: string;

  /**
   * @param factors the distinct primes dividing p − 1, when known (checked:
   *   each is a probable prime and together they exhaust p − 1); otherwise
   *   they are found by trial division and Pollard–Brent, which is slow for
   *   254-bit moduli with large factors.
   */
  constructor(p: bigint, name = 'F', factors?: readonly bigint[]) {
    if (p < 3n || (p & 1n) === 0n || !isProbablePrime(p)) throw new RangeError(`PrimeField: expected an odd prime > 2, got ${p}`);
    this.p = p;
    this.name = name;
    this.bits = p.toString(2).length;
    this.bytes = Math.ceil(this.bits / 8);
    let t = p - 1n;
    let s = 0;
    while ((t & 1n) === 0n) {
      t >>= 1n;
      s++;
    }
    this.twoAdicity = s;
    this.oddPart = t;
    this.generator = this.findGenerator(factors ? checkedFactors(p - 1n, factors) : primeFactors(p - 1n));
    this.rootOfUnity = this.pow(this.generator, t);
  }

  /** Reduce any integer (negative too) into [0, p). */
  create(a: bigint): bigint {
    const r = a % this.p;
    return r < 0n ? r + this.p : r;
  }
  isValid(a: bigint): boolean {
    return typeof a === 'bigint' && a >= 0n && a < this.p;
  }
  add(a: bigint, b: bigint): bigint {
    const s = a + b;
    return s >= this.p ? s - this.p : s;
  }
  sub(a: bigint, b: bigint): bigint {
    const d = a - b;
    return d < 0n ? d + this.p : d;
  }
  neg(a: bigint): bigint {
    return a === 0n ? 0n : this.p - a;
  }
  mul(a: bigint, b: bigint): bigint {
    return (a * b) % this.p;
  }
  square(a: bigint): bigint {
    return (a * a) % this.p;
  }
  /** a^e for e ≥ 0 (square-and-multiply). */
  pow(a: bigint, e: bigint): bigint {
    if (e < 0n) return this.pow(this.inv(a), -e);
    let result = 1n;
    let base = this.create(a);
    while (e > 0n) {
      if (e & 1n) result = (result * base) % this.p;
      base = (base * base) % this.p;
      e >>= 1n;
    }
    return result;
  }
  /** Multiplicative inverse by the extended Euclidean algorithm; throws on zero. */
  inv(a: bigint): bigint {
    let x = this.create(a);
    if (x === 0n) throw new ZeroInversionError(`${this.name}.inv: expected a non-zero element, got 0`);
    let y = this.p;
    let u = 1n;
    let v = 0n;
    while (x !== 0n) {
      const q = y / x;
      [y, x] = [x, y - q * x];
      [v, u] = [u, v - q * u];
    }
    return this.create(v);
  }
  div(a: bigint, b: bigint): bigint {
    return this.mul(a, this.inv(b));
  }
  /**
   * Invert every element with one inversion (Montgomery's trick).
   * Zeros throw, naming the first offending index.
   */
  batchInv(values: readonly bigint[]): bigint[] {
    const n = values.length;
    const prefix = new Array<bigint>(n);
    let acc = 1n;
    for (let i = 0; i < n; i++) {
      if (this.create(values[i]!) === 0n) throw new ZeroInversionError(`${this.name}.batchInv: expected non-zero elements, got 0 at index ${i}`);
      prefix[i] = acc;
      acc = (acc * values[i]!) % this.p;
    }
    let inv = this.inv(acc);
    const out = new Array<bigint>(n);
    for (let i = n - 1; i >= 0; i--) {
      out[i] = (inv * prefix[i]!) % this.p;
      inv = (inv * values[i]!) % this.p;
    }
    return out;
  }
  /** Legendre symbol: 1 for a non-zero square, −1 for a non-square, 0 for zero. */
  legendre(a: bigint): -1 | 0 | 1 {
    const x = this.create(a);
    if (x === 0n) return 0;
    return this.pow(x, (this.p - 1n) >> 1n) === 1n ? 1 : -1;
  }
  /** A square root (Tonelli–Shanks), or undefined if a is not a square. */
  sqrt(a: bigint): bigint | undefined {
    const x = this.create(a);
    if (x === 0n) return 0n;
    if (this.legendre(x) !== 1) return undefined;
    // Tonelli–Shanks with the generator as the non-residue z (a generator is never a square).
    let m = this.twoAdicity;
    let c = this.rootOfUnity;
    let t = this.pow(x, this.oddPart);
    let r = this.pow(x, (this.oddPart + 1n) >> 1n);
    while (t !== 1n) {
      let i = 0;
      let t2 = t;
      while (t2 !== 1n) {
        t2 = (t2 * t2) % this.p;
        i++;
      }
      let b = c;
      for (let j = 0; j < m - i - 1; j++) b = (b * b) % this.p;
      m = i;
      c = (b * b) % this.p;
      t = (t * c) % this.p;
      r = (r * b) % this.p;
    }
    return r;
  }
  /** Embed a signed integer: −k ↦ p − k. */
  fromSigned(k: bigint | number): bigint {
    return this.create(BigInt(k));
  }
  /** The signed integer in (−p/2, p/2] that a represents. */
  toSigned(a: bigint): bigint {
    return a > this.p >> 1n ? a - this.p : a;
  }
  /** A deterministic pseudo-random element from a 32-bit seed stream (tests, synthetic data). */
  random(rng: () => number): bigint {
    let x = 0n;
    const words = Math.ceil((this.bits + 64) / 32);
    for (let i = 0; i < words; i++) x = (x << 32n) | BigInt(rng() >>> 0);
    return x % this.p;
  }
  /** A primitive 2^k-th root of unity (k ≤ two-adicity). */
  rootOfUnityOfOrder(k: number): bigint {
    if (!Number.isInteger(k) || k < 0 || k > this.twoAdicity) {
      throw new RangeError(`${this.name}.rootOfUnityOfOrder: expected 0 ≤ k ≤ ${this.twoAdicity}, got ${k}`);
    }
    let w = this.rootOfUnity;
    for (let i = k; i < this.twoAdicity; i++) w = (w * w) % this.p;
    return w;
  }

  toBytesLE(a: bigint): Uint8Array {
    this.assertValid(a, 'toBytesLE');
    const out = new Uint8Array(this.bytes);
    let x = a;
    for (let i = 0; i < this.bytes; i++) {
      out[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    return out;
  }
  toBytesBE(a: bigint): Uint8Array {
    return this.toBytesLE(a).reverse();
  }
  /** Decode exactly `bytes` little-endian bytes; values ≥ p are rejected, not reduced. */
  fromBytesLE(bytes: Uint8Array): bigint {
    if (!(bytes instanceof Uint8Array) || bytes.length !== this.bytes) {
      throw new NonCanonicalError(`${this.name}.fromBytesLE: expected ${this.bytes} bytes, got ${describeLength(bytes)}`);
    }
    const x = this.fromBytesLENoCheck(bytes);
    if (x >= this.p) throw new NonCanonicalError(`${this.name}.fromBytesLE: expected a value below the modulus, got ${x}`);
    return x;
  }
  private fromBytesLENoCheck(bytes: Uint8Array): bigint {
    let x = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
    return x;
  }
  fromBytesBE(bytes: Uint8Array): bigint {
    if (!(bytes instanceof Uint8Array) || bytes.length !== this.bytes) {
      throw new NonCanonicalError(`${this.name}.fromBytesBE: expected ${this.bytes} bytes, got ${describeLength(bytes)}`);
    }
    const x = this.fromBytesLENoCheck(Uint8Array.from(bytes).reverse());
    if (x >= this.p) throw new NonCanonicalError(`${this.name}.fromBytesBE: expected a value below the modulus, got ${x}`);
    return x;
  }
  assertValid(a: bigint, where: string): void {
    if (!this.isValid(a)) {
      throw new NonCanonicalError(`${this.name}.${where}: expected a bigint in [0, p), got ${String(a)}`);
    }
  }

  /** Smallest g whose order is p − 1: g^((p−1)/q) ≠ 1 for every prime q | p − 1. */
  private findGenerator(factors: readonly bigint[]): bigint {
    for (let g = 2n; g < 1000n; g++) {
      if (factors.every((q) => this.pow(g, (this.p - 1n) / q) !== 1n)) return g;
    }
    throw new RangeError(`${this.name}: no small generator found`);
  }
}

/** Check that `factors` are primes that exhaust n (n = Π fᵢ^eᵢ); returns them sorted. */
function checkedFactors(n: bigint, factors: readonly bigint[]): bigint[] {
  let m = n;
  for (const f of factors) {
    if (!isProbablePrime(f) || m % f !== 0n) throw new RangeError(`PrimeField: ${f} is not a prime factor of p − 1`);
    while (m % f === 0n) m /= f;
  }
  if (m !== 1n) throw new RangeError(`PrimeField: the given factors leave ${m} of p − 1 unfactored`);
  return [...factors].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function describeLength(b: unknown): string {
  return b instanceof Uint8Array ? `${b.length} bytes` : typeof b;
}

/**
 * Distinct prime factors of n by trial division up to 2^20 plus a Pollard rho
 * finish. Only used at construction on p − 1 (for BN254 both p − 1 factor quickly).
 */
export function primeFactors(n: bigint): bigint[] {
  const out = new Set<bigint>();
  let m = n;
  for (let d = 2n; d < 1n << 20n && d * d <= m; d += d === 2n ? 1n : 2n) {
    if (m % d === 0n) {
      out.add(d);
      while (m % d === 0n) m /= d;
    }
  }
  const stack = m > 1n ? [m] : [];
  while (stack.length) {
    const x = stack.pop()!;
    if (isProbablePrime(x)) {
      out.add(x);
      continue;
    }
    const f = pollardRho(x);
    stack.push(f, x / f);
  }
  return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function modpow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** Miller–Rabin with the first 13 prime bases (deterministic below 3.3·10^24, overwhelmingly right above). */
export function isProbablePrime(n: bigint): boolean {
  if (n < 2n) return false;
  const bases = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n];
  for (const b of bases) if (n % b === 0n) return n === b;
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  outer: for (const a of bases) {
    let x = modpow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let i = 1; i < s; i++) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
    }
    return false;
  }
  return true;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/** Pollard's rho in Brent's form, with gcds batched over 128 steps. */
function pollardRho(n: bigint): bigint {
  if (n % 2n === 0n) return 2n;
  for (let c = 1n; ; c++) {
    const f = (x: bigint) => (x * x + c) % n;
    let y = 2n;
    let r = 1;
    let q = 1n;
    let g = 1n;
    let x = y;
    let ys = y;
    while (g === 1n) {
      x = y;
      for (let i = 0; i < r; i++) y = f(y);
      for (let k = 0; k < r && g === 1n; k += 128) {
        ys = y;
        for (let i = 0; i < Math.min(128, r - k); i++) {
          y = f(y);
          q = (q * (x > y ? x - y : y - x)) % n;
        }
        g = gcd(q, n);
      }
      r *= 2;
    }
    if (g === n) {
      // the batch overshot: step one at a time from the saved point
      do {
        ys = f(ys);
        g = gcd(x > ys ? x - ys : ys - x, n);
      } while (g === 1n);
    }
    if (g !== n) return g;
  }
}
