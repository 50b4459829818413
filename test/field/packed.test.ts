/**
 * Every packed kernel (scalar and SIMD modules) against the bigint reference,
 * bit for bit: random inputs, long chains fed back as inputs, edge cases, and
 * a deliberately broken kernel that the same checks must catch.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FieldRuntime,
  Fq,
  Fr,
  ModuleBuilder,
  NonCanonicalError,
  PackedField,
  ShapeError,
  montgomery,
  type PrimeField,
} from '../../src/field/index.js';
import { emitFieldKernels } from '../../src/field/wasm/field-kernels.js';

const runtimes = {
  scalar: new FieldRuntime({ simd: false }),
  simd: new FieldRuntime({ simd: true }),
};

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
}

/** 0, 1, p−1, limb boundaries and values near 2^k. */
function edgeCases(F: PrimeField): bigint[] {
  const out = [0n, 1n, 2n, F.p - 1n, F.p - 2n, (F.p - 1n) / 2n, (F.p + 1n) / 2n];
  for (const k of [28, 29, 30, 57, 58, 59, 116, 232, 233, 253]) {
    for (const d of [-1n, 0n, 1n]) {
      const v = (1n << BigInt(k)) + d;
      if (v >= 0n && v < F.p) out.push(v);
    }
  }
  return out.filter((v) => v >= 0n && v < F.p);
}

function randomValues(F: PrimeField, n: number, seed: number): bigint[] {
  const rng = seeded(seed);
  const edges = edgeCases(F);
  return Array.from({ length: n }, (_, i) => (i < edges.length ? edges[(i * 7) % edges.length]! : F.random(rng)));
}

const fields: [string, PrimeField, 'fr' | 'fq'][] = [
  ['Fr', Fr, 'fr'],
  ['Fq', Fq, 'fq'],
];

for (const [mode, runtime] of Object.entries(runtimes)) {
  for (const [label, S, name] of fields) {
    describe(`${label} packed kernels (${mode})`, () => {
      const F = new PackedField(S, name, runtime);
      const n = 257; // odd: exercises the SIMD tail
      const xs = randomValues(S, n, 11);
      const ys = randomValues(S, n, 29).reverse();

      it(`uses the ${mode} module`, () => {
        expect(F.usesSimd).toBe(mode === 'simd');
      });

      it('round trips bigints and bytes', () => {
        const a = F.fromBigints(xs);
        expect(a.toBigints()).toEqual(xs);
        const bytes = a.toBytes();
        expect(bytes.subarray(0, 32)).toEqual(S.toBytesLE(xs[0]!));
        expect(F.fromBytes(bytes).toBigints()).toEqual(xs);
        expect(a.get(3)).toBe(xs[3]);
        a.set(3, 42n);
        expect(a.get(3)).toBe(42n);
      });

      it('mul, square, add, sub, neg, scale, axpy, addScalar equal the bigint reference', () => {
        const a = F.fromBigints(xs);
        const b = F.fromBigints(ys);
        const o = F.alloc(n);
        F.mul(o, a, b);
        expect(o.toBigints()).toEqual(xs.map((x, i) => S.mul(x, ys[i]!)));
        F.square(o, a);
        expect(o.toBigints()).toEqual(xs.map((x) => S.square(x)));
        F.add(o, a, b);
        expect(o.toBigints()).toEqual(xs.map((x, i) => S.add(x, ys[i]!)));
        F.sub(o, a, b);
        expect(o.toBigints()).toEqual(xs.map((x, i) => S.sub(x, ys[i]!)));
        F.neg(o, a);
        expect(o.toBigints()).toEqual(xs.map((x) => S.neg(x)));
        const c = S.p - 12345678901234567n;
        F.scale(o, a, c);
        expect(o.toBigints()).toEqual(xs.map((x) => S.mul(x, c)));
        const y = b.clone();
        F.axpy(y, c, a);
        expect(y.toBigints()).toEqual(ys.map((v, i) => S.add(v, S.mul(c, xs[i]!))));
        F.addScalar(o, a, c);
        expect(o.toBigints()).toEqual(xs.map((x) => S.add(x, c)));
        // in place
        F.addScalar(y, y, S.p - 1n);
        expect(y.toBigints()).toEqual(ys.map((v, i) => S.sub(S.add(v, S.mul(c, xs[i]!)), 1n)));
        for (const v of [a, b, o, y]) v.free();
      });

      it('batch inversion (zeros stay zero, in place too), powers and inner product', () => {
        const a = F.fromBigints(xs);
        const o = F.alloc(n);
        F.batchInv(o, a);
        expect(o.toBigints()).toEqual(xs.map((x) => (x === 0n ? 0n : S.inv(x))));
        F.batchInv(a, a);
        expect(a.toBigints()).toEqual(o.toBigints());
        F.powers(o, 3n, 7n);
        expect(o.toBigints()).toEqual(xs.map((_, i) => S.mul(3n, S.pow(7n, BigInt(i)))));
        const b = F.fromBigints(ys);
        const x = F.fromBigints(xs);
        expect(F.inner(x, b)).toBe(xs.reduce((s, v, i) => S.add(s, S.mul(v, ys[i]!)), 0n));
        for (const v of [a, o, b, x]) v.free();
      });

      it('prefix products and sums equal the bigint running product and sum', () => {
        const a = F.fromBigints(xs);
        const o = F.alloc(n);
        F.prefixProduct(o, 5n, a);
        const prod = [5n];
        for (let i = 1; i < n; i++) prod.push(S.mul(prod[i - 1]!, xs[i - 1]!));
        expect(o.toBigints()).toEqual(prod);
        F.prefixSum(o, S.p - 1n, a);
        const sum = [S.p - 1n];
        for (let i = 1; i < n; i++) sum.push(S.add(sum[i - 1]!, xs[i - 1]!));
        expect(o.toBigints()).toEqual(sum);
        expect(() => F.prefixSum(a, 0n, a)).toThrow(/not to overlap/);
        expect(() => F.prefixProduct(o.slice(1), 0n, o.slice(0, n - 1))).toThrow(/not to overlap/);
        const one = F.alloc(1);
        F.prefixProduct(one, 9n, F.alloc(1));
        expect(one.toBigints()).toEqual([9n]);
        for (const v of [a, o, one]) v.free();
      });

      it('long chains of products fed back as inputs stay equal', () => {
        const a = F.fromBigints(xs);
        const b = F.fromBigints(ys);
        let ref = xs.slice();
        for (let r = 0; r < 40; r++) {
          F.mul(a, a, b);
          F.square(a, a);
          F.add(a, a, b);
          F.sub(a, b, a);
          F.neg(a, a);
          ref = ref.map((v, i) => S.neg(S.sub(ys[i]!, S.add(S.square(S.mul(v, ys[i]!)), ys[i]!))));
          expect(a.toBigints()).toEqual(ref);
        }
        a.free();
        b.free();
      });

      it('fast-check: products of arbitrary elements (and values ≥ p rejected)', () => {
        const elem = fc.oneof(fc.bigInt({ min: 0n, max: S.p - 1n }), fc.constantFrom(...edgeCases(S)));
        fc.assert(
          fc.property(fc.array(fc.tuple(elem, elem), { minLength: 1, maxLength: 9 }), (pairs) => {
            const a = F.fromBigints(pairs.map((p) => p[0]));
            const b = F.fromBigints(pairs.map((p) => p[1]));
            F.mul(a, a, b);
            const ok = a.toBigints().every((v, i) => v === S.mul(pairs[i]![0], pairs[i]![1]));
            a.free();
            b.free();
            return ok;
          }),
          { seed: 7, numRuns: 150 },
        );
      });
    });
  }
}

describe('codecs and shapes', () => {
  const F = new PackedField(Fr, 'fr', runtimes.simd);
  it('rejects p, p + 1, 2p − 1 and 2^256 − 1 without writing anything', () => {
    for (const bad of [Fr.p, Fr.p + 1n, 2n * Fr.p - 1n, (1n << 256n) - 1n]) {
      const bytes = new Uint8Array(64);
      bytes.set(Fr.toBytesLE(5n), 0);
      let x = bad;
      for (let i = 0; i < 32; i++, x >>= 8n) bytes[32 + i] = Number(x & 0xffn);
      expect(() => F.fromBytes(bytes)).toThrow(NonCanonicalError);
      expect(() => F.fromBytes(bytes)).toThrow(/element 1/);
      expect(() => F.fromBigints([1n, bad])).toThrow(/index 1/);
    }
    expect(() => F.fromBytes(new Uint8Array(33))).toThrow(/multiple of 32/);
  });
  it('rejects mismatched lengths and fields', () => {
    const a = F.alloc(3);
    const b = F.alloc(4);
    expect(() => F.mul(a, a, b)).toThrow(ShapeError);
    const G = new PackedField(Fq, 'fq', runtimes.simd);
    expect(() => F.add(a, a, G.alloc(3))).toThrow(/Fr/);
  });
  it('alloc zero-fills reused memory; allocUninit and clone are right over dirty memory', () => {
    const dirty = F.fromBigints(Array.from({ length: 64 }, (_, i) => BigInt(i) * 7919n + 1n));
    const ptr = dirty.ptr;
    dirty.free();
    const z = F.alloc(64);
    expect(z.ptr).toBe(ptr);
    expect(z.toBigints().every((v) => v === 0n)).toBe(true);
    z.fill(5n);
    z.free();
    const u = F.allocUninit(64);
    expect(u.length).toBe(64);
    u.free();
    const src = F.fromBigints(Array.from({ length: 64 }, (_, i) => BigInt(i)));
    const c = src.clone();
    expect(c.toBigints()).toEqual(src.toBigints());
    [src, c].forEach((v) => v.free());
    expect(() => F.allocUninit(-1)).toThrow(/allocUninit/);
  });
  it('memory grows past the initial pages and views stay valid', () => {
    const big = F.alloc(1 << 18); // 9 MiB
    big.set((1 << 18) - 1, 99n);
    expect(big.get((1 << 18) - 1)).toBe(99n);
    big.free();
  });
});

describe('a deliberately broken kernel is caught', () => {
  it('a Montgomery product that drops its last reduction round disagrees with bigint', () => {
    const mp = montgomery.montgomeryParams(Fr.p);
    // a wrong modulus limb stands in for a miscompiled constant
    const broken = { ...mp, pLimbs: mp.pLimbs.map((l, j) => (j === 4 ? l ^ 1 : l)) };
    const mb = new ModuleBuilder();
    emitFieldKernels(mb, 'fr', broken, montgomery.toLimbs(mp.R));
    const rt = runtimes.scalar;
    const k = rt.instantiate(mb);
    const F = new PackedField(Fr, 'fr', rt);
    const xs = randomValues(Fr, 16, 5);
    const a = F.fromBigints(xs);
    const o = F.alloc(16);
    k.fr_mul!(o.ptr, a.ptr, a.ptr, 16);
    expect(o.toBigints()).not.toEqual(xs.map((x) => Fr.square(x)));
  });
});

describe('writeSigned (signed small integers, no bigint arithmetic)', () => {
  for (const [name, field] of [['Fr', Fr], ['Fq', Fq]] as const) {
    it(`${name}: equals writeBigints of x mod p for every |x| < 2^53, at an offset`, () => {
      const F = new PackedField(field, name === 'Fr' ? 'fr' : 'fq', runtimes.scalar);
      const edge = [0n, 1n, -1n, 2n ** 32n - 1n, 2n ** 32n, -(2n ** 32n), -(2n ** 32n) - 1n, 2n ** 53n - 1n, -(2n ** 53n) + 1n, 123456789n, -987654321012n];
      fc.assert(
        fc.property(fc.array(fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n }), { maxLength: 40 }), fc.nat({ max: 3 }), (xs, offset) => {
          const values = BigInt64Array.from([...edge, ...xs]);
          const v = F.alloc(values.length + offset);
          try {
            F.writeSigned(v, values, offset);
            const got = F.toBigints(v).slice(offset);
            expect(got).toEqual(Array.from(values, (x) => field.create(x)));
          } finally {
            v.free();
          }
        }),
        { numRuns: 50 },
      );
    });
  }

  it('rejects |x| ≥ 2^53 and too many values, writing nothing', () => {
    const F = new PackedField(Fr, 'fr', runtimes.scalar);
    const v = F.fromBigints([5n, 6n]);
    expect(() => F.writeSigned(v, [1n, 2n ** 53n])).toThrow(NonCanonicalError);
    expect(() => F.writeSigned(v, [-(2n ** 60n)])).toThrow(/\|x\| < 2\^53/);
    expect(() => F.writeSigned(v, [1n, 2n, 3n])).toThrow(ShapeError);
    expect(F.toBigints(v)).toEqual([5n, 6n]);
    v.free();
  });
});
