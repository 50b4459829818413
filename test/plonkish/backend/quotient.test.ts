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
import { evaluateQuotientPart, groupsAt, quotientCoefficients, quotientGroups, quotientPartTask, queriedColumns, splitQuotient, type QuotientPart } from '../../../src/plonkish/backend/quotient.js';
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

  it('groups the constraints by the parts their degree needs', () => {
    // degrees 3, 1, 2: the degree-3 constraint needs 2 of the 4 parts, the others 1
    expect(quotientGroups(constraints, 4)).toEqual([
      { parts: 1, constraints: [1, 2] },
      { parts: 2, constraints: [0] },
    ]);
    expect(groupsAt(quotientGroups(constraints, 4), 0, 4).map((g) => g.parts)).toEqual([1, 2]);
    expect(groupsAt(quotientGroups(constraints, 4), 1, 4)).toEqual([]);
    expect(groupsAt(quotientGroups(constraints, 4), 2, 4).map((g) => g.parts)).toEqual([2]);
    expect(() => quotientGroups(constraints, 1)).toThrow(/needs 2 parts/);
  });

  it('equals each group\'s Σ y^(m−1−i)·C_i / Z_H computed with bigints at every point of the parts it needs', () => {
    const omega = Fr.rootOfUnityOfOrder(k);
    for (let part = 0; part < 4; part++) {
      const got = evaluateQuotientPart(p(part), F, ntt, (kind, column) => F.fromBigints(coeffs.get(`${kind}:${column}`)!));
      const shift = partShift({ k, degree: 4 }, part);
      const want: bigint[] = [];
      const groups = groupsAt(quotientGroups(constraints, 4), part, 4);
      for (const g of groups) {
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
          constraints.forEach((c, j) => {
            acc = Fr.mul(acc, 11n);
            if (g.constraints.includes(j)) acc = Fr.add(acc, evaluateNode(c, ev));
          });
          want.push(Fr.mul(acc, Fr.inv(Fr.sub(Fr.pow(at, BigInt(n)), 1n))));
        }
      }
      expect(got.toBigints()).toEqual(want);
      // the worker's entry, run here: the same bytes from shared column bytes
      const columns: Record<string, Uint8Array> = {};
      for (const [key, c] of coeffs) columns[key] = StoredColumn.take(F.fromBigints(c)).bytes;
      const task = { ...p(part), columns };
      const out = new Uint8Array(quotientPartTask.resultBytes(task));
      expect(out.length).toBe(want.length * ELEMENT_BYTES);
      quotientPartTask.run(task, out);
      expect(quotientPartTask.read(out, task)).toEqual(new Uint8Array(F.runtime.buffer, got.ptr, got.byteLength).slice());
      if (groups.length > 0) expect(() => quotientPartTask.run({ ...p(part), columns: {} }, out)).toThrow(/no coefficients for/);
      got.free();
    }
  });
});

describe('quotientCoefficients', () => {
  // columns whose values on H satisfy constraints of degrees 1, 2, 3, 4 and 5 (groups of 1, 2 and 4 parts)
  const k = 3;
  const n = 1 << k;
  const omega = Fr.rootOfUnityOfOrder(k);
  const constraints: ExprNode[] = [
    add(adv(5), neg(adv(0, 1))), // r = a(ωX): degree 1
    add(mul(adv(0), adv(1)), neg(adv(2))), // a·b − c: degree 2
    mul(fix(0), add(adv(3), neg(mul(adv(0), adv(1))))), // q·(e − a·b): degree 3
    add(mul(mul(adv(0), adv(1)), mul(adv(2), adv(3))), neg(adv(6))), // a·b·c·e − h: degree 4
    mul(mul(fix(0), adv(0)), add(adv(4), neg(mul(mul(adv(1), adv(2)), adv(3))))), // q·a·(g − b·c·e): degree 5
  ];
  const y = 0x1234567n;
  const values = (rng: () => number, break_?: number) => {
    const r = () => Array.from({ length: n }, () => Fr.random(rng));
    const [a, b, q] = [r(), r(), r()];
    const c = a.map((x, i) => Fr.mul(x, b[i]!));
    const e = c.slice();
    const g = b.map((x, i) => Fr.mul(Fr.mul(x, c[i]!), e[i]!));
    const h = c.map((x, i) => Fr.mul(x, Fr.mul(c[i]!, e[i]!)));
    const rot = a.map((_, i) => a[(i + 1) % n]!);
    const advice = [a, b, c, e, g, rot, h];
    if (break_ !== undefined) advice[break_]![3] = Fr.add(advice[break_]![3]!, 1n);
    const lagrange = new Map<string, bigint[]>([['fixed:0', q], ...advice.map((v, i): [string, bigint[]] => [`advice:${i}`, v])]);
    const coeffs = new Map<string, bigint[]>();
    for (const [key, v] of lagrange) {
      const c = F.fromBigints(v);
      ntt.inverse(c);
      coeffs.set(key, c.toBigints());
      c.free();
    }
    return coeffs;
  };
  const quotient = (coeffs: Map<string, bigint[]>) => {
    const parts = [0, 1, 2, 3].map((part) => {
      const v = evaluateQuotientPart({ k, degree: 5, part, y, challenges: [], constraints, cacheBytes: 2 ** 20 }, F, ntt, (kind, column) => F.fromBigints(coeffs.get(`${kind}:${column}`)!));
      const bytes = v.raw().slice();
      v.free();
      return bytes;
    });
    return quotientCoefficients(F, ntt, k, 4, quotientGroups(constraints, 4), parts);
  };

  it('gives h = Σ y^(m−1−i)·C_i / Z_H (checked at random points with bigints) when the constraints vanish', () => {
    const rng = mulberry32(5);
    expect(quotientGroups(constraints, 4).map((g) => [g.parts, g.constraints])).toEqual([
      [1, [0, 1]],
      [2, [2]],
      [4, [3, 4]],
    ]);
    const coeffs = values(rng);
    const h = quotient(coeffs)!;
    expect(h.length).toBe(4 * n);
    const hc = h.toBigints();
    for (let t = 0; t < 5; t++) {
      const x = Fr.random(rng);
      const ev = fieldEvaluator({
        advice: (q) => horner(coeffs.get(`advice:${q.column}`)!, Fr.mul(x, Fr.pow(omega, BigInt((q.rotation + n) % n)))),
        fixed: (q) => horner(coeffs.get(`fixed:${q.column}`)!, x),
        instance: () => 0n,
        challenge: () => 0n,
      });
      const sum = constraints.reduce((acc, c) => Fr.add(Fr.mul(acc, y), evaluateNode(c, ev)), 0n);
      expect(horner(hc, x)).toBe(Fr.mul(sum, Fr.inv(Fr.sub(Fr.pow(x, BigInt(n)), 1n))));
    }
    // h has degree < 4·(n − 1): the pieces hold it
    expect(splitQuotient(h, n, 4, () => 1n)).toBeDefined();
    h.free();
  });

  it('refuses a witness that breaks a low-degree group (undefined) or the top group (splitQuotient)', () => {
    // r breaks the 1-part group, e the 2-part group (and the degree-4 and 5 constraints, in the top group)
    for (const column of [5, 3]) expect(quotient(values(mulberry32(column), column)), `advice ${column}`).toBeUndefined();
    // column 6 breaks only the degree-4 constraint (the top group): the pieces cannot hold the result
    const h = quotient(values(mulberry32(6), 6))!;
    expect(h).toBeDefined();
    expect(splitQuotient(h, n, 4, () => 1n)).toBeUndefined();
    h.free();
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
