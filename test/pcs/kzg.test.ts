/**
 * KZG and SHPLONK against independent arithmetic (noble), the SRS readers on a
 * real snarkjs ceremony file, and rejection of every kind of wrong opening.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Fr, packedFr } from '../../src/field/index.js';
import { nobleMsm } from '../../src/curve/curve.js';
import { KzgParams, checkSrs, kzgBatchVerify, unsafeDevSrs } from '../../src/pcs/kzg.js';
import { Ntt } from '../../src/poly/ntt.js';
import { shplonkProve, shplonkVerify, type ProverOpening } from '../../src/pcs/shplonk.js';
import { SrsFormatError, readHalo2Params, readPtau, truncateSrs, writeHalo2Params } from '../../src/pcs/srs.js';
import { TranscriptReader, TranscriptWriter } from '../../src/plonkish/backend/transcript.js';

const F = packedFr();
let params: KzgParams;

beforeAll(() => {
  params = new KzgParams(unsafeDevSrs(6, 'kzg-tests'));
});

const rand = (seed: number) => {
  let s = seed;
  return () => Fr.create(BigInt((s = (Math.imul(s, 1103515245) + 12345) >>> 0)) * 0x9e3779b97f4a7c15n + BigInt(s));
};

describe('KZG', () => {
  it('a commitment equals Σ cᵢ·[τⁱ]₁ computed with noble', () => {
    const r = rand(1);
    const coeffs = Array.from({ length: 37 }, r);
    const v = F.fromBigints(coeffs);
    expect(params.commit(v)).toEqual(nobleMsm(params.srs.g1.slice(0, 37), coeffs));
    v.free();
  });

  it('openings verify; a wrong value, point, commitment or proof fails', () => {
    const r = rand(2);
    const vp = params.verifierParams();
    const coeffs = F.fromBigints(Array.from({ length: 64 }, r));
    const other = F.fromBigints(Array.from({ length: 64 }, r));
    const C = params.commit(coeffs);
    const z = r();
    const { proof, value } = params.open(coeffs, z);
    expect(value).toBe(params.ntt.evaluate(coeffs, z));
    const good = { commitment: C, point: z, value, proof };
    expect(kzgBatchVerify([good], vp, 7n)).toBe(true);
    expect(kzgBatchVerify([{ ...good, value: Fr.add(value, 1n) }], vp, 7n)).toBe(false);
    expect(kzgBatchVerify([{ ...good, point: Fr.add(z, 1n) }], vp, 7n)).toBe(false);
    expect(kzgBatchVerify([{ ...good, commitment: params.commit(other) }], vp, 7n)).toBe(false);
    expect(kzgBatchVerify([{ ...good, proof: params.open(other, z).proof }], vp, 7n)).toBe(false);
    // batch of two, one wrong
    const z2 = r();
    const o2 = params.open(other, z2);
    const second = { commitment: params.commit(other), point: z2, value: o2.value, proof: o2.proof };
    expect(kzgBatchVerify([good, second], vp, 99n)).toBe(true);
    expect(kzgBatchVerify([good, { ...second, value: 0n }], vp, 99n)).toBe(false);
  });
});

describe('SHPLONK', () => {
  it('many polynomials at their own point sets verify with two G1 elements; any wrong claim fails', () => {
    const r = rand(3);
    const ntt = new Ntt(F);
    const polys = [0, 1, 2].map(() => F.fromBigints(Array.from({ length: 64 }, r)));
    const comms = polys.map((p) => params.commit(p));
    const x = r();
    const omega = Fr.rootOfUnityOfOrder(6);
    const sets = [[x, Fr.mul(x, omega)], [x], [x, Fr.mul(x, omega), Fr.mul(x, Fr.pow(omega, 5n))]];
    const openings: ProverOpening[] = polys.flatMap((p, i) =>
      sets[i]!.map((point) => ({ id: `p${i}`, poly: p, point, value: ntt.evaluate(p, point) })),
    );
    const w = new TranscriptWriter();
    shplonkProve(openings, ntt, (c) => params.commit(c), w);
    const proof = w.finish();
    expect(proof.length).toBe(64);
    const vp = params.verifierParams();
    const claims = openings.map((o) => ({ id: o.id, point: o.point, value: o.value, commitment: comms[Number(o.id.slice(1))]! }));
    const check = (cs: typeof claims) => shplonkVerify(cs, vp.group, vp.g1, vp.g2, vp.sG2, new TranscriptReader(proof));
    expect(check(claims)).toBe(true);
    expect(check(claims.map((c, i) => (i === 2 ? { ...c, value: Fr.add(c.value, 1n) } : c)))).toBe(false);
    expect(check(claims.map((c, i) => (i === 0 ? { ...c, commitment: comms[1]! } : c)))).toBe(false);
    polys.forEach((p) => p.free());
  });
});

describe('SRS', () => {
  const dir = resolve(__dirname, '../../.cache');
  const ptau = join(dir, 'test-power5.ptau');
  beforeAll(() => {
    if (existsSync(ptau)) return;
    mkdirSync(dir, { recursive: true });
    const snarkjs = resolve(__dirname, '../../node_modules/.bin/snarkjs');
    const p0 = join(dir, 'test-power5-0.ptau');
    execFileSync(snarkjs, ['powersoftau', 'new', 'bn128', '5', p0], { stdio: 'ignore' });
    execFileSync(snarkjs, ['powersoftau', 'contribute', p0, ptau, '--name=zktensor-test', '-e=fixed test entropy'], { stdio: 'ignore' });
  }, 120_000);

  it('reads a snarkjs .ptau file whose powers pass the pairing checks', () => {
    const srs = readPtau(readFileSync(ptau));
    expect(srs.k).toBe(5);
    expect(srs.g1).toHaveLength(32);
    expect(srs.g1[0]).toEqual({ x: 1n, y: 2n });
    expect(checkSrs(srs)).toBe(true);
    expect(readPtau(readFileSync(ptau), 3).g1).toHaveLength(8);
    expect(() => readPtau(readFileSync(ptau), 6)).toThrow(/k ≤ 5/);
  });

  it('rejects truncated and corrupted .ptau files with a named error', () => {
    const bytes = readFileSync(ptau);
    expect(() => readPtau(bytes.subarray(0, bytes.length - 100))).toThrow(SrsFormatError);
    expect(() => readPtau(bytes.subarray(0, 30))).toThrow(/truncated|section/);
    const magic = Uint8Array.from(bytes);
    magic[0] = 0x41;
    expect(() => readPtau(magic)).toThrow(/magic/);
    // flip a byte inside the second G1 point of section 2: off the curve (or non-canonical)
    const srsOk = readPtau(bytes);
    const corrupt = Uint8Array.from(bytes);
    let found = false;
    for (let off = 12; off < corrupt.length - 12 && !found; off++) {
      const dv = new DataView(corrupt.buffer, off);
      if (dv.getUint32(0, true) === 2 && dv.getUint32(4, true) === 63 * 64) {
        corrupt[off + 12 + 64 + 5]! ^= 0x10;
        found = true;
      }
    }
    expect(found).toBe(true);
    expect(() => readPtau(corrupt)).toThrow(/tauG1\[1\]/);
    expect(srsOk.g1).toHaveLength(32);
  });

  it('halo2 raw params round trip, and truncation keeps consistency', () => {
    const srs = readPtau(readFileSync(ptau), 4);
    const withLagrange = { ...srs, g1Lagrange: srs.g1.slice().reverse() };
    const back = readHalo2Params(writeHalo2Params(withLagrange));
    expect(back).toEqual(withLagrange);
    expect(() => readHalo2Params(writeHalo2Params(withLagrange).subarray(0, 300))).toThrow(SrsFormatError);
    expect(checkSrs(truncateSrs(srs, 2))).toBe(true);
  });

  it('checkSrs rejects an SRS with one wrong power', () => {
    const srs = unsafeDevSrs(3, 'x');
    expect(checkSrs(srs)).toBe(true);
    const g1 = srs.g1.slice();
    g1[4] = g1[5]!;
    expect(checkSrs({ ...srs, g1 })).toBe(false);
  });
});

describe('Lagrange-basis SRS', () => {
  it('Σ vᵢ·[L_i(τ)]₁ equals the commitment of the interpolated polynomial', async () => {
    const { lagrangeBasisSrs } = await import('../../src/pcs/lagrange-srs.js');
    const srs = unsafeDevSrs(4, 'lagrange');
    const lag = lagrangeBasisSrs(srs);
    expect(lag).toHaveLength(16);
    const r = rand(11);
    const values = Array.from({ length: 16 }, r);
    const coeffs = F.fromBigints(values);
    const p = new KzgParams(srs);
    p.ntt.inverse(coeffs);
    expect(nobleMsm(lag, values)).toEqual(p.commit(coeffs));
    const lagrangeValues = F.fromBigints(values);
    expect(p.commitLagrange(lagrangeValues)).toEqual(p.commit(coeffs));
    lagrangeValues.free();
    // with halo2 params the Lagrange points round trip too
    expect(readHalo2Params(writeHalo2Params({ ...srs, g1Lagrange: lag })).g1Lagrange).toEqual(lag);
    coeffs.free();
  });

  it('unsafeDevSrs carries the Lagrange basis at τ, equal to the one derived from the powers', async () => {
    const { lagrangeBasisSrs } = await import('../../src/pcs/lagrange-srs.js');
    for (const k of [0, 1, 5]) {
      const srs = unsafeDevSrs(k, 'dev-lagrange');
      expect(srs.g1Lagrange).toEqual(lagrangeBasisSrs({ ...srs, g1Lagrange: undefined }));
    }
    // a truncated SRS drops it (it belongs to one domain size)
    expect(truncateSrs(unsafeDevSrs(3, 'dev-lagrange'), 2).g1Lagrange).toBeUndefined();
  });
});
