/**
 * The GLV endomorphism of BN254's G1 (Gallant–Lambert–Vanstone, "Faster point
 * multiplication on elliptic curves with efficient endomorphisms", CRYPTO
 * 2001).
 *
 * Because the curve has j-invariant 0 (y² = x³ + b) and q ≡ 1 (mod 3), the map
 * φ(x, y) = (βx, y) with β a primitive cube root of unity in Fq is an
 * automorphism; on the prime-order group it acts as multiplication by a cube
 * root of unity λ in Fr: φ(P) = [λ]P. Then k·P = k₁·P + k₂·φ(P) whenever
 * k ≡ k₁ + λk₂ (mod r), and short k₁, k₂ (≈ √r ≈ 2^127) halve the scalar
 * length of an MSM at the price of twice the points.
 *
 * Derivation (all at start-up, from the moduli only; tests re-check it):
 * - λ = g^((r−1)/3) for Fr's generator g, the other root being λ²; we take the
 *   smaller of the two, as arkworks and halo2curves do. β is whichever of
 *   Fq's two primitive cube roots of unity satisfies φ(G) = [λ]G.
 * - A reduced basis of the lattice {(a, b) : a + λb ≡ 0 (mod r)}, from the
 *   extended Euclidean algorithm on (r, λ) (GLV §4): with remainders rᵢ and
 *   cofactors tᵢ (rᵢ ≡ tᵢ·λ), take the first rₘ < √r; v₁ = (rₘ, −tₘ) and v₂
 *   the shorter of (rₘ₋₁, −tₘ₋₁), (rₘ₊₁, −tₘ₊₁).
 * - Decomposition: write (k, 0) = β₁v₁ + β₂v₂ over Q (β₁ = k·b₂/r,
 *   β₂ = −k·b₁/r since det = a₁b₂ − a₂b₁ = r), round cᵢ = ⌊βᵢ⌉ and take
 *   (k₁, k₂) = (k, 0) − c₁v₁ − c₂v₂, a lattice translate of (k, 0) so
 *   k₁ + λk₂ ≡ k. The rounding is a multiply-and-shift: cᵢ = ⌊(k·gᵢ + 2^319) / 2^320⌋
 *   with gᵢ = ⌊2^320·|bⱼ|/r⌉; its error in βᵢ is below k/2^321 < 2^−67, so
 *   cᵢ is the nearest integer except in ties that close, where it is off by
 *   one. Hence |kᵢ| ≤ (|v₁| + |v₂|)/2 + |v| < 2^128 always (BN254: |a|,|b| < 2^127).
 *
 * Kernels: `glv_split(mags, signs, words, n) → i32` (nonzero only if a
 * magnitude overflowed 128 bits, which the bound rules out) and
 * `glv_prepare(out, points, signs, n, beta)` (P and φ(P), negated where kᵢ < 0).
 */
import { Fq, Fr, ModuleBuilder, montgomery, type FunctionBuilder, type Local } from '../field/index.js';
import { AFFINE_BYTES, FqEmitter, at } from './g1-kernels.js';
import { G1_GENERATOR, g1Mul } from './g1.js';

const { ELEMENT_BYTES, toLimbs } = montgomery;

export interface GlvConstants {
  /** Cube root of unity in Fq with φ(x, y) = (βx, y) = [λ](x, y). */
  readonly beta: bigint;
  /** Cube root of unity in Fr. */
  readonly lambda: bigint;
  /** Reduced basis: aᵢ + λbᵢ ≡ 0 (mod r), a₁b₂ − a₂b₁ = r, b₁ < 0 < b₂. */
  readonly v1: readonly [bigint, bigint];
  readonly v2: readonly [bigint, bigint];
  /** Rounding multipliers ⌊2^320·b₂/r⌉ and ⌊2^320·(−b₁)/r⌉. */
  readonly g1: bigint;
  readonly g2: bigint;
}

/** Bits of the rounding shift. */
export const GLV_SHIFT = 320n;
/** Every |kᵢ| is below 2^GLV_BITS. */
export const GLV_BITS = 128;
/** Bytes of one magnitude in `glv_split`'s output: 4 words and a zero pad word. */
export const GLV_MAG_BYTES = 20;

function isqrt(n: bigint): bigint {
  let x = 1n << BigInt((n.toString(2).length + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

const roundDiv = (a: bigint, b: bigint): bigint => (2n * a + b) / (2n * b);

let cached: GlvConstants | undefined;

/** Derive (once) and return the GLV constants; see the module comment. */
export function glvConstants(): GlvConstants {
  if (cached) return cached;
  const r = Fr.p;
  const w = Fr.pow(Fr.generator, (r - 1n) / 3n);
  const lambda = w < Fr.square(w) ? w : Fr.square(w);
  const lg = g1Mul(G1_GENERATOR, lambda)!;
  const bq = Fq.pow(Fq.generator, (Fq.p - 1n) / 3n);
  const beta = [bq, Fq.square(bq)].find((b) => Fq.mul(b, G1_GENERATOR!.x) === lg.x && lg.y === G1_GENERATOR!.y);
  if (beta === undefined) throw new Error('glvConstants: no cube root of unity β with φ(G) = [λ]G');
  // extended Euclid on (r, λ): remainders R[i] ≡ T[i]·λ (mod r)
  const R = [r, lambda];
  const T = [0n, 1n];
  while (R[R.length - 1] !== 0n) {
    const i = R.length - 1;
    const q = R[i - 1]! / R[i]!;
    R.push(R[i - 1]! - q * R[i]!);
    T.push(T[i - 1]! - q * T[i]!);
  }
  const root = isqrt(r);
  let m = 0;
  while (R[m]! >= root) m++;
  const vec = (i: number): [bigint, bigint] => [R[i]!, -T[i]!];
  const norm = ([a, b]: readonly [bigint, bigint]) => a * a + b * b;
  let v1 = vec(m);
  let v2 = norm(vec(m - 1)) <= norm(vec(m + 1)) ? vec(m - 1) : vec(m + 1);
  // orient: det = +r and b₁ < 0 < b₂ (so both rounded coefficients are ≥ 0)
  if (v1[0] * v2[1] - v2[0] * v1[1] < 0n) [v1, v2] = [v2, v1];
  if (v2[1] < 0n) {
    v1 = [-v1[0], -v1[1]];
    v2 = [-v2[0], -v2[1]];
  }
  if (v1[0] * v2[1] - v2[0] * v1[1] !== r || !(v1[1] < 0n && v2[1] > 0n)) {
    throw new Error('glvConstants: the reduced basis does not have the expected orientation');
  }
  const g1 = roundDiv(v2[1] << GLV_SHIFT, r);
  const g2 = roundDiv(-v1[1] << GLV_SHIFT, r);
  cached = { beta, lambda, v1, v2, g1, g2 };
  return cached;
}

/**
 * k ≡ k₁ + λ·k₂ (mod r) with |k₁|, |k₂| < 2^128 (k reduced mod r first): the
 * bigint reference of `glv_split`, bit for bit.
 */
export function glvSplit(k: bigint): { k1: bigint; k2: bigint } {
  const { v1, v2, g1, g2 } = glvConstants();
  const e = Fr.create(k);
  const half = 1n << (GLV_SHIFT - 1n);
  const c1 = (e * g1 + half) >> GLV_SHIFT;
  const c2 = (e * g2 + half) >> GLV_SHIFT;
  return { k1: e - c1 * v1[0] - c2 * v2[0], k2: -c1 * v1[1] - c2 * v2[1] };
}

// ---------------------------------------------------------------- kernels

const WORD = 0xffffffffn;
const words = (x: bigint, count: number): bigint[] => Array.from({ length: count }, (_, i) => (x >> BigInt(32 * i)) & WORD);
const wordCount = (x: bigint) => Math.ceil(x.toString(2).length / 32);

/**
 * acc[0..width) += x·c (mod 2^(32·width)) by schoolbook rows with a running
 * carry: acc + x_i·c_j + carry < 2^64, so each step is exact in an i64.
 */
function emitMulAdd(f: FunctionBuilder, acc: Local[], x: Local[], c: readonly bigint[], width: number, t: Local, carry: Local): void {
  for (let i = 0; i < x.length && i < width; i++) {
    f.i64c(0n).set(carry);
    for (let j = 0; i + j < width; j++) {
      const cj = j < c.length ? c[j]! : 0n;
      if (cj === 0n) {
        // a zero word (or past the constant): only the carry moves on
        f.get(acc[i + j]!).get(carry).i64add().tee(t);
      } else {
        f.get(acc[i + j]!).get(x[i]!).i64c(cj).i64mul().i64add().get(carry).i64add().tee(t);
      }
      f.i64c(WORD).i64and().set(acc[i + j]!);
      f.get(t).i64c(32n).i64shrU().set(carry);
    }
  }
}

function emitSplit(mb: ModuleBuilder, K: GlvConstants): void {
  const f = mb.fn('glv_split', ['i32', 'i32', 'i32', 'i32'], ['i32']);
  const [mags, signs, src, n] = [f.param(0), f.param(1), f.param(2), f.param(3)];
  const k = f.localsOf(8, 'i64');
  const p1 = Array.from({ length: 8 + wordCount(K.g1) }, () => f.local('i64'));
  const p2 = Array.from({ length: 8 + wordCount(K.g2) }, () => f.local('i64'));
  const acc = f.localsOf(5, 'i64');
  const [t, carry, overflow] = [f.local('i64'), f.local('i64'), f.local('i64')];
  const mod160 = (x: bigint) => words(BigInt.asUintN(160, x), 5);
  const roundedProduct = (p: Local[], g: bigint) => {
    for (let i = 0; i < p.length; i++) f.i64c(i === 9 ? 1n << 31n : 0n).set(p[i]!); // + 2^319
    emitMulAdd(f, p, k, words(g, wordCount(g)), p.length, t, carry);
    return p.slice(10); // ⌊·/2^320⌋
  };
  /** Store acc (mod 2^160, two's complement) as sign and magnitude; OR limb 4 of the magnitude into overflow. */
  const storeSigned = (offMag: number, offSign: number) => {
    f.get(signs).get(acc[4]!).i64c(31n).i64shrU().i32wrapI64().i32store(offSign);
    f.get(acc[4]!).i64c(31n).i64shrU().i32wrapI64().if_();
    f.i64c(1n).set(carry);
    for (let j = 0; j < 5; j++) {
      f.get(acc[j]!).i64c(WORD).i64xor().get(carry).i64add().tee(t).i64c(WORD).i64and().set(acc[j]!);
      f.get(t).i64c(32n).i64shrU().set(carry);
    }
    f.end();
    for (let j = 0; j < 4; j++) f.get(mags).get(acc[j]!).i64store32(offMag + 4 * j);
    f.get(mags).i32c(0).i32store(offMag + 16);
    f.get(overflow).get(acc[4]!).i64or().set(overflow);
  };
  f.i64c(0n).set(overflow);
  f.block().loop();
  f.get(n).i32eqz().brIf(1);
  for (let i = 0; i < 8; i++) f.get(src).i64load32u(4 * i).set(k[i]!);
  const c1 = roundedProduct(p1, K.g1);
  const c2 = roundedProduct(p2, K.g2);
  // k₁ = k − c₁a₁ − c₂a₂ and k₂ = −c₁b₁ − c₂b₂, mod 2^160
  for (let j = 0; j < 5; j++) f.get(k[j]!).set(acc[j]!);
  emitMulAdd(f, acc, c1, mod160(-K.v1[0]), 5, t, carry);
  emitMulAdd(f, acc, c2, mod160(-K.v2[0]), 5, t, carry);
  storeSigned(0, 0);
  for (let j = 0; j < 5; j++) f.i64c(0n).set(acc[j]!);
  emitMulAdd(f, acc, c1, mod160(-K.v1[1]), 5, t, carry);
  emitMulAdd(f, acc, c2, mod160(-K.v2[1]), 5, t, carry);
  storeSigned(GLV_MAG_BYTES, 4);
  f.get(src).i32c(32).i32add().set(src);
  f.get(mags).i32c(2 * GLV_MAG_BYTES).i32add().set(mags);
  f.get(signs).i32c(8).i32add().set(signs);
  f.get(n).i32c(1).i32sub().set(n);
  f.br(0).end().end();
  f.get(overflow).i64eqz().i32eqz();
}

function emitPrepare(mb: ModuleBuilder, mp: montgomery.MontgomeryParams): void {
  const f = mb.fn('glv_prepare', ['i32', 'i32', 'i32', 'i32', 'i32']);
  const [out, pts, signs, n, beta] = [f.param(0), f.param(1), f.param(2), f.param(3), f.param(4)];
  const F = new FqEmitter(f, mp, toLimbs(mp.R));
  const Y = ELEMENT_BYTES;
  const signedY = (dst: number, signOffset: number) => {
    f.get(signs).i32load(signOffset).if_();
    F.neg(at(out, dst + Y), at(pts, Y));
    f.else_();
    F.copy(at(out, dst + Y), at(pts, Y));
    f.end();
  };
  f.block().loop();
  f.get(n).i32eqz().brIf(1);
  F.copy(at(out), at(pts));
  signedY(0, 0);
  F.mul(at(out, AFFINE_BYTES), at(pts), at(beta));
  signedY(AFFINE_BYTES, 4);
  f.get(out).i32c(2 * AFFINE_BYTES).i32add().set(out);
  f.get(pts).i32c(AFFINE_BYTES).i32add().set(pts);
  f.get(signs).i32c(8).i32add().set(signs);
  f.get(n).i32c(1).i32sub().set(n);
  f.br(0).end().end();
}

/**
 * msm_digits(out, mags, n, c, w0, w1, carry, points) → count: the signed
 * base-2^c digits of windows [w0, w1) of n magnitudes, scalar-major. A digit
 * v > 2^(c−1) becomes v − 2^c with a carry into the next window (carry[j], an
 * i32 per scalar, persists between calls). Every nonzero digit d of scalar j
 * in window w becomes an entry (w·2^(c−1) + |d| − 1, points + 72j | sign):
 * a bucket index and the signed source point of `g1_batch_add`. Windows are
 * read with one 8-byte load at byte ⌊wc/8⌋ (the zero pad word keeps the
 * read inside the record for every window of a 128-bit magnitude; `mags`
 * needs 8 bytes of slack after its end).
 */
function emitDigits(mb: ModuleBuilder): void {
  const f = mb.fn('msm_digits', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], ['i32']);
  const [out, mags, n, c, w0, w1, carry, points] = f.paramsOf(8);
  const [start, w, bit, v, cj, half, mask, src] = f.localsOf(8, 'i32');
  f.get(out).set(start);
  f.i32c(1).get(c).i32c(1).i32sub().i32shl().set(half);
  f.get(half).get(half).i32add().i32c(1).i32sub().set(mask);
  f.block().loop();
  f.get(n).i32eqz().brIf(1);
  f.get(carry).i32load(0).set(cj);
  f.get(w0).set(w);
  f.get(w0).get(c).i32mul().set(bit);
  f.block().loop();
  f.get(w).get(w1).i32eq().brIf(1);
  // v = bits [bit, bit + c) + carry
  f.get(mags).get(bit).i32c(3).i32shrU().i32add().i64load(0);
  f.get(bit).i32c(7).i32and().i64extendI32U().i64shrU().i32wrapI64().get(mask).i32and().get(cj).i32add().set(v);
  f.get(points).set(src);
  f.i32c(0).set(cj);
  f.get(v).get(half).i32gtu().if_();
  f.i32c(1).set(cj);
  f.get(mask).get(v).i32sub().i32c(1).i32add().set(v); // 2^c − v
  f.get(src).i32c(1).i32or().set(src);
  f.end();
  f.get(v).if_();
  f.get(out).get(w).get(half).i32mul().get(v).i32add().i32c(1).i32sub().i32store(0);
  f.get(out).get(src).i32store(4);
  f.get(out).i32c(8).i32add().set(out);
  f.end();
  f.get(w).i32c(1).i32add().set(w);
  f.get(bit).get(c).i32add().set(bit);
  f.br(0).end().end();
  f.get(carry).get(cj).i32store(0);
  f.get(carry).i32c(4).i32add().set(carry);
  f.get(mags).i32c(GLV_MAG_BYTES).i32add().set(mags);
  f.get(points).i32c(AFFINE_BYTES).i32add().set(points);
  f.get(n).i32c(1).i32sub().set(n);
  f.br(0).end().end();
  f.get(out).get(start).i32sub().i32c(3).i32shrU();
}

/** Fields (i32 indices) of the state record of `msm_fill`. */
export enum FillState {
  Entries = 0, // (bucket, source) pairs to schedule
  Pos = 1, // next entry
  End = 2, // entry count
  Mark = 3, // i32 per bucket: the batch stamp that last took it
  Stamp = 4,
  Pairs = 5, // the batch: (bucket pointer, source) pairs
  Count = 6,
  Size = 7, // batch capacity, also the queue's
  Queue = 8, // entries that collided with the batch
  Queued = 9,
  Buckets = 10, // bucket 0's address
  Fields = 11,
}

/**
 * msm_fill(state) → 0 when every entry is scheduled, 1 when the batch is full
 * (run it, bump the stamp, call again), 2 when the entry at Pos collides and
 * the queue is full (the caller decides). An entry whose bucket is already in
 * the batch (mark = stamp) goes to the queue; otherwise it joins the batch.
 */
function emitFill(mb: ModuleBuilder): void {
  const f = mb.fn('msm_fill', ['i32'], ['i32']);
  const st = f.param(0);
  const [e, end, mark, stamp, pairs, count, size, queue, queued, buckets, b, src] = f.localsOf(12, 'i32');
  const field = (k: FillState) => 4 * k;
  f.get(st).i32load(field(FillState.Entries)).get(st).i32load(field(FillState.Pos)).i32c(8).i32mul().i32add().set(e);
  f.get(st).i32load(field(FillState.Entries)).get(st).i32load(field(FillState.End)).i32c(8).i32mul().i32add().set(end);
  for (const [l, k] of [[mark, FillState.Mark], [stamp, FillState.Stamp], [pairs, FillState.Pairs], [count, FillState.Count], [size, FillState.Size], [queue, FillState.Queue], [queued, FillState.Queued], [buckets, FillState.Buckets]] as const) {
    f.get(st).i32load(field(k)).set(l);
  }
  const save = (code: number) => {
    f.get(st).get(e).get(st).i32load(field(FillState.Entries)).i32sub().i32c(3).i32shrU().i32store(field(FillState.Pos));
    f.get(st).get(count).i32store(field(FillState.Count));
    f.get(st).get(queued).i32store(field(FillState.Queued));
    f.i32c(code).return_();
  };
  f.block().loop();
  f.get(e).get(end).i32eq().brIf(1);
  f.get(count).get(size).i32eq().if_();
  save(1);
  f.end();
  f.get(e).i32load(0).set(b);
  f.get(e).i32load(4).set(src);
  f.get(mark).get(b).i32c(2).i32shl().i32add().tee(b).i32load(0).get(stamp).i32eq().if_();
  f.get(queued).get(size).i32eq().if_();
  save(2);
  f.end();
  f.get(queue).get(queued).i32c(3).i32shl().i32add().tee(src);
  f.get(e).i32load(0).i32store(0);
  f.get(src).get(e).i32load(4).i32store(4);
  f.get(queued).i32c(1).i32add().set(queued);
  f.else_();
  f.get(b).get(stamp).i32store(0);
  f.get(pairs).get(count).i32c(3).i32shl().i32add().tee(b); // b: the pair's address now
  f.get(buckets).get(e).i32load(0).i32c(AFFINE_BYTES).i32mul().i32add().i32store(0);
  f.get(b).get(src).i32store(4);
  f.get(count).i32c(1).i32add().set(count);
  f.end();
  f.get(e).i32c(8).i32add().set(e);
  f.br(0).end().end();
  save(0);
}

/** The MSM's scalar-side module: `glv_split`, `glv_prepare`, `msm_digits`, `msm_fill`. */
export function buildGlvModule(mp: montgomery.MontgomeryParams): ModuleBuilder {
  const mb = new ModuleBuilder();
  emitSplit(mb, glvConstants());
  emitPrepare(mb, mp);
  emitDigits(mb);
  emitFill(mb);
  return mb;
}
