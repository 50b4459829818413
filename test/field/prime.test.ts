/**
 * PrimeField (scalar bigint reference semantics) — algebraic laws, error paths,
 * codecs and the number-theory helpers (isProbablePrime, primeFactors).
 *
 * Every property runs with a fixed seed so failures reproduce; counterexamples
 * print the seed/path fast-check needs to replay them.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Fq, Fr } from '../../src/field/bn254.js';
import { FieldError, NonCanonicalError, ZeroInversionError } from '../../src/field/errors.js';
import { PrimeField, isProbablePrime, primeFactors } from '../../src/field/prime.js';

const SEED = 0x5eed_f1e1d;
const RUNS = 200;
const cfg = (numRuns = RUNS): { seed: number; numRuns: number } => ({ seed: SEED, numRuns });

/** Values that stress carries in the 9 × 29-bit packed representation and the ends of [0, p). */
function edgeValues(F: PrimeField): bigint[] {
  const p = F.p;
  const raw = [
    0n,
    1n,
    2n,
    3n,
    p - 1n,
    p - 2n,
    (p - 1n) / 2n,
    (p + 1n) / 2n,
    (1n << 29n) - 1n,
    1n << 29n,
    (1n << 29n) + 1n,
    (1n << 58n) - 1n,
    1n << 58n,
    (1n << 64n) - 1n,
    1n << 64n,
    (1n << 232n) - 1n,
    1n << 232n,
    (1n << 253n) - 1n,
    1n << 253n,
    (1n << 256n) % p,
    (1n << 261n) % p,
    F.generator,
    F.rootOfUnity,
  ];
  return [...new Set(raw.map((x) => F.create(x)))];
}

/** A canonical element: uniform, an edge case, or a pattern of saturated / empty 29-bit limbs. */
function element(F: PrimeField): fc.Arbitrary<bigint> {
  const limbPattern = fc
    .array(fc.constantFrom(0n, 1n, (1n << 29n) - 1n, 1n << 28n), { minLength: 9, maxLength: 9 })
    .map((limbs) => F.create(limbs.reduce((acc, l, i) => acc | (l << BigInt(29 * i)), 0n)));
  return fc.oneof(
    { arbitrary: fc.bigInt({ min: 0n, max: F.p - 1n }), weight: 6 },
    { arbitrary: fc.constantFrom(...edgeValues(F)), weight: 3 },
    { arbitrary: limbPattern, weight: 1 },
  );
}
const nonZero = (F: PrimeField): fc.Arbitrary<bigint> => element(F).filter((x) => x !== 0n);

/** Assert `fn` throws an instance of `cls` whose message matches every pattern. */
function expectThrow(fn: () => unknown, cls: new (...args: never[]) => Error, ...patterns: (RegExp | string)[]): Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a throw').toBeInstanceOf(cls);
  const err = caught as Error;
  for (const pat of patterns) {
    if (typeof pat === 'string') expect(err.message).toContain(pat);
    else expect(err.message).toMatch(pat);
  }
  return err;
}

const leBytesOf = (x: bigint, n: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Number((x >> BigInt(8 * i)) & 0xffn);
  return out;
};

describe.each([
  ['Fr', Fr],
  ['Fq', Fq],
] as const)('%s: field laws', (name, F) => {
  const p = F.p;
  const el = element(F);
  const nz = nonZero(F);

  it('results are canonical and agree with integer arithmetic mod p', () => {
    fc.assert(
      fc.property(el, el, (a, b) => {
        const ops = [F.add(a, b), F.sub(a, b), F.mul(a, b), F.neg(a), F.square(a)];
        for (const r of ops) expect(F.isValid(r)).toBe(true);
        expect(F.add(a, b)).toBe((a + b) % p);
        expect(F.sub(a, b)).toBe((((a - b) % p) + p) % p);
        expect(F.mul(a, b)).toBe((a * b) % p);
        expect(F.neg(a)).toBe((p - a) % p);
      }),
      cfg(),
    );
  });

  it('add and mul are associative', () => {
    fc.assert(
      fc.property(el, el, el, (a, b, c) => {
        expect(F.add(F.add(a, b), c)).toBe(F.add(a, F.add(b, c)));
        expect(F.mul(F.mul(a, b), c)).toBe(F.mul(a, F.mul(b, c)));
      }),
      cfg(),
    );
  });

  it('add and mul are commutative', () => {
    fc.assert(
      fc.property(el, el, (a, b) => {
        expect(F.add(a, b)).toBe(F.add(b, a));
        expect(F.mul(a, b)).toBe(F.mul(b, a));
      }),
      cfg(),
    );
  });

  it('mul distributes over add and sub', () => {
    fc.assert(
      fc.property(el, el, el, (a, b, c) => {
        expect(F.mul(a, F.add(b, c))).toBe(F.add(F.mul(a, b), F.mul(a, c)));
        expect(F.mul(F.add(a, b), c)).toBe(F.add(F.mul(a, c), F.mul(b, c)));
        expect(F.mul(a, F.sub(b, c))).toBe(F.sub(F.mul(a, b), F.mul(a, c)));
      }),
      cfg(),
    );
  });

  it('identities and additive inverse', () => {
    fc.assert(
      fc.property(el, (a) => {
        expect(F.add(a, F.ZERO)).toBe(a);
        expect(F.mul(a, F.ONE)).toBe(a);
        expect(F.mul(a, F.ZERO)).toBe(0n);
        expect(F.add(a, F.neg(a))).toBe(0n);
        expect(F.neg(F.neg(a))).toBe(a);
        expect(F.sub(a, a)).toBe(0n);
        expect(F.mul(a, F.neg(F.ONE))).toBe(F.neg(a));
      }),
      cfg(),
    );
    expect(F.neg(0n)).toBe(0n);
  });

  it('sub(a, b) = add(a, neg(b)) and add(sub(a, b), b) = a', () => {
    fc.assert(
      fc.property(el, el, (a, b) => {
        expect(F.sub(a, b)).toBe(F.add(a, F.neg(b)));
        expect(F.add(F.sub(a, b), b)).toBe(a);
        expect(F.sub(a, b)).toBe(F.neg(F.sub(b, a)));
      }),
      cfg(),
    );
  });

  it('multiplicative inverse: a·inv(a) = 1, inv is an involution and multiplicative', () => {
    fc.assert(
      fc.property(nz, nz, (a, b) => {
        const ia = F.inv(a);
        expect(F.isValid(ia)).toBe(true);
        expect(F.mul(a, ia)).toBe(1n);
        expect(F.inv(ia)).toBe(a);
        expect(F.inv(F.mul(a, b))).toBe(F.mul(ia, F.inv(b)));
        expect(F.inv(F.neg(a))).toBe(F.neg(ia));
      }),
      cfg(),
    );
    expect(F.inv(1n)).toBe(1n);
    expect(F.inv(p - 1n)).toBe(p - 1n);
    expect(F.inv(2n)).toBe((p + 1n) / 2n);
  });

  it('inv reduces non-canonical and negative inputs', () => {
    fc.assert(
      fc.property(nz, fc.bigInt({ min: -3n, max: 3n }), (a, k) => {
        expect(F.inv(a + k * p)).toBe(F.inv(a));
      }),
      cfg(50),
    );
  });

  it('div(a, b)·b = a and div agrees with mul by inv', () => {
    fc.assert(
      fc.property(el, nz, (a, b) => {
        const q = F.div(a, b);
        expect(F.mul(q, b)).toBe(a);
        expect(q).toBe(F.mul(a, F.inv(b)));
        expect(F.div(a, 1n)).toBe(a);
        if (a !== 0n) expect(F.div(a, a)).toBe(1n);
      }),
      cfg(),
    );
  });

  it('square(a) = mul(a, a) = pow(a, 2)', () => {
    fc.assert(
      fc.property(el, (a) => {
        expect(F.square(a)).toBe(F.mul(a, a));
        expect(F.pow(a, 2n)).toBe(F.square(a));
        expect(F.square(F.neg(a))).toBe(F.square(a));
      }),
      cfg(),
    );
  });

  it('pow laws: a^(m+n) = a^m·a^n, (a^m)^n = a^(mn), small exponents', () => {
    const exp = fc.oneof(fc.bigInt({ min: 0n, max: 1n << 64n }), fc.bigInt({ min: 0n, max: p }));
    fc.assert(
      fc.property(el, exp, exp, (a, m, n) => {
        expect(F.pow(a, m + n)).toBe(F.mul(F.pow(a, m), F.pow(a, n)));
        expect(F.pow(F.pow(a, m), n)).toBe(F.pow(a, m * n));
        expect(F.pow(a, 0n)).toBe(1n);
        expect(F.pow(a, 1n)).toBe(a);
        expect(F.pow(a, 3n)).toBe(F.mul(a, F.square(a)));
      }),
      cfg(),
    );
  });

  it("pow: Fermat a^(p−1) = 1 for a ≠ 0, a^p = a, exponents reduce mod p − 1", () => {
    fc.assert(
      fc.property(nz, fc.bigInt({ min: 0n, max: 1n << 80n }), (a, e) => {
        expect(F.pow(a, p - 1n)).toBe(1n);
        expect(F.pow(a, p)).toBe(a);
        expect(F.pow(a, e + (p - 1n))).toBe(F.pow(a, e));
      }),
      cfg(),
    );
    expect(F.pow(0n, p)).toBe(0n);
    expect(F.pow(0n, 0n)).toBe(1n);
  });

  it('pow: negative exponents invert, non-canonical bases reduce', () => {
    fc.assert(
      fc.property(nz, fc.bigInt({ min: 1n, max: 1n << 70n }), (a, e) => {
        expect(F.pow(a, -e)).toBe(F.inv(F.pow(a, e)));
        expect(F.mul(F.pow(a, -e), F.pow(a, e))).toBe(1n);
        expect(F.pow(a + p, e)).toBe(F.pow(a, e));
        expect(F.pow(a - p, e)).toBe(F.pow(a, e));
      }),
      cfg(),
    );
  });

  it('sqrt(a²)² = a² and sqrt(a²) = ±a', () => {
    fc.assert(
      fc.property(el, (a) => {
        const sq = F.square(a);
        const s = F.sqrt(sq);
        expect(s).toBeDefined();
        expect(F.isValid(s!)).toBe(true);
        expect(F.square(s!)).toBe(sq);
        expect(s === a || s === F.neg(a)).toBe(true);
      }),
      cfg(),
    );
  });

  it('legendre is consistent with sqrt existence and multiplicative', () => {
    fc.assert(
      fc.property(el, el, (a, b) => {
        const l = F.legendre(a);
        const s = F.sqrt(a);
        if (a === 0n) {
          expect(l).toBe(0);
          expect(s).toBe(0n);
        } else if (l === 1) {
          expect(s).toBeDefined();
          expect(F.square(s!)).toBe(a);
        } else {
          expect(l).toBe(-1);
          expect(s).toBeUndefined();
        }
        expect(F.legendre(F.mul(a, b))).toBe(l * F.legendre(b) || 0);
        expect(F.legendre(F.square(a))).toBe(a === 0n ? 0 : 1);
      }),
      cfg(),
    );
  });

  it('legendre: the generator is a non-residue; −1 is a residue iff p ≡ 1 mod 4', () => {
    expect(F.legendre(F.generator)).toBe(-1);
    expect(F.sqrt(F.generator)).toBeUndefined();
    expect(F.legendre(1n)).toBe(1);
    expect(F.legendre(p - 1n)).toBe(p % 4n === 1n ? 1 : -1);
    expect(F.legendre(p)).toBe(0); // non-canonical zero
    const i = F.sqrt(p - 1n);
    if (p % 4n === 1n) expect(F.square(i!)).toBe(p - 1n);
    else expect(i).toBeUndefined();
  });

  it('batchInv equals elementwise inv and does not mutate its input', () => {
    fc.assert(
      fc.property(fc.array(nz, { maxLength: 24 }), (xs) => {
        const copy = xs.slice();
        const out = F.batchInv(xs);
        expect(xs).toEqual(copy);
        expect(out).toEqual(xs.map((x) => F.inv(x)));
      }),
      cfg(),
    );
    expect(F.batchInv([])).toEqual([]);
    expect(F.batchInv([1n, 1n, p - 1n])).toEqual([1n, 1n, p - 1n]);
  });

  it('fromSigned / toSigned round trip on [−(p−1)/2, (p−1)/2]', () => {
    const half = (p - 1n) / 2n; // p odd: (−p/2, p/2] ∩ ℤ = [−half, half]
    fc.assert(
      fc.property(
        fc.oneof(
          fc.bigInt({ min: -half, max: half }),
          fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
          fc.constantFrom(-half, half, 0n, 1n, -1n, -half + 1n, half - 1n),
        ),
        (k) => {
          const a = F.fromSigned(k);
          expect(F.isValid(a)).toBe(true);
          expect(F.toSigned(a)).toBe(k);
          expect(F.add(a, F.fromSigned(-k))).toBe(0n);
        },
      ),
      cfg(),
    );
    expect(F.fromSigned(-1n)).toBe(p - 1n);
    expect(F.toSigned(p - 1n)).toBe(-1n);
    expect(F.toSigned(half)).toBe(half);
    expect(F.toSigned(half + 1n)).toBe(-half);
  });

  it('toSigned lands in [−(p−1)/2, (p−1)/2] and fromSigned inverts it', () => {
    const half = (p - 1n) / 2n;
    fc.assert(
      fc.property(el, (a) => {
        const k = F.toSigned(a);
        expect(k >= -half && k <= half).toBe(true);
        expect(F.fromSigned(k)).toBe(a);
      }),
      cfg(),
    );
  });

  it('fromSigned accepts safe-integer numbers and big out-of-range integers', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.bigInt({ min: -(1n << 600n), max: 1n << 600n }), (n, k) => {
        expect(F.fromSigned(n)).toBe(F.fromSigned(BigInt(n)));
        expect(F.fromSigned(k)).toBe(((k % p) + p) % p);
      }),
      cfg(),
    );
    expect(() => F.fromSigned(0.5)).toThrow(RangeError);
  });

  it('create reduces any integer into [0, p)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 520n), max: 1n << 520n }), (k) => {
        const a = F.create(k);
        expect(F.isValid(a)).toBe(true);
        expect((k - a) % p).toBe(0n);
      }),
      cfg(),
    );
  });

  it('isValid accepts exactly [0, p)', () => {
    expect(F.isValid(0n)).toBe(true);
    expect(F.isValid(p - 1n)).toBe(true);
    expect(F.isValid(p)).toBe(false);
    expect(F.isValid(-1n)).toBe(false);
    expect(F.isValid(1 as unknown as bigint)).toBe(false);
  });

  it('random is deterministic for a seed stream and canonical', () => {
    const stream = (seed: number) => {
      let s = seed >>> 0;
      return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
    };
    const a = Array.from({ length: 8 }, ((rng) => () => F.random(rng))(stream(42)));
    const b = Array.from({ length: 8 }, ((rng) => () => F.random(rng))(stream(42)));
    expect(a).toEqual(b);
    for (const x of a) expect(F.isValid(x)).toBe(true);
    expect(new Set(a).size).toBe(a.length);
  });

  describe('codecs', () => {
    it(`${name} encodes to 32 bytes`, () => {
      expect(F.bits).toBe(254);
      expect(F.bytes).toBe(32);
    });

    it('toBytesLE / fromBytesLE and toBytesBE / fromBytesBE round trip', () => {
      fc.assert(
        fc.property(el, (a) => {
          const le = F.toBytesLE(a);
          const be = F.toBytesBE(a);
          expect(le).toBeInstanceOf(Uint8Array);
          expect(le.length).toBe(32);
          expect(be.length).toBe(32);
          expect(le).toEqual(leBytesOf(a, 32));
          expect(Array.from(be)).toEqual(Array.from(le).reverse());
          expect(F.fromBytesLE(le)).toBe(a);
          expect(F.fromBytesBE(be)).toBe(a);
        }),
        cfg(),
      );
    });

    it('fromBytesBE does not mutate its input', () => {
      const be = F.toBytesBE(12345n);
      const copy = be.slice();
      F.fromBytesBE(be);
      expect(be).toEqual(copy);
    });

    it('arbitrary 32-byte strings decode iff the value is below p (never reduced)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
          let x = 0n;
          for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
          if (x < p) expect(F.fromBytesLE(bytes)).toBe(x);
          else expectThrow(() => F.fromBytesLE(bytes), NonCanonicalError, 'modulus');
        }),
        cfg(),
      );
    });

    it.each([
      ['p', p],
      ['p + 1', p + 1n],
      ['2p', 2n * p],
      ['2^256 − 1', (1n << 256n) - 1n],
    ])('fromBytesLE / fromBytesBE reject %s with NonCanonicalError', (_label, x) => {
      const le = leBytesOf(x, 32);
      const be = le.slice().reverse();
      for (const [fn, bytes] of [
        [(b: Uint8Array) => F.fromBytesLE(b), le],
        [(b: Uint8Array) => F.fromBytesBE(b), be],
      ] as const) {
        const err = expectThrow(() => fn(bytes), NonCanonicalError, /below the modulus/, String(x), `${name}.`);
        expect(err).toBeInstanceOf(FieldError);
        expect(err.name).toBe('NonCanonicalError');
      }
    });

    it.each([0, 1, 31, 33, 64])('fromBytesLE / fromBytesBE reject %i bytes, naming the expected length', (n) => {
      const bytes = new Uint8Array(n);
      expectThrow(() => F.fromBytesLE(bytes), NonCanonicalError, `${name}.fromBytesLE`, 'expected 32 bytes', `got ${n} bytes`);
      expectThrow(() => F.fromBytesBE(bytes), NonCanonicalError, `${name}.fromBytesBE`, 'expected 32 bytes', `got ${n} bytes`);
    });

    it('fromBytes rejects non-Uint8Array input', () => {
      const arr = new Array<number>(32).fill(0) as unknown as Uint8Array;
      expectThrow(() => F.fromBytesLE(arr), NonCanonicalError, 'expected 32 bytes');
      expectThrow(() => F.fromBytesBE(arr), NonCanonicalError, 'expected 32 bytes');
    });

    it('toBytesLE / toBytesBE reject non-canonical values', () => {
      for (const x of [p, p + 1n, -1n, 1n << 256n]) {
        expectThrow(() => F.toBytesLE(x), NonCanonicalError, `${name}.toBytesLE`, String(x));
        expectThrow(() => F.toBytesBE(x), NonCanonicalError, String(x));
      }
    });

    it('fromBytesBE error for a value ≥ p names fromBytesBE', () => {
      expectThrow(() => F.fromBytesBE(leBytesOf(p, 32).reverse()), NonCanonicalError, `${name}.fromBytesBE`);
    });
  });

  describe('errors', () => {
    it('inv(0) throws ZeroInversionError (also for non-canonical zero p)', () => {
      for (const z of [0n, p, -p]) {
        const err = expectThrow(() => F.inv(z), ZeroInversionError, `${name}.inv`, /non-zero/);
        expect(err).toBeInstanceOf(FieldError);
        expect(err).toBeInstanceOf(Error);
        expect(err.name).toBe('ZeroInversionError');
      }
    });

    it('div by zero and pow(0, negative) throw ZeroInversionError', () => {
      expectThrow(() => F.div(5n, 0n), ZeroInversionError);
      expectThrow(() => F.pow(0n, -1n), ZeroInversionError);
    });

    it('batchInv names the index of the first zero', () => {
      fc.assert(
        fc.property(fc.array(nz, { minLength: 1, maxLength: 16 }), fc.nat(), fc.boolean(), (xs, pos, second) => {
          const i = pos % (xs.length + 1);
          const ys = xs.slice();
          ys.splice(i, 0, 0n);
          if (second) ys.push(0n); // a later zero must not be the one reported
          const err = expectThrow(() => F.batchInv(ys), ZeroInversionError, `${name}.batchInv`, /non-zero/);
          expect(err.message.match(/index (\d+)/)?.[1]).toBe(String(i));
        }),
        cfg(100),
      );
      expectThrow(() => F.batchInv([0n]), ZeroInversionError, 'index 0');
      expectThrow(() => F.batchInv([1n, 2n, 0n, 3n, 0n]), ZeroInversionError, /at index 2$/);
    });
  });
});

describe('rootOfUnityOfOrder / constructor edge cases (generic)', () => {
  it.each([
    ['Fr', Fr],
    ['Fq', Fq],
  ] as const)('%s.rootOfUnityOfOrder rejects k outside [0, twoAdicity]', (name, F) => {
    for (const k of [-1, F.twoAdicity + 1, 1.5, Number.NaN, Infinity]) {
      expectThrow(() => F.rootOfUnityOfOrder(k), RangeError, `${name}.rootOfUnityOfOrder`, `${F.twoAdicity}`);
    }
    expect(F.rootOfUnityOfOrder(0)).toBe(1n);
    expect(F.rootOfUnityOfOrder(1)).toBe(F.p - 1n);
  });

  it('constructor rejects moduli that are not odd or are < 3', () => {
    for (const p of [-7n, 0n, 1n, 2n, 4n, 1n << 64n]) expect(() => new PrimeField(p)).toThrow(RangeError);
  });

  it('constructor rejects odd composite moduli', () => {
    expect(() => new PrimeField(9n)).toThrow(RangeError);
    expect(() => new PrimeField(561n)).toThrow(RangeError);
  });
});

describe('small prime fields, checked exhaustively', () => {
  const order = (F: PrimeField, g: bigint): bigint => {
    let x = g;
    let k = 1n;
    while (x !== 1n) {
      x = F.mul(x, g);
      k++;
    }
    return k;
  };

  it.each([3n, 5n, 7n, 13n, 17n, 97n, 193n, 257n, 7681n])('p = %s', (p) => {
    const F = new PrimeField(p, `F${p}`);
    // two-adicity / odd part
    expect((1n << BigInt(F.twoAdicity)) * F.oddPart + 1n).toBe(p);
    expect(F.oddPart & 1n).toBe(1n);
    // generator: order p − 1, and it is the smallest such
    expect(order(F, F.generator)).toBe(p - 1n);
    for (let g = 2n; g < F.generator; g++) expect(order(F, g)).toBeLessThan(p - 1n);
    // root of unity: exact order 2^s
    expect(order(F, F.rootOfUnity)).toBe(1n << BigInt(F.twoAdicity));
    for (let k = 0; k <= F.twoAdicity; k++) expect(order(F, F.rootOfUnityOfOrder(k))).toBe(1n << BigInt(k));
    // squares, sqrt, legendre, inverse against brute force
    const squares = new Set<bigint>();
    for (let x = 0n; x < p; x++) squares.add((x * x) % p);
    const all: bigint[] = [];
    for (let a = 0n; a < p; a++) {
      all.push(a);
      const s = F.sqrt(a);
      if (squares.has(a)) {
        expect(s).toBeDefined();
        expect((s! * s!) % p).toBe(a);
        expect(F.legendre(a)).toBe(a === 0n ? 0 : 1);
      } else {
        expect(s).toBeUndefined();
        expect(F.legendre(a)).toBe(-1);
      }
      if (a !== 0n) expect((a * F.inv(a)) % p).toBe(1n);
    }
    expect(F.batchInv(all.slice(1))).toEqual(all.slice(1).map((a) => F.inv(a)));
    // signed embedding covers the field exactly once
    const half = (p - 1n) / 2n;
    const seen = new Set<bigint>();
    for (let k = -half; k <= half; k++) {
      expect(F.toSigned(F.fromSigned(k))).toBe(k);
      seen.add(F.fromSigned(k));
    }
    expect(seen.size).toBe(Number(p));
  });

  it('sqrt on a large 2-adicity field (p = 7·2^20 + 1, p = 15·2^27 + 1)', () => {
    for (const p of [7340033n, 2013265921n]) {
      const F = new PrimeField(p);
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: p - 1n }), (a) => {
          const sq = F.square(a);
          const s = F.sqrt(sq)!;
          expect(F.square(s)).toBe(sq);
          expect(F.legendre(a) === 1).toBe(F.sqrt(a) !== undefined && a !== 0n);
        }),
        cfg(),
      );
    }
  });
});

describe('isProbablePrime', () => {
  const sieve = (n: number): boolean[] => {
    const isP = new Array<boolean>(n + 1).fill(true);
    isP[0] = isP[1] = false;
    for (let i = 2; i * i <= n; i++) if (isP[i]) for (let j = i * i; j <= n; j += i) isP[j] = false;
    return isP;
  };

  it('agrees with a sieve on [−5, 20000]', () => {
    const isP = sieve(20000);
    for (let n = -5; n <= 20000; n++) expect(isProbablePrime(BigInt(n)), `n = ${n}`).toBe(n >= 0 && isP[n]!);
  });

  it.each([
    2n,
    3n,
    37n,
    41n,
    1048573n,
    1048583n,
    2147483647n, // 2^31 − 1
    (1n << 61n) - 1n,
    (1n << 89n) - 1n,
    (1n << 127n) - 1n,
    (1n << 255n) - 19n,
    (1n << 256n) - (1n << 32n) - 977n, // secp256k1 p
    21888242871839275222246405745257275088548364400416034343698204186575808495617n, // BN254 r
    21888242871839275222246405745257275088696311157297823662689037894645226208583n, // BN254 q
  ])('prime %s', (n) => {
    expect(isProbablePrime(n)).toBe(true);
  });

  it.each([
    // Carmichael numbers
    561n, 1105n, 1729n, 2465n, 2821n, 6601n, 8911n, 41041n, 62745n, 63973n, 75361n, 101101n, 126217n,
    172081n, 188461n, 252601n, 278545n, 294409n, 314821n, 334153n, 340561n, 399001n, 410041n, 449065n,
    488881n, 512461n,
    // strong pseudoprimes to the first k prime bases (ψ_k)
    2047n, 1373653n, 25326001n, 3215031751n, 2152302898747n, 3474749660383n, 341550071728321n,
    3825123056546413051n,
    // assorted composites
    (1n << 67n) - 1n, // 193707721 · 761838257287
    (1n << 128n) + 1n,
    1048583n * 1048583n,
    ((1n << 61n) - 1n) * ((1n << 89n) - 1n),
    21888242871839275222246405745257275088548364400416034343698204186575808495617n *
      21888242871839275222246405745257275088696311157297823662689037894645226208583n,
    21888242871839275222246405745257275088548364400416034343698204186575808495617n - 1n,
    21888242871839275222246405745257275088696311157297823662689037894645226208583n + 2n,
  ])('composite %s', (n) => {
    expect(isProbablePrime(n)).toBe(false);
  });

  // ψ12 = 318665857834031151167461 = 399165290221 · 798330580441 is a strong pseudoprime to every
  // base 2..37; Miller–Rabin needs base 41 as well to be deterministic below 3.3·10^24.
  it('rejects ψ12 = 318665857834031151167461 (needs 13 bases)', () => {
    expect(399165290221n * 798330580441n).toBe(318665857834031151167461n);
    expect(isProbablePrime(318665857834031151167461n)).toBe(false);
  });
});

describe('primeFactors', () => {
  const withMultiplicity = (n: bigint, factors: bigint[]): bigint => {
    let m = n;
    let product = 1n;
    for (const f of factors) {
      expect(m % f).toBe(0n);
      while (m % f === 0n) {
        m /= f;
        product *= f;
      }
    }
    expect(m).toBe(1n);
    return product;
  };
  const bruteFactors = (n: bigint): bigint[] => {
    const out: bigint[] = [];
    let m = n;
    for (let d = 2n; d * d <= m; d++) {
      if (m % d === 0n) {
        out.push(d);
        while (m % d === 0n) m /= d;
      }
    }
    if (m > 1n) out.push(m);
    return out;
  };

  it('matches brute force on small n and reconstructs n', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n, max: 1n << 34n }), (n) => {
        const fs = primeFactors(n);
        expect(fs).toEqual(bruteFactors(n));
        expect(withMultiplicity(n, fs)).toBe(n);
      }),
      cfg(100),
    );
  });

  it('returns sorted distinct primes whose product with multiplicity is n (Pollard rho path)', () => {
    const bigPrimes = [1048583n, 1000003n, 1000033n, 33554467n];
    fc.assert(
      fc.property(
        fc.subarray(bigPrimes, { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom(2n, 3n, 5n, 7n, 97n), { maxLength: 6 }),
        fc.integer({ min: 1, max: 2 }),
        (big, small, e) => {
          const n = big.reduce((a, b) => a * b ** BigInt(e), 1n) * small.reduce((a, b) => a * b, 1n);
          const fs = primeFactors(n);
          for (let i = 1; i < fs.length; i++) expect(fs[i - 1]! < fs[i]!).toBe(true);
          for (const f of fs) expect(isProbablePrime(f)).toBe(true);
          expect(withMultiplicity(n, fs)).toBe(n);
          expect(fs).toEqual([...new Set([...big, ...small])].sort((a, b) => (a < b ? -1 : 1)));
        },
      ),
      cfg(25),
    );
  });

  it('edge cases', () => {
    expect(primeFactors(1n)).toEqual([]);
    expect(primeFactors(2n)).toEqual([2n]);
    expect(primeFactors(1n << 100n)).toEqual([2n]);
    expect(primeFactors((1n << 61n) - 1n)).toEqual([(1n << 61n) - 1n]);
    expect(primeFactors((1n << 67n) - 1n)).toEqual([193707721n, 761838257287n]);
  });
});
