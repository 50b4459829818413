/**
 * BN254 field constants, derived rather than pasted: the moduli are checked
 * against the BN polynomial family and independent encodings, the generator and
 * roots of unity against the group structure, and the Montgomery constants of
 * the packed 9 × 29-bit representation against the relations the kernels rely on.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FQ_MODULUS, FR_MODULUS, Fq, Fr } from '../../src/field/bn254.js';
import { isProbablePrime, primeFactors, type PrimeField } from '../../src/field/prime.js';

const SEED = 0xb254;

/** BN curve parameter u (a.k.a. x) of alt_bn128. */
const U = 4965661367192848881n;
const R_DEC = '21888242871839275222246405745257275088548364400416034343698204186575808495617';
const Q_DEC = '21888242871839275222246405745257275088696311157297823662689037894645226208583';
const R_HEX = '0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001';
const Q_HEX = '0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47';

/** Known factorisations (with multiplicity) of r − 1 and q − 1; verified below, not trusted. */
const R_MINUS_1: [bigint, number][] = [
  [2n, 28],
  [3n, 2],
  [13n, 1],
  [29n, 1],
  [983n, 1],
  [11003n, 1],
  [237073n, 1],
  [405928799n, 1],
  [1670836401704629n, 1],
  [13818364434197438864469338081n, 1],
];
const Q_MINUS_1: [bigint, number][] = [
  [2n, 1],
  [3n, 2],
  [13n, 1],
  [29n, 1],
  [67n, 1],
  [229n, 1],
  [311n, 1],
  [983n, 1],
  [11003n, 1],
  [405928799n, 1],
  [11465965001n, 1],
  [13427688667394608761327070753331941386769n, 1],
];

/** snarkjs / arkworks: 5^((r−1)/2^28) mod r. */
const SNARKJS_ROOT_OF_UNITY = 19103219067921713944291392827692070036145651957329286315305642004821462161904n;
/** halo2curves uses generator 7 instead, so its ROOT_OF_UNITY (7^t) is a different primitive 2^28-th root. */
const HALO2_ROOT_OF_UNITY = 0x03ddb9f5166d18b798865ea93dd31f743215cf6dd39329c8d34f1ed960c37c9cn;

const product = (fs: [bigint, number][]): bigint => fs.reduce((acc, [f, e]) => acc * f ** BigInt(e), 1n);

/** Multiplicities of `factors` in n; asserts the factors exhaust n. */
function multiplicities(n: bigint, factors: bigint[]): [bigint, number][] {
  let m = n;
  const out: [bigint, number][] = [];
  for (const f of factors) {
    let e = 0;
    while (m % f === 0n) {
      m /= f;
      e++;
    }
    expect(e, `factor ${f} must divide`).toBeGreaterThan(0);
    out.push([f, e]);
  }
  expect(m).toBe(1n);
  return out;
}

/** g generates F_p^* iff g^((p−1)/ℓ) ≠ 1 for every prime ℓ | p − 1. */
const isGenerator = (F: PrimeField, g: bigint, primes: bigint[]): boolean =>
  primes.every((l) => F.pow(g, (F.p - 1n) / l) !== 1n);

/** Exact multiplicative order of a 2-power-order element, or −1 if not a 2-power order ≤ 2^max. */
function twoPowerOrder(F: PrimeField, w: bigint, max: number): number {
  let x = w;
  for (let k = 0; k <= max; k++) {
    if (x === 1n) return k;
    x = F.square(x);
  }
  return -1;
}

describe('BN254 moduli', () => {
  it('Fr.p is r and Fq.p is q (decimal and hex encodings)', () => {
    expect(Fr.p).toBe(BigInt(R_DEC));
    expect(Fq.p).toBe(BigInt(Q_DEC));
    expect(Fr.p).toBe(BigInt(R_HEX));
    expect(Fq.p).toBe(BigInt(Q_HEX));
    expect(Fr.p.toString()).toBe(R_DEC);
    expect('0x' + Fq.p.toString(16).padStart(64, '0')).toBe(Q_HEX);
    expect(FR_MODULUS).toBe(Fr.p);
    expect(FQ_MODULUS).toBe(Fq.p);
  });

  it('r and q come from the BN family at u = 4965661367192848881', () => {
    const q = 36n * U ** 4n + 36n * U ** 3n + 24n * U ** 2n + 6n * U + 1n;
    const r = 36n * U ** 4n + 36n * U ** 3n + 18n * U ** 2n + 6n * U + 1n;
    expect(Fq.p).toBe(q);
    expect(Fr.p).toBe(r);
    // trace of Frobenius t = q + 1 − r = 6u² + 1
    expect(q + 1n - r).toBe(6n * U * U + 1n);
    // BN: u's 6u + 2 is the optimal-ate loop count 29793968203157093288
    expect(6n * U + 2n).toBe(29793968203157093288n);
  });

  it('r and q are prime, 254 bits, encode in 32 bytes', () => {
    for (const F of [Fr, Fq]) {
      expect(isProbablePrime(F.p)).toBe(true);
      expect(F.bits).toBe(254);
      expect(F.bytes).toBe(32);
      expect(F.p >> 253n).toBe(1n);
    }
    expect(Fr.name).toBe('Fr');
    expect(Fq.name).toBe('Fq');
    expect(Fr.p < Fq.p).toBe(true);
  });
});

describe('Fr structure', () => {
  const r = Fr.p;
  const primes = R_MINUS_1.map(([f]) => f);

  it('known factorisation of r − 1 reconstructs r − 1 and consists of primes', () => {
    expect(product(R_MINUS_1)).toBe(r - 1n);
    for (const [f] of R_MINUS_1) expect(isProbablePrime(f), `${f}`).toBe(true);
  });

  // Refactoring all of r − 1 needs Pollard–Brent to find the 51-bit factor (tens of seconds);
  // dividing that one out first keeps the independent check and the test fast.
  it('primeFactors(r − 1) finds exactly those primes; with multiplicity they reconstruct r − 1', () => {
    const big = 1670836401704629n;
    const fs = [...primeFactors((r - 1n) / big), big].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(fs).toEqual(primes);
    const withMult = multiplicities(r - 1n, fs);
    expect(withMult).toEqual(R_MINUS_1.map(([f, e]) => [f, e]));
    expect(product(withMult)).toBe(r - 1n);
  });

  it('two-adicity is 28: r ≡ 1 mod 2^28, r ≢ 1 mod 2^29, and r − 1 = 2^28 · t with t odd', () => {
    expect(Fr.twoAdicity).toBe(28);
    expect((r - 1n) % (1n << 28n)).toBe(0n);
    expect(r % (1n << 29n)).toBe((1n << 28n) + 1n);
    expect(Fr.oddPart & 1n).toBe(1n);
    expect((Fr.oddPart << 28n) + 1n).toBe(r);
  });

  it('generator is 5, generates F_r^*, and is the smallest generator', () => {
    expect(Fr.generator).toBe(5n);
    expect(isGenerator(Fr, 5n, primes)).toBe(true);
    for (const g of [2n, 3n, 4n]) expect(isGenerator(Fr, g, primes), `g = ${g}`).toBe(false);
    // halo2curves' multiplicative generator 7 is also a generator
    expect(isGenerator(Fr, 7n, primes)).toBe(true);
    // a generator is a quadratic non-residue
    expect(Fr.legendre(5n)).toBe(-1);
  });

  it('rootOfUnity = 5^t has exact order 2^28 and equals the snarkjs / arkworks value', () => {
    const w = Fr.rootOfUnity;
    expect(w).toBe(Fr.pow(5n, Fr.oddPart));
    expect(w).toBe(SNARKJS_ROOT_OF_UNITY);
    expect(Fr.pow(w, 1n << 28n)).toBe(1n);
    expect(Fr.pow(w, 1n << 27n)).not.toBe(1n);
    expect(Fr.pow(w, 1n << 27n)).toBe(r - 1n);
    expect(twoPowerOrder(Fr, w, 40)).toBe(28);
  });

  it("halo2's ROOT_OF_UNITY is 7^t: also of exact order 2^28, but a different root than ours", () => {
    expect(Fr.pow(7n, Fr.oddPart)).toBe(HALO2_ROOT_OF_UNITY);
    expect(twoPowerOrder(Fr, HALO2_ROOT_OF_UNITY, 40)).toBe(28);
    expect(HALO2_ROOT_OF_UNITY).not.toBe(Fr.rootOfUnity);
  });

  it.each([0, 1, 2, 3, 5, 10, 16, 20, 27, 28])('rootOfUnityOfOrder(%i) has exact order 2^k', (k) => {
    const w = Fr.rootOfUnityOfOrder(k);
    expect(Fr.isValid(w)).toBe(true);
    expect(Fr.pow(w, 1n << BigInt(k))).toBe(1n);
    if (k > 0) expect(Fr.pow(w, 1n << BigInt(k - 1))).toBe(r - 1n);
    expect(twoPowerOrder(Fr, w, 40)).toBe(k);
    if (k > 0) expect(Fr.square(w)).toBe(Fr.rootOfUnityOfOrder(k - 1));
    expect(w).toBe(Fr.pow(Fr.rootOfUnity, 1n << BigInt(28 - k)));
  });

  it('rootOfUnityOfOrder(28) is rootOfUnity, (2) is a square root of −1, (0) is 1', () => {
    expect(Fr.rootOfUnityOfOrder(28)).toBe(Fr.rootOfUnity);
    expect(Fr.square(Fr.rootOfUnityOfOrder(2))).toBe(r - 1n);
    expect(Fr.rootOfUnityOfOrder(1)).toBe(r - 1n);
    expect(Fr.rootOfUnityOfOrder(0)).toBe(1n);
  });

  it('the 2^k roots of unity of order 2^k are distinct and sum to zero (k = 8)', () => {
    const k = 8;
    const w = Fr.rootOfUnityOfOrder(k);
    const pts: bigint[] = [];
    let x = 1n;
    for (let i = 0; i < 1 << k; i++, x = Fr.mul(x, w)) pts.push(x);
    expect(x).toBe(1n);
    expect(new Set(pts).size).toBe(1 << k);
    expect(pts.reduce((a, b) => Fr.add(a, b), 0n)).toBe(0n);
  });
});

describe('Fq structure', () => {
  const q = Fq.p;
  const primes = Q_MINUS_1.map(([f]) => f);

  it('known factorisation of q − 1 reconstructs q − 1 and consists of primes', () => {
    expect(product(Q_MINUS_1)).toBe(q - 1n);
    for (const [f] of Q_MINUS_1) expect(isProbablePrime(f), `${f}`).toBe(true);
  });

  it('two-adicity is 1 (q ≡ 3 mod 4), root of unity is −1', () => {
    expect(Fq.twoAdicity).toBe(1);
    expect(q % 4n).toBe(3n);
    expect((Fq.oddPart << 1n) + 1n).toBe(q);
    expect(Fq.rootOfUnity).toBe(q - 1n);
    expect(Fq.rootOfUnityOfOrder(1)).toBe(q - 1n);
    expect(() => Fq.rootOfUnityOfOrder(2)).toThrow(RangeError);
  });

  it('generator is 3, generates F_q^*, and is the smallest generator', () => {
    expect(Fq.generator).toBe(3n);
    expect(isGenerator(Fq, 3n, primes)).toBe(true);
    expect(isGenerator(Fq, 2n, primes)).toBe(false);
    expect(Fq.legendre(3n)).toBe(-1);
  });

  it('q ≡ 3 mod 4 square roots: sqrt(a) = ±a^((q+1)/4)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: q - 1n }), (a) => {
        const sq = Fq.square(a);
        const s = Fq.sqrt(sq)!;
        const c = Fq.pow(sq, (q + 1n) / 4n);
        expect(s === c || s === Fq.neg(c)).toBe(true);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

/**
 * Montgomery constants of the packed form: 9 limbs × 29 bits, R = 2^261.
 * Nothing in src exports them yet, so we derive them two ways and check the
 * relations a word-by-word REDC needs, then run a reference REDC with them.
 */
describe.each([
  ['Fr', Fr, 0xc2e1f593efffffffn, 0x0e0a77c19a07df2f666ea36f7879462e36fc76959f60cd29ac96341c4ffffffbn, 0x0216d0b17f4e44a58c49833d53bb808553fe3ab1e35c59e31bb8e645ae216da7n],
  ['Fq', Fq, 0x87d20782e4866389n, 0x0e0a77c19a07df2f666ea36f7879462c0a78eb28f5c70b3dd35d438dc58f0d9dn, 0x06d89f71cab8351f47ab1eff0a417ff6b5e71911d44501fbf32cfc5b538afa89n],
] as const)('%s Montgomery constants (9 × 29-bit limbs, R = 2^261)', (_name, F, INV64, R256, R256SQ) => {
  const p = F.p;
  const LIMB = 29n;
  const LIMBS = 9;
  const W = 1n << LIMB;
  const MASK = W - 1n;
  const R = 1n << (LIMB * BigInt(LIMBS)); // 2^261

  /** −p^{-1} mod 2^bits by Newton–Hensel lifting (x ← x(2 − p x) doubles correct bits). */
  const negInvPow2 = (bits: bigint): bigint => {
    const mod = 1n << bits;
    let x = 1n; // p odd ⇒ p·1 ≡ 1 mod 2
    for (let i = 0; i < 8; i++) x = (x * (2n - p * x)) % mod;
    return (mod - ((x % mod) + mod) % mod) % mod;
  };
  const pInv = negInvPow2(LIMB);
  const rModP = R % p;
  const r2ModP = (rModP * rModP) % p;

  const redc = (t: bigint): bigint => {
    // word-by-word Montgomery reduction: t·2^-261 mod p, for t < p·R
    for (let i = 0; i < LIMBS; i++) {
      const m = ((t & MASK) * pInv) & MASK;
      t = (t + m * p) >> LIMB; // low limb is exactly zero before the shift
    }
    return t >= p ? t - p : t;
  };
  const montMul = (a: bigint, b: bigint) => redc(a * b);

  it('limb layout covers p with headroom', () => {
    expect(LIMBS * Number(LIMB)).toBe(261);
    expect(p < R).toBe(true);
    expect(4n * p < R).toBe(true); // lazy reduction in [0, 4p) still fits 261 bits
    expect(p < 1n << 254n).toBe(true);
  });

  it('pInv = −p⁻¹ mod 2^29: p·pInv ≡ −1 mod 2^29, pInv < 2^29', () => {
    expect(pInv >= 0n && pInv < W).toBe(true);
    expect((p * pInv + 1n) % W).toBe(0n);
    expect(((p & MASK) * pInv + 1n) & MASK).toBe(0n);
    // consistent with the well-known 64-bit constant (arkworks INV / gnark qInvNeg)
    expect((p * INV64 + 1n) % (1n << 64n)).toBe(0n);
    expect(INV64 & MASK).toBe(pInv);
    expect(negInvPow2(64n)).toBe(INV64);
  });

  it('R mod p and R² mod p agree with field pow and with 2^522 directly', () => {
    expect(rModP).toBe(F.pow(2n, 261n));
    expect(r2ModP).toBe(F.pow(2n, 522n));
    expect(r2ModP).toBe((1n << 522n) % p);
    expect(F.mul(rModP, F.inv(rModP))).toBe(1n);
    expect(F.mul(F.inv(rModP), R % p)).toBe(1n);
    // R³ for inversion-in-Montgomery-form kernels
    expect(F.mul(r2ModP, rModP)).toBe((1n << 783n) % p);
    // same method reproduces the published 2^256 constants
    expect((1n << 256n) % p).toBe(R256);
    expect((1n << 512n) % p).toBe(R256SQ);
    expect(F.mul(rModP, F.inv(R256))).toBe(32n); // 2^261 / 2^256
  });

  it('reference REDC with these constants: toMont / montMul / fromMont', () => {
    expect(redc(r2ModP)).toBe(rModP); // toMont(1) = R
    expect(redc(rModP)).toBe(1n); // fromMont(R) = 1
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: p - 1n }), fc.bigInt({ min: 0n, max: p - 1n }), (a, b) => {
        const aM = montMul(a, r2ModP);
        const bM = montMul(b, r2ModP);
        expect(aM).toBe(F.mul(a, rModP));
        expect(montMul(aM, bM)).toBe(F.mul(F.mul(a, b), rModP));
        expect(redc(montMul(aM, bM))).toBe(F.mul(a, b));
        expect(redc(aM)).toBe(a);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('Fr-specific property exploited by the kernels', () => {
  it('r ≡ 1 mod 2^28, hence −r⁻¹ ≡ 2^28 − 1 mod 2^29 (m = −t mod 2^28 in REDC)', () => {
    const r = Fr.p;
    expect(r & ((1n << 28n) - 1n)).toBe(1n);
    expect(r & ((1n << 29n) - 1n)).toBe((1n << 28n) + 1n);
    const pInv = (1n << 28n) - 1n;
    expect((r * pInv + 1n) & ((1n << 29n) - 1n)).toBe(0n);
    // the low 29-bit limb of r is 2^28 + 1
    expect(r % (1n << 29n)).toBe(268435457n);
  });

  it('q has no such structure: q ≢ 1 mod 4', () => {
    expect(Fq.p & 3n).toBe(3n);
  });
});
