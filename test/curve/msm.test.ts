import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldRuntime, Fq, Fr, getRuntime, packedFr } from '../../src/field/index.js';
import { g1FromNoble, g1ToNoble, nobleMsm, nobleMul, NobleG1Point } from '../../src/curve/curve.js';
import { G1_GENERATOR, g1Mul, g1Neg, packedG1, type G1Affine } from '../../src/curve/g1.js';
import { GLV_BITS, GLV_MAG_BYTES, buildGlvModule, glvConstants, glvSplit } from '../../src/curve/glv.js';
import { chooseWindow, msm, windowCount } from '../../src/curve/msm.js';
import { MAX_TIERS, SMALL_BITS, TAG_LARGE, TAG_NEG, buildSmallModule, planTiers, smallTag } from '../../src/curve/msm-small.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
}
const abs = (x: bigint) => (x < 0n ? -x : x);
const r = Fr.p;

/** Σ kᵢ·Pᵢ by noble, one scalar multiplication at a time: the naive oracle. */
function naiveMsm(points: readonly G1Affine[], scalars: readonly bigint[]): G1Affine {
  let acc = NobleG1Point.ZERO;
  points.forEach((p, i) => {
    acc = acc.add(g1ToNoble(p).multiplyUnsafe(Fr.create(scalars[i]!)));
  });
  return g1FromNoble(acc);
}

describe('GLV constants', () => {
  const K = glvConstants();

  it('β is a primitive cube root of unity in Fq, λ one in Fr', () => {
    expect(Fq.pow(K.beta, 3n)).toBe(1n);
    expect(K.beta).not.toBe(1n);
    expect(Fr.pow(K.lambda, 3n)).toBe(1n);
    expect(K.lambda).not.toBe(1n);
    expect(Fr.add(Fr.add(Fr.square(K.lambda), K.lambda), 1n)).toBe(0n);
  });

  it('φ(P) = (βx, y) = [λ]P, checked with noble', () => {
    for (const P of [G1_GENERATOR, nobleMul(G1_GENERATOR, 0xdeadbeefn)]) {
      expect(nobleMul(P, K.lambda)).toEqual({ x: Fq.mul(K.beta, P!.x), y: P!.y });
    }
  });

  it('the basis spans the lattice a + λb ≡ 0 with determinant r and short vectors', () => {
    for (const [a, b] of [K.v1, K.v2]) {
      expect(Fr.create(a + K.lambda * b)).toBe(0n);
      expect(abs(a) < 1n << 127n && abs(b) < 1n << 127n).toBe(true);
    }
    expect(K.v1[0] * K.v2[1] - K.v2[0] * K.v1[1]).toBe(r);
  });

  it('decomposition recombines and is short, on random and adversarial scalars', () => {
    const next = rng(3);
    const half = (r - 1n) / 2n;
    // near-ties of the rounding: k·b₂/r and −k·b₁/r close to a half-integer
    const ties = [Fr.mul(half, Fr.inv(K.v2[1])), Fr.mul(half, Fr.inv(Fr.create(-K.v1[1])))];
    const ks = [0n, 1n, 2n, r - 1n, r - 2n, half, half + 1n, 1n << 127n, (1n << 128n) - 1n, 1n << 253n, K.lambda, ...ties];
    for (let i = 0; i < 200; i++) ks.push(Fr.random(next));
    let maxBits = 0;
    for (const k of ks) {
      const { k1, k2 } = glvSplit(k);
      expect(Fr.create(k1 + K.lambda * k2)).toBe(k);
      maxBits = Math.max(maxBits, abs(k1).toString(2).length, abs(k2).toString(2).length);
    }
    expect(maxBits).toBeLessThanOrEqual(127); // the bound is < 2^127.4; W covers 2^128
    expect(glvSplit(r + 5n)).toEqual(glvSplit(5n));
  });

  it('the wasm split matches the bigint reference bit for bit', () => {
    const rt = getRuntime();
    const k = rt.instantiate(buildGlvModule(rt.fields.fq.params));
    const next = rng(4);
    const scalars = [0n, 1n, r - 1n, (r - 1n) / 2n, 1n << 200n, ...Array.from({ length: 300 }, () => Fr.random(next))];
    const n = scalars.length;
    const words = rt.arena.alloc(32 * n);
    const mags = rt.arena.alloc(2 * GLV_MAG_BYTES * n);
    const signs = rt.arena.alloc(8 * n);
    const dv = new DataView(rt.buffer);
    scalars.forEach((s, i) => {
      for (let j = 0; j < 4; j++) dv.setBigUint64(words + 32 * i + 8 * j, (s >> BigInt(64 * j)) & ((1n << 64n) - 1n), true);
    });
    expect(k.glv_split!(mags, signs, words, n)).toBe(0);
    const read = (j: number) => {
      const view = new DataView(rt.buffer);
      let m = 0n;
      for (let w = 3; w >= 0; w--) m = (m << 32n) | BigInt(view.getUint32(mags + GLV_MAG_BYTES * j + 4 * w, true));
      expect(view.getUint32(mags + GLV_MAG_BYTES * j + 16, true)).toBe(0);
      return view.getUint32(signs + 4 * j, true) ? -m : m;
    };
    scalars.forEach((s, i) => {
      const { k1, k2 } = glvSplit(s);
      expect([read(2 * i), read(2 * i + 1)]).toEqual([k1, k2]);
    });
    for (const p of [signs, mags, words]) rt.arena.release(p);
  });
});

/** Signed test values: |v| = 2^b − 1 and 2^b around every interesting width, both signs, and the edges of the small range. */
function boundaryScalars(): bigint[] {
  const out: bigint[] = [];
  for (const b of [1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 40, 52, 53, 63, 64]) {
    const m = 1n << BigInt(b);
    out.push(m - 1n, m, -(m - 1n), -m);
  }
  const M = 1n << 64n;
  out.push(r - 1n, r - (1n << 63n), r - M, r - M + 1n, r - M - 1n, M - 1n, M, M + 1n, 2n * M, (r - 1n) / 2n, (r + 1n) / 2n, 1n << 40n, r - (1n << 40n));
  return out;
}

describe('small-scalar classification', () => {
  it('msm_classify matches the bigint reference on boundaries and random scalars, and zeroes the words of small ones', () => {
    const rt = getRuntime();
    const k = rt.instantiate(buildSmallModule(rt.fields.fq.params));
    const next = rng(6);
    const scalars = [0n, 1n, ...boundaryScalars(), ...Array.from({ length: 100 }, () => Fr.random(next))].map((x) => Fr.create(x));
    const n = scalars.length;
    const words = rt.arena.alloc(32 * n);
    const mags = rt.arena.alloc(8 * n);
    const tags = rt.arena.alloc(4 * n);
    const dv = () => new DataView(rt.buffer);
    scalars.forEach((x, i) => {
      for (let j = 0; j < 4; j++) dv().setBigUint64(words + 32 * i + 8 * j, BigInt.asUintN(64, x >> BigInt(64 * j)), true);
    });
    k.msm_classify!(words, n, mags, tags);
    scalars.forEach((x, i) => {
      const want = smallTag(x);
      const tag = dv().getInt32(tags + 4 * i, true);
      expect(tag, `tag of ${x}`).toBe(want);
      const mag = dv().getBigUint64(mags + 8 * i, true);
      if (want === TAG_LARGE) expect(mag).toBe(0n);
      else expect(want & TAG_NEG ? Fr.create(-mag) : mag, `magnitude of ${x}`).toBe(x);
      let w = 0n;
      for (let j = 3; j >= 0; j--) w = (w << 64n) | dv().getBigUint64(words + 32 * i + 8 * j, true);
      expect(w).toBe(want === TAG_LARGE ? x : 0n);
    });
    // the reference itself, on the edges
    expect(smallTag(0n)).toBe(0);
    expect(smallTag((1n << 64n) - 1n)).toBe(64);
    expect(smallTag(1n << 64n)).toBe(TAG_LARGE);
    expect(smallTag(-1n)).toBe(1 | TAG_NEG);
    expect(smallTag(r - (1n << 40n))).toBe(41 | TAG_NEG);
    expect(smallTag(-((1n << 64n) - 1n))).toBe(64 | TAG_NEG);
    expect(smallTag(-(1n << 64n))).toBe(TAG_LARGE);
    for (const p of [tags, mags, words]) rt.arena.release(p);
  });

  const cost = (count: number, bits: number) => {
    const c = chooseWindow(count, bits);
    return windowCount(c, bits) * count * 7.5 + windowCount(c, bits) * 2 ** (c - 1) * 15;
  };

  it('planTiers covers every bit length present exactly once, in at most MAX_TIERS contiguous tiers', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: SMALL_BITS }), fc.integer({ min: 1, max: 1 << 16 })), { maxLength: 20 }), (entries) => {
        const hist = new Array<number>(SMALL_BITS + 1).fill(0);
        for (const [b, c] of entries) hist[b]! += c;
        const tiers = planTiers(hist, cost, 4000);
        expect(tiers.length).toBeLessThanOrEqual(MAX_TIERS);
        expect(tiers.length === 0).toBe(entries.length === 0);
        let last = 0;
        for (const t of tiers) {
          expect(t.lo).toBe(last + 1);
          expect(t.hi).toBeGreaterThanOrEqual(t.lo);
          expect(hist[t.hi]).toBeGreaterThan(0);
          expect(t.count).toBe(hist.slice(t.lo, t.hi + 1).reduce((a, b) => a + b, 0));
          last = t.hi;
        }
        if (tiers.length) expect(last).toBe(Math.max(...entries.map(([b]) => b)));
      }),
      { numRuns: 200 },
    );
  });

  it('planTiers gives a 16-bit column with a few wide entries its own tier', () => {
    const hist = new Array<number>(SMALL_BITS + 1).fill(0);
    hist[16] = 30000;
    hist[12] = 30000;
    hist[60] = 5;
    const tiers = planTiers(hist, cost, 4000);
    expect(tiers.map((t) => t.hi)).toContain(16);
    expect(tiers[tiers.length - 1]).toEqual({ lo: 17, hi: 60, count: 5 });
    expect(planTiers(new Array<number>(SMALL_BITS + 1).fill(0), cost, 4000)).toEqual([]);
  });
});

describe('window choice', () => {
  it('covers 129 bits and grows with the size', () => {
    for (let c = 2; c <= 16; c++) expect(windowCount(c) * c).toBeGreaterThanOrEqual(GLV_BITS + 1);
    for (let c = 2; c <= 16; c++) for (const bits of [1, 15, 16, 64]) expect(windowCount(c, bits) * c).toBeGreaterThanOrEqual(bits + 1);
    let last = 0;
    for (let logn = 0; logn <= 22; logn++) {
      const c = chooseWindow(2 ** (logn + 1));
      expect(c).toBeGreaterThanOrEqual(last);
      last = c;
    }
  });
});

describe.each([
  ['default runtime (SIMD where supported)', getRuntime()],
  ['scalar runtime', new FieldRuntime({ simd: false })],
] as const)('msm (%s)', (_, rt) => {
  const g = packedG1(rt);
  const F = packedFr(rt);
  const next = rng(5);
  const S = g1Mul(G1_GENERATOR, Fr.random(next));
  const s = Fr.random(next);

  it('matches the naive Σ kᵢ·Pᵢ on random inputs (sizes 1 … 100)', () => {
    for (const n of [1, 2, 3, 17, 100]) {
      const points = Array.from({ length: n }, () => nobleMul(S, Fr.random(next)));
      const scalars = Array.from({ length: n }, () => Fr.random(next));
      const v = g.fromAffine(points);
      const fv = F.fromBigints(scalars);
      const want = naiveMsm(points, scalars);
      expect(msm(v, scalars)).toEqual(want);
      expect(msm(v, fv)).toEqual(want);
      v.free();
      fv.free();
    }
  });

  it('matches noble’s Pippenger at 1000 points', () => {
    const v = g.multiples(S, 1000);
    const scalars = Array.from({ length: 1000 }, () => Fr.random(next));
    expect(msm(v, scalars)).toEqual(nobleMsm(v.toAffine(), scalars));
    v.free();
  });

  it('matches the discrete-log oracle at 4096 points: Σ kᵢ·[(i+1)s]G = [s·Σ(i+1)kᵢ]G', () => {
    const n = 4096;
    const v = g.multiples(g1Mul(G1_GENERATOR, s), n);
    const scalars = Array.from({ length: n }, () => Fr.random(next));
    const fv = F.fromBigints(scalars);
    let e = 0n;
    scalars.forEach((k, i) => (e += k * BigInt(i + 1)));
    expect(msm(v, fv)).toEqual(nobleMul(G1_GENERATOR, Fr.mul(s, Fr.create(e))));
    v.free();
    fv.free();
  });

  it('adversarial inputs: zeros, one repeated point, infinity, r − 1, scalars ≥ r, P and −P', () => {
    // points [tᵢ]S with known tᵢ (0 for infinity), so the expected sum is [Σ kᵢtᵢ]S
    const n = 300;
    const rand = Array.from({ length: n }, () => Fr.random(next));
    const logs = Array.from({ length: n }, () => Fr.random(next));
    const t7 = logs.map(() => 7n);
    const cases: [string, bigint[], bigint[]][] = [
      ['all-zero scalars', logs, rand.map(() => 0n)],
      ['one repeated point, random scalars', t7, rand],
      ['one repeated point, one repeated scalar', t7, rand.map(() => rand[0]!)],
      ['all scalars r − 1', logs, rand.map(() => r - 1n)],
      ['all scalars 1', logs, rand.map(() => 1n)],
      ['small scalars', logs, rand.map((k) => k % 4n)],
      ['infinity points', logs.map((t, i) => (i % 3 === 0 ? 0n : t)), rand],
      ['all infinity', logs.map(() => 0n), rand],
      ['P and −P with equal scalars', logs.map((t, i) => (i % 2 ? r - logs[i - 1]! : t)), rand.map((_, i) => rand[i - (i % 2)]!)],
      ['scalars ≥ r and negative', logs, rand.map((k, i) => (i % 3 === 0 ? k + r : i % 3 === 1 ? k + 5n * r : -k))],
      ['mixed: zeros, duplicates, infinity', logs.map((t, i) => (i % 5 === 0 ? 0n : i % 5 === 1 ? 7n : t)), rand.map((k, i) => (i % 7 === 0 ? 0n : k))],
    ];
    const points = new Map<bigint, G1Affine>();
    const pointOf = (t: bigint) => {
      if (!points.has(t)) points.set(t, nobleMul(S, t));
      return points.get(t)!;
    };
    for (const [name, ts, scalars] of cases) {
      const v = g.fromAffine(ts.map(pointOf));
      const e = ts.reduce((acc, t, i) => acc + t * scalars[i]!, 0n);
      expect(msm(v, scalars), name).toEqual(nobleMul(S, Fr.create(e)));
      if (name.startsWith('mixed')) {
        // the oracle itself, against the naive sum on a prefix
        const k = 40;
        expect(msm(v, scalars.slice(0, k)), `${name}, naive`).toEqual(naiveMsm(ts.slice(0, k).map(pointOf), scalars.slice(0, k)));
      }
      v.free();
    }
  });

  it('gives the same result for every window width, batch size and chunking', () => {
    const n = 64;
    const v = g.multiples(S, n);
    const scalars = Array.from({ length: n }, () => Fr.random(next));
    const want = nobleMul(S, scalars.reduce((acc, k, i) => acc + k * BigInt(i + 1), 0n));
    for (let c = 2; c <= 16; c++) expect(msm(v, scalars, { window: c }), `c = ${c}`).toEqual(want);
    for (const batchSize of [1, 2, 3, 7, 64, 5000]) expect(msm(v, scalars, { batchSize }), `batch ${batchSize}`).toEqual(want);
    const fv = F.fromBigints(scalars);
    for (const chunk of [1, 7, 32, 63]) {
      expect(msm(v, scalars, { chunk }), `chunk ${chunk}`).toEqual(want);
      expect(msm(v, fv, { chunk }), `chunk ${chunk}, packed`).toEqual(want);
    }
    fv.free();
    v.free();
  });

  it('uses the prefix of a longer point vector, and checks shapes', () => {
    const v = g.multiples(S, 10);
    const ks = [3n, 5n, 7n];
    expect(msm(v, ks)).toEqual(nobleMul(S, 3n + 10n + 21n));
    expect(msm(v, [])).toBeNull();
    expect(() => msm(v.slice(0, 2), ks)).toThrow(/at least 3 points/);
    expect(() => msm(v, [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n, 11n])).toThrow(/at least 11/);
    expect(() => msm(v, { length: 1 } as unknown as bigint[])).toThrow(/expected scalars/);
    expect(() => msm(v, ks, { window: 1 })).toThrow(/window/);
    v.free();
  });

  describe('small signed scalars', () => {
    const N = 4096;
    // points [i+1]T for a random T: Σ kᵢ·Pᵢ = [Σ (i+1)kᵢ]T, an exact oracle for any size
    const T = g1Mul(G1_GENERATOR, Fr.random(next));
    const P = g.multiples(T, N);
    const expected = (ks: readonly bigint[]) => nobleMul(T, Fr.create(ks.reduce((acc, k, i) => acc + k * BigInt(i + 1), 0n)));
    const signed = (bits: number) => () => BigInt(next() % 2 ** Math.min(bits, 31)) - BigInt(2 ** (Math.min(bits, 31) - 1));
    const small16 = signed(16);
    const check = (ks: readonly bigint[], name: string) => {
      const want = expected(ks);
      expect(msm(P, ks), name).toEqual(want);
      const fv = F.fromBigints(ks.map((k) => Fr.create(k)));
      expect(msm(P, fv), `${name}, packed`).toEqual(want);
      fv.free();
    };

    it('matches the naive Σ kᵢ·Pᵢ on small, negative, zero and mixed scalars (sizes 1 … 64)', () => {
      for (const n of [1, 2, 3, 17, 64]) {
        const points = Array.from({ length: n }, (_, i) => (i % 11 === 10 ? null : nobleMul(S, Fr.random(next))));
        const v = g.fromAffine(points);
        const kinds = [() => small16(), () => -BigInt(next() % 1000) - 1n, () => 0n, () => BigInt(next() & 1), () => Fr.random(next)];
        const ks = Array.from({ length: n }, (_, i) => kinds[(i * 7 + n) % kinds.length]!());
        expect(msm(v, ks), `n = ${n}`).toEqual(naiveMsm(points, ks));
        expect(msm(v, ks.map((k) => -k)), `n = ${n}, negated`).toEqual(naiveMsm(points, ks.map((k) => -k)));
        v.free();
      }
    });

    it('all small positive, all small negative, selectors, zeros with one large scalar, all zero', () => {
      for (const n of [1, 100, N]) {
        const pos = Array.from({ length: n }, () => BigInt(next() & 0x7fff));
        check(pos, `positive 15-bit, n = ${n}`);
        check(pos.map((k) => -k - 1n), `negative 15-bit, n = ${n}`);
        check(Array.from({ length: n }, () => BigInt(next() & 1)), `0/1 selectors, n = ${n}`);
        check(Array.from({ length: n }, () => 1n), `all ones, n = ${n}`);
        check(Array.from({ length: n }, () => -1n), `all minus ones, n = ${n}`);
        const zeros = Array.from({ length: n }, () => 0n);
        expect(msm(P, zeros)).toBeNull();
        zeros[n >> 1] = Fr.random(next);
        check(zeros, `zeros and one large, n = ${n}`);
        zeros[n >> 1] = -5n;
        check(zeros, `zeros and one −5, n = ${n}`);
      }
    });

    it('boundaries: |v| = 2^b − 1 and 2^b, r − 1, r − 2^63, r − 2^64 (large), ±2^40', () => {
      const bs = boundaryScalars();
      check(bs, 'all boundaries');
      for (const k of bs) check([k], `alone: ${k}`);
      // a classification that lost the sign of r − 2^40 (or took 2^40 as negative) is caught
      const a = msm(P, [1n << 40n]);
      const b = msm(P, [r - (1n << 40n)]);
      expect(a).toEqual(nobleMul(T, 1n << 40n));
      expect(b).toEqual(g1Neg(a));
      // and so is one that dropped the top bit of a 64-bit magnitude
      check([(1n << 64n) - 1n, -((1n << 64n) - 1n), 1n << 63n], '64-bit magnitudes');
    });

    it('mixed small/large/zero at sizes 1 … 4096, with large scalars both gathered and in place', () => {
      for (const n of [1, 2, 3, 5, 17, 64, 255, 1000, N]) {
        const ks = Array.from({ length: n }, (_, i) => [() => small16(), () => 0n, () => Fr.random(next), () => BigInt(next() & 1), signed(40)][i % 5]!());
        check(ks, `mixed, n = ${n}`);
      }
      // the large scalars are ≥ 1/4 of the input (stay in place) or fewer (gathered); and blinding at the end
      const n = 1000;
      for (const large of [0, 8, 100, 249, 250, 400, 1000]) {
        const ks = Array.from({ length: n }, (_, i) => (i >= n - large ? Fr.random(next) : small16()));
        check(ks, `${large} large of ${n}`);
      }
    });

    it('bit-length tiers: a 16-bit column with a few 33- and 60-bit entries and selectors', () => {
      const ks = Array.from({ length: N }, (_, i) => (i % 997 === 3 ? signed(31)() << 29n : i % 501 === 7 ? signed(31)() << 2n : i % 3 ? small16() : BigInt(i & 1)));
      check(ks, 'tiers');
      check(ks.map((k, i) => (i % 2 ? k : -k)), 'tiers, signs flipped');
    });

    it('points at infinity with small negative scalars', () => {
      const n = 50;
      const ts = Array.from({ length: n }, (_, i) => (i % 3 ? Fr.random(next) : 0n));
      const v = g.fromAffine(ts.map((t) => nobleMul(S, t)));
      const ks = Array.from({ length: n }, (_, i) => (i % 2 ? -BigInt(i + 1) : BigInt(i)));
      expect(msm(v, ks)).toEqual(nobleMul(S, Fr.create(ts.reduce((acc, t, i) => acc + t * ks[i]!, 0n))));
      v.free();
    });

    it('gives the same result for every window width, batch size and chunking, and with smallScalars off', () => {
      const n = 300;
      const ks = Array.from({ length: n }, (_, i) => [() => small16(), () => 0n, () => BigInt(next() & 1), signed(31), () => Fr.random(next)][i % 5]!());
      const want = expected(ks);
      for (let c = 2; c <= 16; c++) expect(msm(P, ks, { window: c }), `c = ${c}`).toEqual(want);
      for (const batchSize of [1, 3, 64, 5000]) expect(msm(P, ks, { batchSize }), `batch ${batchSize}`).toEqual(want);
      for (const chunk of [1, 7, 64, 299]) expect(msm(P, ks, { chunk }), `chunk ${chunk}`).toEqual(want);
      expect(msm(P, ks, { smallScalars: false })).toEqual(want);
    });

    it('random mixes (fast-check)', () => {
      const M = 1n << 64n;
      const scalar = fc.oneof(
        fc.constant(0n),
        fc.bigInt({ min: -(1n << 15n), max: (1n << 15n) - 1n }),
        fc.bigInt({ min: -M + 1n, max: M - 1n }),
        fc.bigInt({ min: 0n, max: r - 1n }),
        fc.constantFrom(...boundaryScalars()),
        fc.constantFrom(0n, 1n, -1n),
      );
      fc.assert(
        fc.property(fc.array(scalar, { minLength: 1, maxLength: 300 }), (ks) => {
          expect(msm(P, ks)).toEqual(expected(ks));
        }),
        { numRuns: 40 },
      );
    });

    it('frees its working memory on the small path', () => {
      const ks = Array.from({ length: 500 }, (_, i) => (i % 50 ? small16() : Fr.random(next)));
      msm(P, ks);
      const before = rt.arena.bytesInUse;
      msm(P, ks);
      msm(P, ks.map(() => 0n));
      expect(rt.arena.bytesInUse).toBe(before);
    });
  });

  it('frees its working memory', () => {
    const v = g.multiples(S, 50);
    const ks = Array.from({ length: 50 }, () => Fr.random(next));
    msm(v, ks);
    const before = rt.arena.bytesInUse;
    msm(v, ks);
    expect(rt.arena.bytesInUse).toBe(before);
    v.free();
  });
});
