/**
 * The quotient's pieces against slow oracles: one coset part evaluated with
 * packed vectors equals a bigint evaluation point by point (and the worker
 * entry writes the same bytes); the blinded split recombines to h at any
 * point, masks every piece, and refuses an h that is not a polynomial of the
 * expected degree.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ELEMENT_BYTES, Fr, mulberry32, packedFr } from '../../../src/field/index.js';
import { interpolateTask, partShift, StoredColumn } from '../../../src/plonkish/backend/columns.js';
import { evaluateQuotientPart, quotientPartTask, queriedColumns, splitQuotient, type QuotientPart } from '../../../src/plonkish/backend/quotient.js';
import { evaluateNode, fieldEvaluator, type ExprNode } from '../../../src/plonkish/frontend/index.js';
import { Ntt } from '../../../src/poly/ntt.js';

const F = packedFr();
const ntt = Ntt.for(F);
const horner = (coeffs: readonly bigint[], x: bigint) => coeffs.reduceRight((acc, c) => Fr.add(Fr.mul(acc, x), c), 0n);
const adv = (column: number, rotation = 0): ExprNode => ({ type: 'advice', column, rotation, phase: 0 });
const fix = (column: number, rotation = 0): ExprNode => ({ type: 'fixed', column, rotation });
const mul = (left: ExprNode, right: ExprNode): ExprNode => ({ type: 'product', left, right });
const add = (left: ExprNode, right: ExprNode): ExprNode => ({ type: 'sum', left, right });
const neg = (inner: ExprNode): ExprNode => ({ type: 'negated', inner });

describe('evaluateQuotientPart', () => {
  const k = 3;
  const n = 1 << k;
  const rng = mulberry32(7);
  // q·(a·b − c(ωX)) + θ·a(ω^-1 X) − 3, and a constant-only constraint
  const constraints: ExprNode[] = [
    mul(fix(0), add(mul(adv(0), adv(1)), neg(adv(2, 1)))),
    add(mul({ type: 'challenge', challenge: 0, phase: 0 }, adv(0, -1)), { type: 'constant', value: Fr.neg(3n) }),
    { type: 'scaled', inner: mul(adv(1), adv(1)), factor: 5n },
  ];
  const coeffs = new Map<string, bigint[]>();
  for (const { kind, column } of queriedColumns(constraints)) coeffs.set(`${kind}:${column}`, Array.from({ length: n }, () => Fr.random(rng)));
  const p = (part: number): QuotientPart => ({ k, degree: 4, part, y: 11n, challenges: [13n], constraints, cacheBytes: 2 ** 20 });

  it('lists each queried column once', () => {
    expect(queriedColumns(constraints).map((c) => `${c.kind}:${c.column}`).sort()).toEqual(['advice:0', 'advice:1', 'advice:2', 'fixed:0']);
  });

  it('equals Σ y^(m−1−i)·C_i / Z_H computed with bigints at every point of every part', () => {
    const omega = Fr.rootOfUnityOfOrder(k);
    for (let part = 0; part < 4; part++) {
      const got = evaluateQuotientPart(p(part), F, ntt, (kind, column) => F.fromBigints(coeffs.get(`${kind}:${column}`)!));
      const shift = partShift({ k, degree: 4 }, part);
      const want: bigint[] = [];
      for (let i = 0; i < n; i++) {
        const at = Fr.mul(shift, Fr.pow(omega, BigInt(i)));
        const leaf = (kind: string, column: number, rotation: number) => horner(coeffs.get(`${kind}:${column}`)!, Fr.mul(at, Fr.pow(omega, BigInt((rotation + n) % n))));
        const ev = fieldEvaluator({
          advice: (q) => leaf('advice', q.column, q.rotation),
          fixed: (q) => leaf('fixed', q.column, q.rotation),
          instance: () => 0n,
          challenge: () => 13n,
        });
        let acc = 0n;
        for (const c of constraints) acc = Fr.add(Fr.mul(acc, 11n), evaluateNode(c, ev));
        want.push(Fr.mul(acc, Fr.inv(Fr.sub(Fr.pow(at, BigInt(n)), 1n))));
      }
      expect(got.toBigints()).toEqual(want);
      // the worker's entry, run here: the same bytes from shared column bytes
      const columns: Record<string, Uint8Array> = {};
      for (const [key, c] of coeffs) columns[key] = StoredColumn.take(F.fromBigints(c)).bytes;
      const task = { ...p(part), columns };
      const out = new Uint8Array(quotientPartTask.resultBytes(task));
      expect(out.length).toBe(n * ELEMENT_BYTES);
      quotientPartTask.run(task, out);
      expect(quotientPartTask.read(out, task)).toEqual(new Uint8Array(F.runtime.buffer, got.ptr, got.byteLength).slice());
      expect(() => quotientPartTask.run({ ...p(part), columns: {} }, out)).toThrow(/no coefficients for/);
      got.free();
    }
  });
});

describe('splitQuotient', () => {
  const n = 16;
  it('pieces recombine to h at any point, differ with the randomness, and each piece has n coefficients', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer(), fc.bigInt({ min: 1n, max: Fr.p - 1n }), (chunks, seed, x) => {
        const rng = mulberry32(seed);
        const size = 1 << Math.ceil(Math.log2(chunks * n));
        const coeffs = Array.from({ length: size }, (_, i) => (i < chunks * (n - 1) ? Fr.random(rng) : 0n));
        const h = F.fromBigints(coeffs);
        let r = BigInt(seed >>> 0) + 1n;
        const random = () => (r = Fr.mul(r, 0x1234567n) + 1n);
        const a = splitQuotient(h, n, chunks, random)!;
        const b = splitQuotient(h, n, chunks, random)!;
        const xm = Fr.pow(x, BigInt(n - 1));
        const combine = (pieces: typeof a) => pieces.reduceRight((acc, t) => Fr.add(Fr.mul(acc, xm), horner(t.toBigints(), x)), 0n);
        expect(a.every((t) => t.length === n)).toBe(true);
        expect(combine(a)).toBe(horner(coeffs, x));
        expect(combine(b)).toBe(horner(coeffs, x));
        // every piece is masked once there are two or more
        if (chunks > 1) a.forEach((t, i) => expect(t.toBigints(), `piece ${i}`).not.toEqual(b[i]!.toBigints()));
        [...a, ...b, h].forEach((v) => v.free());
      }),
      { numRuns: 30 },
    );
  });

  it('returns undefined when h has a coefficient beyond the pieces (the constraints do not vanish)', () => {
    const chunks = 3;
    const coeffs = Array.from({ length: 64 }, (_, i) => (i === chunks * (n - 1) ? 1n : 0n));
    const h = F.fromBigints(coeffs);
    expect(splitQuotient(h, n, chunks, () => 1n)).toBeUndefined();
    expect(() => splitQuotient(F.alloc(8), n, chunks, () => 1n)).toThrow(/need 45 coefficients/);
    h.free();
  });
});

describe('interpolateTask', () => {
  it('writes the coefficients of the column (its values at ω^i reproduce them, the naive DFT)', () => {
    const k = 4;
    const n = 1 << k;
    const rng = mulberry32(3);
    const values = Array.from({ length: n }, () => Fr.random(rng));
    const task = { k, values: StoredColumn.take(F.fromBigints(values)).bytes };
    const out = new Uint8Array(interpolateTask.resultBytes(task));
    interpolateTask.run(task, out);
    const coeffs = StoredColumn.wrap(F, interpolateTask.read(out, task), n).load();
    const c = coeffs.toBigints();
    const omega = Fr.rootOfUnityOfOrder(k);
    expect(values.map((_, i) => horner(c, Fr.pow(omega, BigInt(i))))).toEqual(values);
    coeffs.free();
    // values that are not n elements are refused
    expect(() => interpolateTask.run({ k, values: new Uint8Array(8) }, new Uint8Array(8))).toThrow(/expected \d+ bytes for 16 elements/);
  });
});
