/**
 * Weight-matrix commitments against slow oracles: each row commitment equals
 * noble's Σ B_kj·[τ^j]₁; (B·r)_k by Horner equals the naive Σ_j B_kj·ρ^j;
 * the folded opening verifies for the true u and is rejected for a changed
 * u entry, another matrix, a wrong point, a wrong challenge and a bad proof.
 *
 * Hiding commitments: H is the try-and-increment point recomputed here from
 * blake2b; over an SRS whose τ the test chose, C_k, π and Z equal their
 * definitions computed from τ directly, and the multi-pairing check agrees
 * with the equation e(C_γ − v·G, [1]₂) = e(π, [τ − ρ]₂)·e(H, Z) evaluated
 * pairing by pairing; round trips over several matrices verify, and a wrong
 * value, point, challenge, other weights, tampered π or Z, the blinds of
 * another commitment and an opening of the other kind are all rejected.
 *
 * Masked openings (the fold's value kept secret): V = v·G + t·H equals
 * noble's; a column commitment and a folded weight commitment that open to
 * the value hidden in one V both verify, and another V (other value or
 * other t), another point, another polynomial, other weights, tampered π or
 * Z, and swapping the two openings are all rejected.
 */
import { blake2b } from '@noble/hashes/blake2.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Fq, Fr, mulberry32 } from '../../src/field/index.js';
import { Fq12, G2_GENERATOR, g2FromNoble, g2ToNoble, NobleG2Point, nobleMsm, nobleMul, pairing } from '../../src/curve/curve.js';
import { G1_GENERATOR, g1Add, g1IsOnCurve, g1Neg } from '../../src/curve/g1.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import type { Srs } from '../../src/pcs/srs.js';
import {
  commitMatrixRows,
  type FoldedOpening,
  foldRowValues,
  HIDING_BASE_TAG,
  hashToG1,
  hiddenValue,
  hidingBase,
  type MaskedOpening,
  matrixFingerprint,
  openFoldedRows,
  openFoldedRowsMasked,
  openMasked,
  randomBlinds,
  rowEvaluations,
  verifyFoldedMasked,
  verifyFoldedOpening,
  verifyMasked,
  type WeightMatrix,
} from '../../src/pcs/matrix-commit.js';

let params: KzgParams;
beforeAll(() => {
  params = new KzgParams(unsafeDevSrs(5, 'matrix-commit-tests'));
});

const matrix = (rows: number, cols: number, seed: number): WeightMatrix => {
  let s = seed;
  const values = Array.from({ length: rows * cols }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Fr.fromSigned((s % 511) - 255); // signed 9-bit weights, as quantized models have
  });
  return { rows, cols, values };
};

describe('matrix commitments', () => {
  it('each row commitment is Σ_j B_kj·[τ^j]₁ (noble)', () => {
    const m = matrix(3, 7, 1);
    const c = commitMatrixRows(params, m);
    expect(c.commitments).toHaveLength(3);
    for (let k = 0; k < 3; k++) {
      const row = Array.from(m.values).slice(7 * k, 7 * k + 7);
      expect(c.commitments[k]).toEqual(nobleMsm(params.srs.g1.slice(0, 7), row));
    }
  });

  it('rowEvaluations is B·(1, ρ, ρ², …) computed naively', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.bigInt({ min: 0n, max: Fr.p - 1n }), (n, p, rho) => {
        const m = matrix(n, p, n * 31 + p);
        const naive = Array.from({ length: n }, (_, k) =>
          Array.from({ length: p }, (_, j) => Fr.mul(m.values[k * p + j]!, Fr.pow(rho, BigInt(j)))).reduce((a, b) => Fr.add(a, b), 0n),
        );
        expect(rowEvaluations(m, rho)).toEqual(naive);
      }),
      { numRuns: 40 },
    );
  });

  it('a folded opening over several matrices verifies; every wrong claim is rejected', () => {
    const ms = [matrix(4, 6, 2), matrix(3, 9, 3)];
    const cs = ms.map((m) => commitMatrixRows(params, m));
    const rho = 0x1234567n;
    const gamma = 0x7654321n;
    const u = ms.flatMap((m) => rowEvaluations(m, rho));
    const opening = openFoldedRows(params, ms, gamma, rho);
    const vp = params.verifierParams();
    // the opened value is what the circuit computes from u
    expect(opening.value).toBe(foldRowValues(u, gamma));
    expect(verifyFoldedOpening(cs, gamma, rho, opening, vp)).toBe(true);

    // a changed u entry changes the folded value: the opening no longer matches it
    const forged = [...u];
    forged[5] = Fr.add(forged[5]!, 1n);
    expect(verifyFoldedOpening(cs, gamma, rho, { ...opening, value: foldRowValues(forged, gamma) }, vp)).toBe(false);
    // another model's weights (one entry changed): its own opening fails against this fingerprint
    const other = [ms[0]!, { ...ms[1]!, values: Array.from(ms[1]!.values).map((v, i) => (i === 4 ? Fr.add(v, 1n) : v)) }];
    expect(verifyFoldedOpening(cs, gamma, rho, openFoldedRows(params, other, gamma, rho), vp)).toBe(false);
    expect(matrixFingerprint(other.map((m) => commitMatrixRows(params, m)))).not.toEqual(matrixFingerprint(cs));
    // opening at another point, or under another γ, or with a wrong witness
    expect(verifyFoldedOpening(cs, gamma, rho + 1n, opening, vp)).toBe(false);
    expect(verifyFoldedOpening(cs, gamma + 1n, rho, opening, vp)).toBe(false);
    expect(verifyFoldedOpening(cs, gamma, rho, { ...opening, proof: params.srs.g1[1]! }, vp)).toBe(false);
    // a point off the curve is rejected, not thrown
    expect(verifyFoldedOpening(cs, gamma, rho, { ...opening, proof: { x: 1n, y: 1n } }, vp)).toBe(false);
  });

  it('fingerprints depend on shape and order; bad shapes are typed errors naming the sizes', () => {
    const a = commitMatrixRows(params, matrix(2, 3, 4));
    const b = commitMatrixRows(params, matrix(3, 2, 5));
    expect(matrixFingerprint([a, b])).not.toEqual(matrixFingerprint([b, a]));
    expect(matrixFingerprint([a, b])).toEqual(matrixFingerprint([a, b]));
    expect(() => commitMatrixRows(params, { rows: 2, cols: 3, values: [1n, 2n] })).toThrow(/expected 2 × 3 = 6 values, got 2/);
    expect(() => commitMatrixRows(params, { rows: 1, cols: 33, values: new Array(33).fill(1n) })).toThrow(/at least 33 powers, got 32/);
  });
});

/** A seeded scalar source (tests only). */
const seeded = (seed: number) => {
  const next = mulberry32(seed);
  return () => Array.from({ length: 8 }, () => BigInt(next())).reduce((a, w) => (a << 32n) | w, 0n) % Fr.p;
};

/** P(x) for coefficients `c`, naively. */
const evalAt = (c: readonly bigint[], x: bigint) => c.reduce((a, v, j) => Fr.add(a, Fr.mul(v, Fr.pow(x, BigInt(j)))), 0n);

describe('hiding matrix commitments', () => {
  const TAU = 0x2f1e3d4c5b6a798897a6b5c4d3e2f1n;
  let known: KzgParams; // an SRS whose τ the test knows, for the oracles
  beforeAll(() => {
    const n = 16;
    const srs: Srs = { k: 4, g1: Array.from({ length: n }, (_, i) => nobleMul(G1_GENERATOR, Fr.pow(TAU, BigInt(i)))), g2: G2_GENERATOR, sG2: g2FromNoble(NobleG2Point.BASE.multiply(TAU)) };
    known = new KzgParams(srs);
  });

  it('H is the try-and-increment point of its tag: on the curve, y even, deterministic, not G', () => {
    // the oracle: the first counter whose blake2b-512 (little-endian, mod q) is an x on the curve
    let expectedX: bigint | undefined;
    for (let counter = 0; expectedX === undefined; counter++) {
      const input = new Uint8Array([...new TextEncoder().encode(HIDING_BASE_TAG), counter & 0xff, (counter >> 8) & 0xff, 0, 0]);
      const x = [...blake2b(input, { dkLen: 64 })].reverse().reduce((a, b) => (a << 8n) | BigInt(b), 0n) % Fq.p;
      if (Fq.legendre(Fq.add(Fq.mul(Fq.square(x), x), 3n)) === 1) expectedX = x;
    }
    const H = hidingBase();
    expect(H).not.toBeNull();
    expect(H!.x).toBe(expectedX);
    expect(H!.y & 1n).toBe(0n);
    expect(g1IsOnCurve(H)).toBe(true);
    expect(hashToG1(HIDING_BASE_TAG)).toEqual(H);
    expect(H).not.toEqual(G1_GENERATOR);
    const other = hashToG1('zktensor/weights/other');
    expect(g1IsOnCurve(other)).toBe(true);
    expect(other).not.toEqual(H);
  });

  it('C_k = [P_k(τ)]₁ + r_k·H (known τ); r = 0 gives the binding commitment; other r, other commitments', () => {
    const m = matrix(3, 5, 11);
    const blinds = randomBlinds(3, seeded(1));
    const c = commitMatrixRows(known, m, blinds);
    const H = hidingBase();
    for (let k = 0; k < 3; k++) {
      const row = Array.from(m.values).slice(5 * k, 5 * k + 5);
      expect(c.commitments[k]).toEqual(g1Add(nobleMul(G1_GENERATOR, evalAt(row, TAU)), nobleMul(H, blinds[k]!)));
    }
    expect(commitMatrixRows(known, m, [0n, 0n, 0n])).toEqual(commitMatrixRows(known, m));
    const again = commitMatrixRows(known, m, randomBlinds(3, seeded(2)));
    for (let k = 0; k < 3; k++) expect(again.commitments[k]).not.toEqual(c.commitments[k]);
    // the kind is part of the fingerprint: the same points read as binding or hiding differ
    expect(matrixFingerprint([c], { hiding: true })).not.toEqual(matrixFingerprint([c]));
    expect(matrixFingerprint([c], { hiding: false })).toEqual(matrixFingerprint([c]));
    // binding fingerprints are as before the kind existed: blake2b over (count, rows, cols, x, y, …) as 32-byte words
    const words = [1n, 3n, 5n, ...c.commitments.flatMap((p) => [p!.x, p!.y])];
    const bytes = Uint8Array.from(words.flatMap((w) => Array.from({ length: 32 }, (_, b) => Number((w >> BigInt(8 * (31 - b))) & 0xffn))));
    expect(matrixFingerprint([c])).toEqual(blake2b(bytes, { dkLen: 32 }));
    expect(() => commitMatrixRows(known, m, [1n, 2n])).toThrow(/expected 3 blinding scalars for a 3-row matrix, got 2/);
    expect(() => commitMatrixRows(known, m, [1n, 2n, Fr.p])).toThrow(/blinding scalar 2 .* not a canonical scalar/);
  });

  it('π = [ψ(τ)]₁ + s·H and Z = r_γ·[1]₂ − s·[τ − ρ]₂ (known τ); the check agrees with the pairing equation', () => {
    const ms = [matrix(2, 4, 21), matrix(3, 6, 22)];
    const blinds = ms.map((m, i) => randomBlinds(m.rows, seeded(30 + i)));
    const cs = ms.map((m, i) => commitMatrixRows(known, m, blinds[i]));
    const rho = 0x51234n;
    const gamma = 0x98765n;
    const s = seeded(40)();
    const o = openFoldedRows(known, ms, gamma, rho, { blinds, random: () => s });
    expect(o.kind).toBe('hiding');
    if (o.kind !== 'hiding') return;
    // P_γ's coefficients and r_γ, naively
    const width = 6;
    const pg = new Array<bigint>(width).fill(0n);
    let rg = 0n;
    let g = 1n;
    ms.forEach((m, i) => {
      for (let k = 0; k < m.rows; k++) {
        for (let j = 0; j < m.cols; j++) pg[j] = Fr.add(pg[j]!, Fr.mul(g, m.values[k * m.cols + j]!));
        rg = Fr.add(rg, Fr.mul(g, blinds[i]![k]!));
        g = Fr.mul(g, gamma);
      }
    });
    const v = evalAt(pg, rho);
    expect(o.value).toBe(v);
    const psiTau = Fr.div(Fr.sub(evalAt(pg, TAU), v), Fr.sub(TAU, rho));
    const H = hidingBase();
    expect(o.proof).toEqual(g1Add(nobleMul(G1_GENERATOR, psiTau), nobleMul(H, s)));
    expect(o.z).toEqual(g2FromNoble(NobleG2Point.BASE.multiply(Fr.add(rg, Fr.mul(s, Fr.sub(rho, TAU))))));
    // e(C_γ − v·G, [1]₂) = e(π, [τ]₂ − ρ·[1]₂) · e(H, Z), pairing by pairing
    const cg = nobleMsm(cs.flatMap((c) => c.commitments), Array.from({ length: 5 }, (_, i) => Fr.pow(gamma, BigInt(i))));
    const lhs = pairing(g1Add(cg, g1Neg(nobleMul(G1_GENERATOR, v))), G2_GENERATOR);
    const tauMinusRho = g2FromNoble(g2ToNoble(known.srs.sG2).subtract(NobleG2Point.BASE.multiply(rho)));
    const rhs = Fq12.mul(pairing(o.proof, tauMinusRho), pairing(H, o.z));
    expect(Fq12.eql(lhs, rhs)).toBe(true);
    const vp = known.verifierParams();
    expect(verifyFoldedOpening(cs, gamma, rho, o, vp, { hiding: true })).toBe(true);
    // another value: the equation fails, and so does the check
    const wrongLhs = pairing(g1Add(cg, g1Neg(nobleMul(G1_GENERATOR, Fr.add(v, 1n)))), G2_GENERATOR);
    expect(Fq12.eql(wrongLhs, rhs)).toBe(false);
    expect(verifyFoldedOpening(cs, gamma, rho, { ...o, value: Fr.add(v, 1n) }, vp, { hiding: true })).toBe(false);
  });

  it('round trip over several random matrices (fast-check), folded as the model does', () => {
    const vp = params.verifierParams();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 3 }), fc.integer(), fc.bigInt({ min: 0n, max: Fr.p - 1n }), fc.bigInt({ min: 0n, max: Fr.p - 1n }), (shapes, seed, rho, gamma) => {
        const ms = shapes.map(([r, c], i) => matrix(r, c, seed + i));
        const blinds = ms.map((m) => randomBlinds(m.rows));
        const cs = ms.map((m, i) => commitMatrixRows(params, m, blinds[i]));
        const o = openFoldedRows(params, ms, gamma, rho, { blinds });
        expect(o.value).toBe(foldRowValues(ms.flatMap((m) => rowEvaluations(m, rho)), gamma));
        expect(verifyFoldedOpening(cs, gamma, rho, o, vp, { hiding: true })).toBe(true);
        // the same weights' binding opening is not accepted by a hiding verifier
        expect(verifyFoldedOpening(cs, gamma, rho, openFoldedRows(params, ms, gamma, rho), vp, { hiding: true })).toBe(false);
      }),
      { numRuns: 6 },
    );
  });

  it('rejects a wrong value, point or challenge, other weights, tampered π or Z, wrong blinds, and the other kind', () => {
    const ms = [matrix(4, 6, 52), matrix(3, 9, 53)];
    const blinds = ms.map((m) => randomBlinds(m.rows));
    const cs = ms.map((m, i) => commitMatrixRows(params, m, blinds[i]));
    const rho = 0x1234567n;
    const gamma = 0x7654321n;
    const vp = params.verifierParams();
    const o = openFoldedRows(params, ms, gamma, rho, { blinds });
    const ok = (x: FoldedOpening, c = cs, g = gamma, r = rho) => verifyFoldedOpening(c, g, r, x, vp, { hiding: true });
    expect(ok(o)).toBe(true);
    if (o.kind !== 'hiding') throw new Error('expected a hiding opening');
    // a fresh s: another opening of the same claim, also accepted (π is masked)
    const o2 = openFoldedRows(params, ms, gamma, rho, { blinds });
    expect(o2.proof).not.toEqual(o.proof);
    expect(ok(o2)).toBe(true);

    expect(ok({ ...o, value: Fr.add(o.value, 1n) })).toBe(false);
    expect(ok(o, cs, gamma, rho + 1n)).toBe(false);
    expect(ok(o, cs, gamma + 1n, rho)).toBe(false);
    // other weights (one entry changed), opened with the same blinds or their own commitment's
    const other = [ms[0]!, { ...ms[1]!, values: Array.from(ms[1]!.values).map((v, i) => (i === 4 ? Fr.add(v, 1n) : v)) }];
    expect(ok(openFoldedRows(params, other, gamma, rho, { blinds }))).toBe(false);
    const otherBlinds = other.map((m) => randomBlinds(m.rows));
    const otherCs = other.map((m, i) => commitMatrixRows(params, m, otherBlinds[i]));
    const otherOpening = openFoldedRows(params, other, gamma, rho, { blinds: otherBlinds });
    expect(ok(otherOpening, otherCs)).toBe(true);
    expect(ok(otherOpening)).toBe(false);
    // tampered π or Z
    expect(ok({ ...o, proof: g1Add(o.proof, G1_GENERATOR) })).toBe(false);
    expect(ok({ ...o, z: g2FromNoble(g2ToNoble(o.z).add(NobleG2Point.BASE)) })).toBe(false);
    expect(ok({ ...o, z: null })).toBe(false);
    expect(ok({ ...o, proof: o2.proof })).toBe(false); // π of one opening, Z of another
    // the same weights committed with other blinds: the opening with these blinds fails against them
    const reblinded = ms.map((m) => randomBlinds(m.rows));
    const reCs = ms.map((m, i) => commitMatrixRows(params, m, reblinded[i]));
    expect(ok(o, reCs)).toBe(false);
    expect(ok(openFoldedRows(params, ms, gamma, rho, { blinds: reblinded }))).toBe(false);
    // points off the curve or outside the subgroup: rejected, not thrown
    expect(ok({ ...o, proof: { x: 1n, y: 1n } })).toBe(false);
    expect(ok({ ...o, z: { x: [1n, 0n], y: [1n, 0n] } })).toBe(false);
    // the kind is the verifier's: a binding opening against hiding commitments, and a hiding opening against binding ones
    const binding = openFoldedRows(params, ms, gamma, rho);
    expect(binding.kind).toBe('binding');
    expect(ok(binding)).toBe(false);
    expect(ok({ kind: 'binding', value: o.value, proof: o.proof })).toBe(false);
    const plain = ms.map((m) => commitMatrixRows(params, m));
    expect(verifyFoldedOpening(plain, gamma, rho, binding, vp)).toBe(true);
    expect(verifyFoldedOpening(plain, gamma, rho, binding, vp, { hiding: false })).toBe(true);
    expect(verifyFoldedOpening(plain, gamma, rho, o, vp)).toBe(false);
    // a hiding opening with all r = 0 is still of the hiding kind: accepted only by a hiding verifier (of r = 0 commitments)
    const zero = openFoldedRows(params, ms, gamma, rho, { blinds: ms.map((m) => new Array<bigint>(m.rows).fill(0n)) });
    expect(verifyFoldedOpening(plain, gamma, rho, zero, vp, { hiding: true })).toBe(true);
    expect(verifyFoldedOpening(plain, gamma, rho, zero, vp)).toBe(false);
    // blinds that do not fit the matrices are typed errors
    expect(() => openFoldedRows(params, ms, gamma, rho, { blinds: [blinds[0]!] })).toThrow(/expected blinding scalars for 2 matrices, got 1/);
    expect(() => openFoldedRows(params, ms, gamma, rho, { blinds: [blinds[0]!, [1n]] })).toThrow(/expected 3 blinding scalars for matrix 1, got 1/);
  });
});

describe('masked openings (hidden value V = v·G + t·H)', () => {
  const random = mulberry32(77);
  const scalar = () => Fr.create(BigInt(Math.floor(random() * 2 ** 52)) * 0x1000003n + 5n);

  it('V is v·G + t·H (noble) and a column opens at a row to the value hidden in V', () => {
    const vp = params.verifierParams();
    const coeffs = Array.from({ length: 32 }, () => scalar());
    const poly = params.ntt.F.fromBigints(coeffs);
    try {
      const C = params.commit(poly);
      const t = scalar();
      const point = 1n;
      const { value, opening } = openMasked(params, poly, point, { commitmentBlind: 0n, valueBlind: t, random: scalar });
      expect(value).toBe(coeffs.reduce((a, b) => Fr.add(a, b), 0n)); // P(1) = Σ coefficients
      const V = hiddenValue(params.srs.g1[0]!, value, t);
      expect(V).toEqual(nobleMsm([params.srs.g1[0]!, hidingBase()], [value, t]));
      expect(verifyMasked(C, point, V, opening, vp)).toBe(true);
      // another value, another t, another point, another polynomial
      expect(verifyMasked(C, point, hiddenValue(params.srs.g1[0]!, Fr.add(value, 1n), t), opening, vp)).toBe(false);
      expect(verifyMasked(C, point, hiddenValue(params.srs.g1[0]!, value, Fr.add(t, 1n)), opening, vp)).toBe(false);
      expect(verifyMasked(C, 2n, V, opening, vp)).toBe(false);
      expect(verifyMasked(g1Add(C, G1_GENERATOR), point, V, opening, vp)).toBe(false);
      // tampered π or Z, bad points: rejected, never thrown
      expect(verifyMasked(C, point, V, { ...opening, proof: g1Add(opening.proof, G1_GENERATOR) }, vp)).toBe(false);
      expect(verifyMasked(C, point, V, { ...opening, z: g2FromNoble(g2ToNoble(opening.z).add(NobleG2Point.BASE)) }, vp)).toBe(false);
      expect(verifyMasked(C, point, V, { ...opening, proof: { x: 1n, y: 1n } }, vp)).toBe(false);
      expect(verifyMasked(C, point, { x: 1n, y: 1n }, opening, vp)).toBe(false);
      // a second opening of the same claim has a fresh π (the mask s)
      const again = openMasked(params, poly, point, { commitmentBlind: 0n, valueBlind: t, random: scalar }).opening;
      expect(again.proof).not.toEqual(opening.proof);
      expect(verifyMasked(C, point, V, again, vp)).toBe(true);
    } finally {
      poly.free();
    }
  });

  it('a folded weight opening and a column opening sharing one V prove the two values equal', () => {
    const vp = params.verifierParams();
    const ms = [matrix(4, 6, 91), matrix(3, 9, 92)];
    const rho = 0x2345678n;
    const gamma = 0x8765432n;
    for (const hiding of [true, false]) {
      const blinds = hiding ? ms.map((m) => randomBlinds(m.rows)) : undefined;
      const cs = ms.map((m, i) => commitMatrixRows(params, m, blinds?.[i]));
      const t = scalar();
      const folded = openFoldedRowsMasked(params, ms, gamma, rho, t, { ...(blinds ? { blinds } : {}), random: scalar });
      const v = foldRowValues(ms.flatMap((m) => rowEvaluations(m, rho)), gamma);
      expect(folded.value).toBe(v);
      const V = hiddenValue(params.srs.g1[0]!, v, t);
      expect(verifyFoldedMasked(cs, gamma, rho, V, folded.opening, vp)).toBe(true);
      // a circuit column holding v at row 0 (ω^0 = 1): its own opening against the same V
      const col = params.ntt.F.fromBigints([v, 5n, 7n, 11n, 0n, 0n, 0n, 0n]);
      params.ntt.inverse(col);
      try {
        const column = openMasked(params, col, 1n, { commitmentBlind: 0n, valueBlind: t, random: scalar });
        expect(column.value).toBe(v);
        const C = params.commit(col);
        expect(verifyMasked(C, 1n, V, column.opening, vp)).toBe(true);
        // the two openings are not interchangeable, and other weights, ρ or γ fail
        const ok = (o: MaskedOpening, c = cs, g = gamma, r = rho) => verifyFoldedMasked(c, g, r, V, o, vp);
        expect(ok(column.opening)).toBe(false);
        expect(verifyMasked(C, 1n, V, folded.opening, vp)).toBe(false);
        expect(ok(folded.opening, cs, Fr.add(gamma, 1n))).toBe(false);
        expect(ok(folded.opening, cs, gamma, Fr.add(rho, 1n))).toBe(false);
        const other = [ms[0]!, { ...ms[1]!, values: Array.from(ms[1]!.values).map((x, i) => (i === 2 ? Fr.add(x, 1n) : x)) }];
        const forged = openFoldedRowsMasked(params, other, gamma, rho, t, { ...(blinds ? { blinds } : {}), random: scalar });
        expect(forged.value).not.toBe(v);
        expect(ok(forged.opening)).toBe(false);
        // a V for the forged value passes the forged fold only against the forged weights' commitments, never the column holding v
        const forgedV = hiddenValue(params.srs.g1[0]!, forged.value, t);
        expect(verifyFoldedMasked(cs, gamma, rho, forgedV, forged.opening, vp)).toBe(false);
        expect(verifyMasked(C, 1n, forgedV, column.opening, vp)).toBe(false);
      } finally {
        col.free();
      }
    }
  });
});
