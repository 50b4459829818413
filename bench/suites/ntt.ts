/**
 * Suite `ntt`: one forward NTT over Fr (time per call), interleaved A B A B.
 *
 *   zktensor      `Ntt.forward` in place on a packed vector (wasm, SIMD where
 *                 the engine has it; bit reversal, lazy butterflies, final
 *                 reduction to [0, 2p) all included)
 *   ffjavascript  `Fr.fft(buff)` of `buildBn128(true)` (single thread, wasmcurves):
 *                 a Uint8Array of n × 32-byte Montgomery elements; the call
 *                 copies the buffer, bit-reverses and runs its butterflies
 *   noble         `FFT(rootsOfUnity(Fr), Fr).direct(values)` from
 *                 @noble/curves/abstract/fft.js on a bigint array (≤ 2^18)
 *
 * Sizes 2^16, 2^18, 2^20 (quick: 2^14, 2^16); few samples at the large sizes.
 */
import { FFT, rootsOfUnity } from '@noble/curves/abstract/fft.js';
import { bn254_Fr } from '@noble/curves/bn254.js';
import { buildBn128 } from 'ffjavascript';
import { Fr, packedFr } from '../../src/field/index.js';
import { Ntt } from '../../src/poly/ntt.js';
import { interleave, seeded, type BenchRow, type Impl, type Suite } from '../lib.js';

const NOBLE_MAX = 1 << 18;

function samplesFor(n: number, quick: boolean): number {
  if (quick) return n <= 1 << 14 ? 7 : 4;
  return n <= 1 << 16 ? 9 : n <= 1 << 18 ? 5 : 3;
}

export const suite: Suite = async ({ quick }) => {
  const sizes = quick ? [1 << 14, 1 << 16] : [1 << 16, 1 << 18, 1 << 20];
  const F = packedFr();
  const ntt = Ntt.for(F);
  const bn = await buildBn128(true);
  const ffFr = bn.Fr as { fft: (b: Uint8Array) => Promise<Uint8Array> };
  const nobleFft = FFT(rootsOfUnity(bn254_Fr), bn254_Fr);
  const rows: BenchRow[] = [];
  for (const n of sizes) {
    const rng = seeded(n);
    const xs = Array.from({ length: n }, () => Fr.random(rng));
    const v = F.fromBigints(xs);
    // ffjavascript's input: 32-byte little-endian words below r (their Montgomery form; any value < r is one)
    const buff = new Uint8Array(n * 32);
    const dv = new DataView(buff.buffer);
    xs.forEach((x, i) => {
      for (let w = 0; w < 4; w++) dv.setBigUint64(32 * i + 8 * w, BigInt.asUintN(64, x >> BigInt(64 * w)), true);
    });
    const impls: Impl[] = [
      { impl: 'zktensor', run: () => ntt.forward(v), extra: { simd: ntt.usesSimd } },
      {
        impl: 'ffjavascript',
        run: async () => {
          await ffFr.fft(buff);
        },
      },
    ];
    if (n <= NOBLE_MAX) impls.push({ impl: 'noble', run: () => void nobleFft.direct(xs) });
    rows.push(...(await interleave('ntt', n, impls, samplesFor(n, quick))));
    v.free();
  }
  ntt.clearCache();
  await bn.terminate();
  return rows;
};
