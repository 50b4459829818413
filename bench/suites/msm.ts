/**
 * Suite `msm`: Σ kᵢ·Pᵢ over BN254 G1 with random scalars in [0, r) and the
 * points [1]G … [n]G (the same for every implementation).
 * Impls: zktensor (`msm` on packed points and packed Fr scalars), ffjavascript
 * (`G1.multiExpAffine`, single thread: points as 64-byte affine little-endian
 * Montgomery (R = 2^256), scalars as 32-byte little-endian integers), noble
 * (its Pippenger, sizes ≤ 2^12). Every result is checked against zktensor's
 * before timing.
 */
import { buildBn128 } from 'ffjavascript';
import { Fq, Fr, packedFr } from '../../src/field/index.js';
import { g1FromNoble, g1ToNoble, noblePippenger } from '../../src/poly/curve.js';
import { G1_GENERATOR, g1Equal, packedG1, type G1Affine } from '../../src/poly/g1.js';
import { msm } from '../../src/poly/msm.js';
import { interleave, seeded, type BenchRow, type Impl, type Suite } from '../lib.js';

interface FfCurve {
  G1: {
    multiExpAffine(points: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>;
    toAffine(p: Uint8Array): Uint8Array;
    toObject(p: Uint8Array): bigint[];
    isZero(p: Uint8Array): boolean;
  };
  terminate(): Promise<void>;
}

function le32(out: Uint8Array, off: number, x: bigint): void {
  for (let i = 0; i < 32; i++, x >>= 8n) out[off + i] = Number(x & 0xffn);
}

function fromFf(bn: FfCurve, p: Uint8Array): G1Affine {
  if (bn.G1.isZero(p)) return null;
  const [x, y] = bn.G1.toObject(bn.G1.toAffine(p));
  return { x: x!, y: y! };
}

export const suite: Suite = async ({ quick }) => {
  const sizes = quick ? [12, 14] : [12, 14, 16, 18];
  const g = packedG1();
  const F = packedFr();
  const bn = (await buildBn128(true)) as unknown as FfCurve;
  const rows: BenchRow[] = [];
  try {
    for (const logn of sizes) {
      const n = 2 ** logn;
      const rng = seeded(0x5eed + logn);
      const scalars = Array.from({ length: n }, () => Fr.random(rng));
      const pointsVec = g.multiples(G1_GENERATOR, n);
      const points = pointsVec.toAffine();
      const scalarsVec = F.fromBigints(scalars);
      // ffjavascript buffers
      const ffPoints = new Uint8Array(64 * n);
      const ffScalars = new Uint8Array(32 * n);
      for (let i = 0; i < n; i++) {
        const p = points[i]!;
        le32(ffPoints, 64 * i, Fq.create(p.x << 256n));
        le32(ffPoints, 64 * i + 32, Fq.create(p.y << 256n));
        le32(ffScalars, 32 * i, scalars[i]!);
      }
      const expected = msm(pointsVec, scalarsVec);
      const ff = fromFf(bn, await bn.G1.multiExpAffine(ffPoints, ffScalars));
      if (!g1Equal(ff, expected)) throw new Error(`msm bench: ffjavascript and zktensor disagree at 2^${logn}`);
      const impls: Impl[] = [
        { impl: 'zktensor', run: () => void msm(pointsVec, scalarsVec) },
        { impl: 'ffjavascript', run: async () => void (await bn.G1.multiExpAffine(ffPoints, ffScalars)) },
      ];
      if (logn <= 12) {
        const noblePoints = points.map(g1ToNoble);
        if (!g1Equal(g1FromNoble(noblePippenger(noblePoints, scalars)), expected)) {
          throw new Error(`msm bench: noble and zktensor disagree at 2^${logn}`);
        }
        impls.push({ impl: 'noble', run: () => void noblePippenger(noblePoints, scalars) });
      }
      const samples = logn >= 18 ? 3 : logn >= 16 ? 5 : 7;
      rows.push(...(await interleave('msm', n, impls, samples)));
      pointsVec.free();
      scalarsVec.free();
    }
  } finally {
    await bn.terminate();
  }
  return rows;
};
