/**
 * The main job of today's build: check the packed field against the bigint
 * reference and report its throughput. (The end-to-end model proof replaces
 * this demo when the model layer lands.)
 */
import { Fq, Fr, packedFq, packedFr, type PackedField, type PrimeField } from '../src/field/index.js';

function run(F: PackedField, S: PrimeField, n = 1 << 16): void {
  let seed = 7;
  const rng = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const xs = Array.from({ length: n }, () => S.random(rng));
  const ys = Array.from({ length: n }, () => S.random(rng));
  const a = F.fromBigints(xs);
  const b = F.fromBigints(ys);
  const o = F.alloc(n);
  F.mul(o, a, b);
  const got = o.toBigints();
  const bad = got.findIndex((v, i) => v !== S.mul(xs[i]!, ys[i]!));
  const reps = 20;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) F.mul(o, a, b);
  const ns = ((performance.now() - t0) * 1e6) / (reps * n);
  console.log(
    `${S.name}: ${n} products ${bad < 0 ? 'match the bigint reference' : `DIFFER at ${bad}`}; ` +
      `${ns.toFixed(1)} ns per multiply (${F.usesSimd ? 'SIMD' : 'scalar'} wasm)`,
  );
  for (const v of [a, b, o]) v.free();
  if (bad >= 0) process.exitCode = 1;
}

run(packedFr(), Fr);
run(packedFq(), Fq);
