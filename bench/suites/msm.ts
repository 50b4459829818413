/**
 * Suite `msm`: Σ kᵢ·Pᵢ over BN254 G1 with random scalars in [0, r) and the
 * points [1]G … [n]G (the same for every implementation).
 * Impls: zktensor (`msm` on packed points and packed Fr scalars), ffjavascript
 * (`G1.multiExpAffine`, single thread: points as 64-byte affine little-endian
 * Montgomery (R = 2^256), scalars as 32-byte little-endian integers), noble
 * (its Pippenger, sizes ≤ 2^12). Every result is checked against zktensor's
 * before timing.
 *
 * Case `msm.small16` (2^16 points): the scalars of a Lagrange-form ML column,
 * uniform in [−2^15, 2^15) (negative v as r − |v|) with 8 random blinding
 * scalars at the end. Impls: zktensor; zktensor-full (the same points with
 * random scalars: the ratio column is small/full); zktensor-glv (the small
 * scalars with `smallScalars: false`, i.e. all through GLV); ffjavascript on
 * the small scalars (and on random ones, full runs only).
 */
import { buildBn128 } from 'ffjavascript';
import { Fq, Fr, packedFr } from '../../src/field/index.js';
import { g1FromNoble, g1ToNoble, noblePippenger } from '../../src/curve/curve.js';
import { G1_GENERATOR, g1Equal, packedG1, type G1Affine } from '../../src/curve/g1.js';
import { msm } from '../../src/curve/msm.js';
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

function ffBuffers(points: readonly G1Affine[], scalars: readonly bigint[]): { ffPoints: Uint8Array; ffScalars: Uint8Array } {
  const n = scalars.length;
  const ffPoints = new Uint8Array(64 * n);
  const ffScalars = new Uint8Array(32 * n);
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    le32(ffPoints, 64 * i, Fq.create(p.x << 256n));
    le32(ffPoints, 64 * i + 32, Fq.create(p.y << 256n));
    le32(ffScalars, 32 * i, Fr.create(scalars[i]!));
  }
  return { ffPoints, ffScalars };
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
      const { ffPoints, ffScalars } = ffBuffers(points, scalars);
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
    rows.push(...(await small16(bn, quick)));
  } finally {
    await bn.terminate();
  }
  return rows;
};

/** Case msm.small16: 16-bit signed scalars plus 8 blinding values vs random scalars, 2^16 points. */
async function small16(bn: FfCurve, quick: boolean): Promise<BenchRow[]> {
  const logn = 16;
  const n = 2 ** logn;
  const g = packedG1();
  const F = packedFr();
  const rng = seeded(0x5a11);
  const small = Array.from({ length: n }, (_, i) => (i >= n - 8 ? Fr.random(rng) : Fr.create(BigInt((rng() >>> 16) - 32768))));
  const full = Array.from({ length: n }, () => Fr.random(rng));
  const pointsVec = g.multiples(G1_GENERATOR, n);
  const points = pointsVec.toAffine();
  const smallVec = F.fromBigints(small);
  const fullVec = F.fromBigints(full);
  try {
    const expected = msm(pointsVec, smallVec);
    if (!g1Equal(msm(pointsVec, smallVec, { smallScalars: false }), expected)) throw new Error('msm bench: small and GLV-only paths disagree');
    const ffSmall = ffBuffers(points, small);
    if (!g1Equal(fromFf(bn, await bn.G1.multiExpAffine(ffSmall.ffPoints, ffSmall.ffScalars)), expected)) {
      throw new Error('msm bench: ffjavascript and zktensor disagree on small16');
    }
    const impls: Impl[] = [
      { impl: 'zktensor', run: () => void msm(pointsVec, smallVec) },
      { impl: 'zktensor-full', run: () => void msm(pointsVec, fullVec) },
      { impl: 'zktensor-glv', run: () => void msm(pointsVec, smallVec, { smallScalars: false }) },
      { impl: 'ffjavascript', run: async () => void (await bn.G1.multiExpAffine(ffSmall.ffPoints, ffSmall.ffScalars)) },
    ];
    if (!quick) {
      const ffFull = ffBuffers(points, full);
      impls.push({ impl: 'ffjs-full', run: async () => void (await bn.G1.multiExpAffine(ffFull.ffPoints, ffFull.ffScalars)) });
    }
    const rows = await interleave('msm.small16', n, impls, quick ? 5 : 7);
    const ns = (impl: string) => rows.find((r) => r.impl === impl)!.median_ns;
    const ratio = (a: string, b: string) => `${b}/${a} = ${(ns(b) / ns(a)).toFixed(2)}`;
    // ratios on stderr, so that --json output stays one document
    process.stderr.write(`msm.small16 speed-ups of zktensor: ${impls.slice(1).map((i) => ratio('zktensor', i.impl)).join(', ')}\n`);
    return rows;
  } finally {
    pointsVec.free();
    smallVec.free();
    fullVec.free();
  }
}
