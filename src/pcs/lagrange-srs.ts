/**
 * The Lagrange-basis SRS: [L_i(τ)]₁ for the domain of size n = 2^k, derived
 * from the monomial powers [τ^j]₁ by an inverse NTT over G1:
 *     [L_i(τ)]₁ = n⁻¹ · Σ_j ω^{−ij}·[τ^j]₁
 * (halo2 derives `g_lagrange` the same way). With it, a Lagrange-form column
 * is committed without an inverse NTT.
 *
 * Radix-2 decimation in time over packed points: bit-reversed input, then
 * log n stages whose butterflies (u, t) → (u + w^j·t, u − w^j·t) run as
 * batch-affine additions (`g1_batch_add`, one inversion per batch). The
 * twiddle products w^j·t — (n/2)·(log n − 2) + 1 of them, plus n/2 more in the
 * last stage, which also carries the factor n⁻¹ (u' = n⁻¹·u, t' = (n⁻¹w^j)·t)
 * — dominate; each stage's products run batched:
 * - GLV (glv.ts): w^j ≡ k₁ + λk₂ with |k₁|, |k₂| < 2^128, the signs folded
 *   into P and φ(P) (`glv_prepare`);
 * - the joint sparse form of (|k₁|, |k₂|) (Solinas, "Low-weight binary
 *   representations for pairs of integers", 2001): digits in {−1, 0, 1}²,
 *   half of the columns nonzero, so with P ± φ(P) precomputed a product is
 *   ≈ 128 doublings and ≈ 64 additions;
 * - every doubling and every addition of a bit step, over all the stage's
 *   products, is one batch-affine call (a doubling is a pair (A, A)).
 * So a product costs ≈ 195 batch additions and the basis ≈ 100·n·log n of
 * them: about 90 MSMs of size n at k = 16 (measured: 51 s of CPU against
 * 0.55 s; the noble version this replaces took about 25 times longer). The
 * scalar products are inherent to deriving the basis from monomial points:
 * derive it once and store it (halo2 params carry it).
 */
import { ELEMENT_BYTES, Fr, getRuntime, type FieldRuntime, type KernelExports } from '../field/index.js';
import { AFFINE_BYTES as AFFINE_BYTES_, NEG_FLAG as NEG_FLAG_, batchPairsBytes, batchWorkBytes } from '../curve/g1-kernels.js';
import { packedG1, type G1AffineVec, type PackedG1 } from '../curve/g1.js';
import { buildGlvModule, glvConstants, glvSplit } from '../curve/glv.js';
import { scoped } from '../curve/msm-buckets.js';
import type { Srs } from './srs.js';
import type { AffinePoint } from '../curve/types.js';

// local copies of the layout constants for the hot loops
const AFFINE_BYTES = AFFINE_BYTES_;
const NEG_FLAG = NEG_FLAG_;
/** JSF positions: |k₁|, |k₂| < 2^128 give at most 129 digits. */
const JSF_LEN = 130;
/** Products per pass of `mulBatch` (its working set stays within a few MiB). */
const MUL_CHUNK = 4096;
/** Pairs per `g1_batch_add` call in the butterflies. */
const BUTTERFLY_BATCH = 4096;
/** Digit codes: 0 none; else source (P, Q = φ(P), P + Q, P − Q) | SRC_NEG, plus 4 so that nonzero. */
const SRC_NEG = 8;

/**
 * Joint sparse form of (a, b) ≥ 0: digits (u, v) ∈ {−1, 0, 1}² with
 * Σ uⱼ2^j = a, Σ vⱼ2^j = b, of minimal joint weight (on average half of the
 * columns nonzero). Least significant first, no trailing zero columns.
 */
export function jointSparseForm(a: bigint, b: bigint): [number, number][] {
  const out: [number, number][] = [];
  jsfDigits(a, b, (j, u, v) => (out[j] = [u, v]));
  for (let j = 0; j < out.length; j++) out[j] ??= [0, 0];
  return out;
}

/** Solinas's algorithm on the bits of a and b: emit(j, u, v) for every nonzero column j. */
function jsfDigits(a: bigint, b: bigint, emit: (j: number, u: number, v: number) => void): void {
  const A = a.toString(2);
  const B = b.toString(2);
  const bit = (x: string, j: number) => (j < x.length ? x.charCodeAt(x.length - 1 - j) - 48 : 0);
  const mod8 = (x: string, j: number) => bit(x, j) + 2 * bit(x, j + 1) + 4 * bit(x, j + 2);
  const len = Math.max(a ? A.length : 0, b ? B.length : 0);
  let d0 = 0;
  let d1 = 0;
  for (let j = 0; j < len || d0 || d1; j++) {
    const l0 = (d0 + mod8(A, j)) & 7;
    const l1 = (d1 + mod8(B, j)) & 7;
    let u0 = l0 & 1 ? ((l0 & 3) === 1 ? 1 : -1) : 0;
    let u1 = l1 & 1 ? ((l1 & 3) === 1 ? 1 : -1) : 0;
    if ((l0 === 3 || l0 === 5) && (l1 & 3) === 2) u0 = -u0;
    if ((l1 === 3 || l1 === 5) && (l0 & 3) === 2) u1 = -u1;
    if (2 * d0 === 1 + u0) d0 = 1 - d0;
    if (2 * d1 === 1 + u1) d1 = 1 - d1;
    if (u0 || u1) emit(j, u0, u1);
  }
}

/** Scalars prepared for `mulBatch`: per row, GLV signs, JSF digit codes and the top digit. */
class ScalarRows {
  readonly signs: Int32Array;
  readonly codes: Uint8Array;
  readonly top: Int16Array;

  constructor(scalars: readonly bigint[]) {
    const n = scalars.length;
    this.signs = new Int32Array(2 * n);
    this.codes = new Uint8Array(n * JSF_LEN);
    this.top = new Int16Array(n).fill(-1);
    scalars.forEach((s, row) => {
      const { k1, k2 } = glvSplit(s);
      this.signs[2 * row] = k1 < 0n ? 1 : 0;
      this.signs[2 * row + 1] = k2 < 0n ? 1 : 0;
      jsfDigits(k1 < 0n ? -k1 : k1, k2 < 0n ? -k2 : k2, (j, u, v) => {
        if (j >= JSF_LEN) throw new Error('lagrangeBasisSrs: a joint sparse form is longer than 130 digits (a bug)');
        // P: (±1, 0); Q: (0, ±1); P + Q: (1, 1) or (−1, −1); P − Q: (1, −1) or (−1, 1)
        const src = v === 0 ? 0 : u === 0 ? 1 : u === v ? 2 : 3;
        const neg = (u === 0 ? v : u) < 0;
        this.codes[row * JSF_LEN + j] = 4 | src | (neg ? SRC_NEG : 0);
        this.top[row] = j;
      });
    });
  }
}

interface Kernels {
  readonly g: PackedG1;
  readonly glv: KernelExports;
  readonly beta: number;
}
const kernelCache = new WeakMap<FieldRuntime, Kernels>();
function kernels(rt: FieldRuntime): Kernels {
  let K = kernelCache.get(rt);
  if (!K) {
    const g = packedG1(rt);
    const beta = rt.arena.alloc(ELEMENT_BYTES);
    g.fq.writeElement(beta, glvConstants().beta);
    K = { g, glv: rt.instantiate(buildGlvModule(rt.fields.fq.params)), beta };
    kernelCache.set(rt, K);
  }
  return K;
}

/**
 * out[i] ← s_{rows[i]}·(point at src[i]) for i < src.length (out: points of
 * AFFINE_BYTES, disjoint from the sources), batched as described above.
 */
function mulBatch(K: Kernels, S: ScalarRows, src: Int32Array, rows: Int32Array, out: number): void {
  const { g } = K;
  const rt = g.runtime;
  for (let start = 0; start < src.length; start += MUL_CHUNK) {
    const C = Math.min(MUL_CHUNK, src.length - start);
    scoped(rt.arena, (alloc) => {
      const X = alloc(C * AFFINE_BYTES);
      const signs = alloc(8 * C);
      const pq = alloc(2 * C * AFFINE_BYTES); // P', Q' interleaved
      const sd = alloc(2 * C * AFFINE_BYTES); // P' + Q', P' − Q' interleaved
      const pairs = alloc(batchPairsBytes(2 * C));
      const work = alloc(batchWorkBytes(2 * C));
      const acc = out + start * AFFINE_BYTES;
      const u8 = new Uint8Array(rt.buffer);
      const sg = new Int32Array(rt.buffer, signs, 2 * C);
      let maxTop = -1;
      for (let i = 0; i < C; i++) {
        const row = rows[start + i]!;
        u8.copyWithin(X + i * AFFINE_BYTES, src[start + i]!, src[start + i]! + AFFINE_BYTES);
        u8.fill(0, acc + i * AFFINE_BYTES, acc + (i + 1) * AFFINE_BYTES); // infinity
        sg[2 * i] = S.signs[2 * row]!;
        sg[2 * i + 1] = S.signs[2 * row + 1]!;
        maxTop = Math.max(maxTop, S.top[row]!);
      }
      K.glv.glv_prepare!(pq, X, signs, C, K.beta);
      u8.copyWithin(sd, pq, pq + 2 * C * AFFINE_BYTES);
      const pr = new Int32Array(rt.buffer, pairs, 4 * C);
      for (let i = 0; i < C; i++) {
        // sd: (P', Q') → (P' + Q', P' − Q'): the second slot from a copy of P'
        u8.copyWithin(sd + (2 * i + 1) * AFFINE_BYTES, pq + 2 * i * AFFINE_BYTES, pq + (2 * i + 1) * AFFINE_BYTES);
        const q = pq + (2 * i + 1) * AFFINE_BYTES;
        pr[4 * i] = sd + 2 * i * AFFINE_BYTES;
        pr[4 * i + 1] = q;
        pr[4 * i + 2] = sd + (2 * i + 1) * AFFINE_BYTES;
        pr[4 * i + 3] = q | NEG_FLAG;
      }
      g.kernels.g1_batch_add!(pairs, 2 * C, g.scratch, work);
      const sources = [pq, pq + AFFINE_BYTES, sd, sd + AFFINE_BYTES];
      for (let bit = maxTop; bit >= 0; bit--) {
        let count = 0;
        for (let i = 0; i < C; i++) {
          if (S.top[rows[start + i]!]! <= bit) continue;
          const a = acc + i * AFFINE_BYTES;
          pr[2 * count] = a;
          pr[2 * count + 1] = a;
          count++;
        }
        if (count) g.kernels.g1_batch_add!(pairs, count, g.scratch, work);
        count = 0;
        for (let i = 0; i < C; i++) {
          const code = S.codes[rows[start + i]! * JSF_LEN + bit]!;
          if (!code) continue;
          pr[2 * count] = acc + i * AFFINE_BYTES;
          pr[2 * count + 1] = (sources[code & 3]! + 2 * i * AFFINE_BYTES) | (code & SRC_NEG ? NEG_FLAG : 0);
          count++;
        }
        if (count) g.kernels.g1_batch_add!(pairs, count, g.scratch, work);
      }
    });
  }
}

function bitReverse(i: number, bits: number): number {
  let r = 0;
  for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
  return r;
}

/** [L_i(τ)]₁ for i < 2^k as packed points (k ≤ srs.k; the first 2^k powers are used). */
export function lagrangeBasisVec(srs: Srs, k: number = srs.k, runtime: FieldRuntime = getRuntime()): G1AffineVec {
  if (!Number.isInteger(k) || k < 0 || k > srs.k) throw new RangeError(`lagrangeBasisSrs: expected 0 ≤ k ≤ ${srs.k}, got ${k}`);
  const n = 2 ** k;
  const K = kernels(runtime);
  const { g } = K;
  const rt = g.runtime;
  const input: AffinePoint[] = new Array(n);
  for (let i = 0; i < n; i++) input[bitReverse(i, k)] = srs.g1[i]!;
  let a = g.fromAffine(input);
  if (n === 1) return a;
  let b = g.alloc(n);
  // rows: twiddles ω^{−t} (t < n/2; stage m uses t = j·n/2m), then n⁻¹·ω^{−t} for the last stage
  const omegaInv = Fr.inv(Fr.rootOfUnityOfOrder(k));
  const nInv = Fr.inv(BigInt(n));
  const scalars = new Array<bigint>(n);
  for (let t = 0, w = 1n; t < n / 2; t++, w = Fr.mul(w, omegaInv)) {
    scalars[t] = w;
    scalars[n / 2 + t] = Fr.mul(nInv, w);
  }
  const S = new ScalarRows(scalars);
  try {
    scoped(rt.arena, (alloc) => {
      const prod = alloc(n * AFFINE_BYTES);
      const pairs = alloc(batchPairsBytes(BUTTERFLY_BATCH));
      const work = alloc(batchWorkBytes(BUTTERFLY_BATCH));
      for (let m = 1; m < n; m *= 2) {
        // twiddle products w^j·a[s + m + j], for j ≥ 1 (w⁰ = 1); in the last
        // stage the factor n⁻¹ is folded in: t' = (n⁻¹w^j)·t for every j, and
        // u' = n⁻¹·u, stored after the t' (cheaper than scaling the n inputs)
        const last = 2 * m === n;
        const src: number[] = [];
        const rows: number[] = [];
        for (let s = 0; s < n; s += 2 * m) {
          for (let j = last ? 0 : 1; j < m; j++) {
            src.push(a.at(s + m + j));
            rows.push(last ? n / 2 + j : j * (n / (2 * m)));
          }
        }
        if (last) {
          for (let j = 0; j < m; j++) {
            src.push(a.at(j));
            rows.push(n / 2);
          }
        }
        if (src.length) mulBatch(K, S, Int32Array.from(src), Int32Array.from(rows), prod);
        // butterflies: b[s + j] = u + t, b[s + m + j] = u − t, from two copies of u
        const u8 = new Uint8Array(rt.buffer);
        for (let s = 0; s < n; s += 2 * m) {
          const u = last ? prod + m * AFFINE_BYTES : a.at(s);
          u8.copyWithin(b.at(s), u, u + m * AFFINE_BYTES);
          u8.copyWithin(b.at(s + m), u, u + m * AFFINE_BYTES);
        }
        const pr = new Int32Array(rt.buffer, pairs, 2 * BUTTERFLY_BATCH);
        let count = 0;
        let ti = 0;
        const flush = () => {
          g.kernels.g1_batch_add!(pairs, count, g.scratch, work);
          count = 0;
        };
        for (let s = 0; s < n; s += 2 * m) {
          for (let j = 0; j < m; j++) {
            const t = j === 0 && !last ? a.at(s + m) : prod + ti++ * AFFINE_BYTES;
            pr[2 * count] = b.at(s + j);
            pr[2 * count + 1] = t;
            pr[2 * count + 2] = b.at(s + m + j);
            pr[2 * count + 3] = t | NEG_FLAG;
            count += 2;
            if (count === BUTTERFLY_BATCH) flush();
          }
        }
        if (count) flush();
        [a, b] = [b, a];
      }
    });
    return a;
  } catch (e) {
    a.free();
    throw e;
  } finally {
    b.free();
  }
}

/** [L_i(τ)]₁ for i < 2^k (k ≤ srs.k; the first 2^k powers are used). */
export function lagrangeBasisSrs(srs: Srs, k: number = srs.k): AffinePoint[] {
  const v = lagrangeBasisVec(srs, k);
  try {
    return v.toAffine();
  } finally {
    v.free();
  }
}
