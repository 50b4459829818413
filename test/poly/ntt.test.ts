/**
 * The NTT against a naive O(n²) DFT in bigint, for every size 2 … 2^10, on
 * the scalar and the SIMD runtime; round trips (plain and coset), the
 * lazy-reduction bound at its extremes (every input at the top of [0, 2p)),
 * bit-for-bit agreement of the SIMD and scalar paths and of the blocked and
 * unblocked stage schedules, and the Horner / synthetic-division kernels.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldRuntime, Fr, packedFr, ShapeError, type FieldVec, type PackedField } from '../../src/field/index.js';
import { Ntt } from '../../src/poly/ntt.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
}
const randomValues = (n: number, seed: number): bigint[] => {
  const rng = seeded(seed);
  return Array.from({ length: n }, () => Fr.random(rng));
};

/** y_i = Σ_j x_j·(s·w^i)^j, the definition. */
function naiveDft(x: readonly bigint[], w: bigint, s = 1n): bigint[] {
  const n = x.length;
  const out: bigint[] = [];
  let wi = s;
  for (let i = 0; i < n; i++) {
    let acc = 0n;
    for (let j = n - 1; j >= 0; j--) acc = (acc * wi + x[j]!) % Fr.p;
    out.push(acc);
    wi = Fr.mul(wi, w);
  }
  return out;
}

/** Σ_j x_j·s^j. */
function horner(x: readonly bigint[], s: bigint): bigint {
  let acc = 0n;
  for (let j = x.length - 1; j >= 0; j--) acc = (acc * s + x[j]!) % Fr.p;
  return acc;
}

/** Raw limbs of element i, as the integer the kernels hold (Montgomery form, possibly ≥ p). */
function rawValue(v: FieldVec, i: number): bigint {
  const u32 = new Uint32Array(v.field.runtime.buffer, v.at(i), 9);
  let x = 0n;
  for (let j = 8; j >= 0; j--) x = (x << 29n) | BigInt(u32[j]!);
  return x;
}
function writeRaw(v: FieldVec, i: number, x: bigint): void {
  const u32 = new Uint32Array(v.field.runtime.buffer, v.at(i), 9);
  for (let j = 0; j < 9; j++, x >>= 29n) u32[j] = Number(x & 0x1fffffffn);
}
const rawBytes = (v: FieldVec) => Buffer.from(new Uint8Array(v.field.runtime.buffer, v.ptr, v.byteLength));
/** Identical raw memory (Buffer.equals: deep equality on megabyte arrays is slow). */
const sameRaw = (a: FieldVec, b: FieldVec) => rawBytes(a).equals(rawBytes(b));

const runtimes = { scalar: new FieldRuntime({ simd: false }), simd: new FieldRuntime() };

describe('NTT vs naive DFT', () => {
  const expected = new Map<number, { xs: bigint[]; ys: bigint[]; coset: bigint[] }>();
  for (let k = 1; k <= 10; k++) {
    const xs = randomValues(2 ** k, 100 + k);
    const w = Fr.rootOfUnityOfOrder(k);
    expected.set(k, { xs, ys: naiveDft(xs, w), coset: k <= 7 ? naiveDft(xs, w, Fr.generator) : [] });
  }

  for (const [mode, runtime] of Object.entries(runtimes)) {
    const F = packedFr(runtime);
    const engines = { blocked: Ntt.for(F), 'block 2^2': new Ntt(F, { blockLog: 2 }) };
    for (const [schedule, ntt] of Object.entries(engines)) {
      it(`forward, inverse and coset match the definition for n = 2 … 2^10 (${mode}, ${schedule})`, () => {
        expect(ntt.usesSimd).toBe(mode === 'simd');
        for (let k = 1; k <= 10; k++) {
          const { xs, ys, coset } = expected.get(k)!;
          const v = F.fromBigints(xs);
          ntt.forward(v);
          expect(v.toBigints(), `forward 2^${k}`).toEqual(ys);
          for (let i = 0; i < v.length; i++) expect(rawValue(v, i) < 2n * Fr.p).toBe(true);
          ntt.inverse(v);
          expect(v.toBigints(), `inverse 2^${k}`).toEqual(xs);
          if (coset.length) {
            ntt.cosetForward(v);
            expect(v.toBigints(), `coset forward 2^${k}`).toEqual(coset);
            ntt.cosetInverse(v);
            expect(v.toBigints(), `coset inverse 2^${k}`).toEqual(xs);
          }
          v.free();
        }
      });
    }
  }

  it('the inverse matches the definition with ω⁻¹ and 1/n', () => {
    const F = packedFr(runtimes.simd);
    const k = 6;
    const ys = randomValues(2 ** k, 7);
    const nInv = Fr.inv(2n ** BigInt(k));
    const want = naiveDft(ys, Fr.inv(Fr.rootOfUnityOfOrder(k))).map((c) => Fr.mul(c, nInv));
    const v = F.fromBigints(ys);
    Ntt.for(F).inverse(v);
    expect(v.toBigints()).toEqual(want);
    v.free();
  });

  it('a coset transform with another generator', () => {
    const F = packedFr(runtimes.simd);
    const xs = randomValues(16, 8);
    const v = F.fromBigints(xs);
    Ntt.for(F).cosetForward(v, 7n);
    expect(v.toBigints()).toEqual(naiveDft(xs, Fr.rootOfUnityOfOrder(4), 7n));
    Ntt.for(F).cosetInverse(v, 7n);
    expect(v.toBigints()).toEqual(xs);
    v.free();
  });

  it('size 1 is the identity, and bad lengths are rejected', () => {
    const F = packedFr(runtimes.simd);
    const ntt = Ntt.for(F);
    const v = F.fromBigints([42n]);
    ntt.forward(v);
    ntt.inverse(v);
    ntt.cosetForward(v);
    expect(v.toBigints()).toEqual([42n]); // a constant takes its value everywhere
    ntt.cosetInverse(v);
    expect(v.toBigints()).toEqual([42n]);
    const bad = F.alloc(12);
    expect(() => ntt.forward(bad)).toThrow(ShapeError);
    expect(() => ntt.forward(bad)).toThrow(/power-of-two length/);
    v.free();
    bad.free();
  });
});

describe('lazy reduction at the extremes', () => {
  // every input at the top of the kernels' range [0, 2p): raw values 2p − 1, 2p − 2, p, p − 1 and limb-boundary patterns
  const extremes = [2n * Fr.p - 1n, 2n * Fr.p - 2n, Fr.p, Fr.p - 1n, (1n << 253n) + (1n << 232n) - 1n, 2n * Fr.p - (1n << 29n)];
  for (const [mode, runtime] of Object.entries(runtimes)) {
    it(`inputs near 2p give exact results and outputs stay below 2p (${mode})`, () => {
      const F = packedFr(runtime);
      const ntt = Ntt.for(F);
      const Rinv = runtime.fields.fr.params.Rinv;
      for (const k of [1, 4, 9, 13]) {
        const n = 2 ** k;
        for (const top of extremes) {
          const v = F.alloc(n);
          for (let i = 0; i < n; i++) writeRaw(v, i, i % 5 === 3 ? extremes[i % extremes.length]! : top);
          const xs = Array.from({ length: n }, (_, i) => Fr.create(rawValue(v, i) * Rinv));
          ntt.forward(v);
          for (let i = 0; i < n; i++) expect(rawValue(v, i) < 2n * Fr.p).toBe(true);
          const ys = v.toBigints();
          if (k <= 9) expect(ys).toEqual(naiveDft(xs, Fr.rootOfUnityOfOrder(k)));
          else {
            // spot checks by Horner at a few points
            const w = Fr.rootOfUnityOfOrder(k);
            for (const i of [0, 1, n / 2, n - 1]) expect(ys[i]).toBe(horner(xs, Fr.pow(w, BigInt(i))));
          }
          ntt.inverse(v);
          expect(v.toBigints()).toEqual(xs);
          v.free();
        }
      }
    });
  }
});

describe('SIMD and scalar paths agree bit for bit', () => {
  it('raw outputs of forward, inverse and coset transforms are identical', () => {
    const Fs = packedFr(runtimes.scalar);
    const Fv = packedFr(runtimes.simd);
    for (const k of [2, 5, 11, 14]) {
      const xs = randomValues(2 ** k, 900 + k);
      const a = Fs.fromBigints(xs);
      const b = Fv.fromBigints(xs);
      const steps: [string, (ntt: Ntt, v: FieldVec) => void][] = [
        ['forward', (n, v) => n.forward(v)],
        ['inverse', (n, v) => n.inverse(v)],
        ['cosetForward', (n, v) => n.cosetForward(v)],
        ['cosetInverse', (n, v) => n.cosetInverse(v)],
      ];
      for (const [name, step] of steps) {
        step(Ntt.for(Fs), a);
        step(Ntt.for(Fv), b);
        expect(sameRaw(a, b), `${name} 2^${k}`).toBe(true);
      }
      expect(a.toBigints()).toEqual(xs);
      a.free();
      b.free();
    }
  });

  it('the blocked and unblocked schedules agree at 2^15 (forward checked by Horner at sample points)', () => {
    const F = packedFr(runtimes.simd);
    const k = 15;
    const xs = randomValues(2 ** k, 5);
    const a = F.fromBigints(xs);
    const b = F.fromBigints(xs);
    Ntt.for(F).forward(a);
    new Ntt(F, { blockLog: 20 }).forward(b);
    expect(sameRaw(a, b)).toBe(true);
    const ys = a.toBigints();
    const w = Fr.rootOfUnityOfOrder(k);
    for (const i of [0, 1, 12345, 2 ** k - 1]) expect(ys[i]).toBe(horner(xs, Fr.pow(w, BigInt(i))));
    a.free();
    b.free();
  });
});

describe('algebraic properties (fast-check)', () => {
  const F: PackedField = packedFr(runtimes.simd);
  const ntt = Ntt.for(F);
  const element = fc.bigInt({ min: 0n, max: Fr.p - 1n });
  const vector = fc.integer({ min: 0, max: 7 }).chain((k) => fc.array(element, { minLength: 2 ** k, maxLength: 2 ** k }));

  it('inverse ∘ forward and cosetInverse ∘ cosetForward are the identity', () => {
    fc.assert(
      fc.property(vector, (xs) => {
        const v = F.fromBigints(xs);
        ntt.forward(v);
        ntt.inverse(v);
        ntt.cosetForward(v);
        ntt.cosetInverse(v);
        const got = v.toBigints();
        v.free();
        return got.every((x, i) => x === xs[i]);
      }),
      { numRuns: 40 },
    );
  });

  it('the NTT is linear: NTT(a + c·b) = NTT(a) + c·NTT(b)', () => {
    fc.assert(
      fc.property(vector, element, fc.integer(), (xs, c, seed) => {
        const ys = randomValues(xs.length, seed);
        const lhs = F.fromBigints(xs.map((x, i) => Fr.add(x, Fr.mul(c, ys[i]!))));
        const a = F.fromBigints(xs);
        const b = F.fromBigints(ys);
        ntt.forward(lhs);
        ntt.forward(a);
        ntt.forward(b);
        F.axpy(a, c, b);
        const ok = lhs.toBigints().every((x, i) => x === a.get(i));
        for (const v of [lhs, a, b]) v.free();
        return ok;
      }),
      { numRuns: 30 },
    );
  });

  it('bit reversal is an involution that maps i to rev(i)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), (k) => {
        const n = 2 ** k;
        const xs = Array.from({ length: n }, (_, i) => BigInt(i));
        const v = F.fromBigints(xs);
        ntt.bitReverse(v);
        const once = v.toBigints();
        ntt.bitReverse(v);
        const twice = v.toBigints();
        v.free();
        const rev = (i: number) => (k === 0 ? 0 : parseInt(i.toString(2).padStart(k, '0').split('').reverse().join(''), 2));
        return once.every((x, i) => x === BigInt(rev(i))) && twice.every((x, i) => x === xs[i]);
      }),
    );
  });
});

describe('Horner and synthetic division kernels', () => {
  for (const [mode, runtime] of Object.entries(runtimes)) {
    it(`match bigint evaluation and division (${mode})`, () => {
      const F = packedFr(runtime);
      const ntt = Ntt.for(F);
      for (const len of [1, 2, 3, 17, 100]) {
        const cs = randomValues(len, len);
        const v = F.fromBigints(cs);
        for (const x of [0n, 1n, Fr.p - 1n, Fr.random(seeded(len + 1))]) {
          let want = 0n;
          for (let i = len - 1; i >= 0; i--) want = Fr.add(Fr.mul(want, x), cs[i]!);
          expect(ntt.evaluate(v, x)).toBe(want);
          const q = F.alloc(len - 1);
          expect(ntt.divideByLinear(q, v, x)).toBe(want);
          // q(X)·(X − x) + r = c(X), coefficient by coefficient
          const qs = q.toBigints();
          const back = cs.map((_, i) => Fr.sub(i > 0 ? qs[i - 1]! : 0n, Fr.mul(x, i < len - 1 ? qs[i]! : 0n)));
          back[0] = Fr.add(back[0]!, want);
          expect(back).toEqual(cs);
          q.free();
        }
        v.free();
      }
    });
  }
  it('rejects a quotient that overlaps the dividend', () => {
    const F = packedFr(runtimes.simd);
    const v = F.fromBigints([1n, 2n, 3n]);
    expect(() => Ntt.for(F).divideByLinear(v.slice(1, 2), v, 5n)).toThrow(/must not overlap/);
    v.free();
  });
});
