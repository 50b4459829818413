import { bn254 } from '@noble/curves/bn254.js';
import { describe, expect, it } from 'vitest';
import { Fq, Fr } from '../../../src/field/index.js';
import {
  ProofFormatError,
  Transcript,
  TranscriptReader,
  TranscriptWriter,
  decodePoint,
  decodePoints,
  encodePoint,
  type TranscriptHash,
} from '../../../src/plonkish/backend/transcript.js';

const G = bn254.G1.Point.BASE.toAffine();
const P = bn254.G1.Point.BASE.multiply(123456789n).toAffine();

for (const hash of ['blake2b', 'keccak256'] as TranscriptHash[]) {
  describe(`transcript (${hash})`, () => {
    it('writer and reader derive the same challenges and the reader consumes every byte', () => {
      const w = new TranscriptWriter(hash);
      w.commonScalar(7n);
      w.writePoint({ x: P.x, y: P.y });
      const c1 = w.challenge();
      w.writeScalar(Fr.p - 1n);
      w.writePoint(null);
      const c2 = w.challenge();
      const proof = w.finish();
      expect(proof.length).toBe(96);

      const r = new TranscriptReader(proof, hash);
      r.commonScalar(7n);
      expect(r.readPoint()).toEqual({ x: P.x, y: P.y });
      expect(r.challenge()).toBe(c1);
      expect(r.readScalar()).toBe(Fr.p - 1n);
      expect(r.readPoint()).toBeNull();
      expect(r.challenge()).toBe(c2);
      r.assertEnd();
      expect(c1).not.toBe(c2);
      expect(c1 < Fr.p && c2 < Fr.p).toBe(true);
    });

    it('every absorbed difference changes the challenge (value, kind, order, label)', () => {
      const ch = (f: (t: Transcript) => void, label?: string) => {
        const t = new Transcript(hash, label);
        f(t);
        return t.challenge();
      };
      const base = ch((t) => t.commonScalar(1n));
      expect(ch((t) => t.commonScalar(2n))).not.toBe(base);
      expect(ch((t) => t.commonBytes(Fr.toBytesLE(1n)))).not.toBe(base);
      expect(ch((t) => t.commonScalar(1n), 'other-label')).not.toBe(base);
      expect(ch((t) => (t.commonScalar(1n), t.commonScalar(2n)))).not.toBe(ch((t) => (t.commonScalar(2n), t.commonScalar(1n))));
      expect(ch((t) => t.commonScalar(1n))).toBe(base);
    });
  });
}

describe('point and scalar encodings', () => {
  it('round trip points, with both parities and infinity', () => {
    for (const k of [1n, 2n, 3n, 99n, Fr.p - 1n]) {
      const a = bn254.G1.Point.BASE.multiply(k).toAffine();
      expect(decodePoint(encodePoint({ x: a.x, y: a.y }))).toEqual({ x: a.x, y: a.y });
    }
    expect(decodePoint(encodePoint(null))).toBeNull();
    expect(decodePoint(encodePoint({ x: G.x, y: G.y }))).toEqual({ x: 1n, y: 2n });
  });
  it('reject off-curve x, non-canonical x, bad infinity, short and trailing proofs, scalar ≥ r', () => {
    const off = new Uint8Array(32); // x = 0: 0³ + 3 = 3 is not a square in Fq
    expect(Fq.sqrt(3n)).toBeUndefined();
    expect(() => decodePoint(off)).toThrow(ProofFormatError);
    const big = encodePoint(null);
    big[0] = 1;
    expect(() => decodePoint(big)).toThrow(/infinity/);
    const xq = new Uint8Array(32);
    let q = Fq.p;
    for (let i = 0; i < 32; i++, q >>= 8n) xq[i] = Number(q & 0xffn);
    expect(() => decodePoint(xq)).toThrow(/modulus/);
    expect(() => new TranscriptReader(new Uint8Array(31)).readScalar('z')).toThrow(/proof ends early/);
    const r = new TranscriptReader(new Uint8Array(33));
    r.readScalar();
    expect(() => r.assertEnd()).toThrow(/trailing/);
    const over = new Uint8Array(32).fill(0xff);
    expect(() => new TranscriptReader(over).readScalar()).toThrow(/modulus/);
  });
});

describe('decodePoints (batched square roots)', () => {
  it('equals decodePoint on every point, infinity and both parities included', () => {
    const points = [null, ...Array.from({ length: 37 }, (_, i) => bn254.G1.Point.BASE.multiply(BigInt(i * i + 7) * 1000003n).toAffine()), null];
    const bytes = new Uint8Array(points.length * 32);
    points.forEach((p, i) => bytes.set(encodePoint(p ? { x: p.x, y: p.y } : null), i * 32));
    const one = points.map((_, i) => decodePoint(bytes.subarray(i * 32, (i + 1) * 32)));
    expect(decodePoints(bytes, points.length)).toEqual(one);
    expect(one.slice(1, -1)).toEqual(points.slice(1, -1).map((p) => ({ x: p!.x, y: p!.y })));
    expect(new Set(one.slice(1, -1).map((p) => p!.y & 1n)).size).toBe(2); // both parities occur
    expect(decodePoints(new Uint8Array(0), 0)).toEqual([]);
  });

  it('rejects an x off the curve, an x ≥ p and a wrong length, naming the point', () => {
    const good = encodePoint({ x: G.x, y: G.y });
    let bad = 0n;
    for (let x = 2n; ; x++) if (Fq.sqrt(Fq.add(Fq.mul(Fq.square(x), x), 3n)) === undefined) { bad = x; break; }
    const off = new Uint8Array(32);
    for (let i = 0; i < 32; i++) off[i] = Number((bad >> BigInt(8 * i)) & 0xffn);
    const both = new Uint8Array(64);
    both.set(good, 0);
    both.set(off, 32);
    expect(() => decodePoints(both, 2)).toThrow(/point 1: not on the curve/);
    const big = new Uint8Array(32);
    for (let i = 0; i < 32; i++) big[i] = Number((Fq.p >> BigInt(8 * i)) & 0xffn);
    expect(() => decodePoints(big, 1)).toThrow(/point 0: x coordinate is not below/);
    expect(() => decodePoints(good, 2)).toThrow(ProofFormatError);
  });
});
