/**
 * Multi-scalar multiplication Σ kᵢ·Pᵢ over G1 — the cost centre of KZG
 * commitments.
 *
 * Pippenger's bucket method (Pippenger, "On the evaluation of powers and
 * related problems", FOCS 1976; Bernstein et al.'s presentation), with the
 * scalars first sorted by size, so that the cost follows the size of the
 * scalars (Lagrange-form columns of ML circuits are mostly small signed
 * integers, zeros and selectors, plus a few random blinding values):
 * - Classification (msm-small.ts): zero scalars are dropped; a scalar k with
 *   |v| = min(k, r − k) < 2^64 is *small*: k·P = |v|·(±P), the sign folded
 *   into the point. Small scalars are grouped into up to three bit-length
 *   tiers (`planTiers`), each a bucket pass with ⌈(b+1)/c⌉ windows for its
 *   largest bit length b — no GLV.
 * - The rest (*large*) go through GLV (glv.ts): each kᵢ·Pᵢ becomes
 *   k₁·P + k₂·φ(P) with |k₁|, |k₂| < 2^128, so 2n points with 128-bit
 *   scalars; signs are folded into the points. When they are most of the
 *   input they stay in place (the small ones' words were zeroed); otherwise
 *   they are gathered first.
 * - Each bucket pass (msm-buckets.ts): signed digits in base 2^c (a digit
 *   above 2^(c−1) becomes digit − 2^c with a carry into the next window, so a
 *   window needs 2^(c−1) buckets, −d·P going to bucket d as −P);
 *   batch-affine bucket accumulation (the scheduling trick of Aztec's
 *   Barretenberg and gnark: additions with distinct buckets share one
 *   inversion, ≈ 6 multiplications each; collisions wait in a queue or spill
 *   to XYZZ accumulators); windows scheduled in cache-sized groups; window
 *   sums Σ (j+1)·B_j by batch-affine running sums; Horner over windows.
 * The passes' results are summed in XYZZ and normalised once.
 *
 * Each window c minimises a cost model (≈ 7.5 multiplications per bucket
 * addition, more when a window's buckets overflow the cache, two additions
 * per bucket in the reduction).
 */
import { ELEMENT_BYTES, FieldVec, Fr, ShapeError, type FieldRuntime, type KernelExports } from '../field/index.js';
import { AFFINE_BYTES, XYZZ_BYTES } from './g1-kernels.js';
import { g1Add, type G1Affine, type G1AffineVec, type PackedG1 } from './g1.js';
import { GLV_BITS, GLV_MAG_BYTES, buildGlvModule, glvConstants } from './glv.js';
import { GROUP_BYTES, bucketSum, scoped, type Alloc } from './msm-buckets.js';
import { SMALL_BITS, SMALL_MAG_BYTES, TAG_LARGE, buildSmallModule, planTiers } from './msm-small.js';

export interface MsmOptions {
  /** Window width c in bits (2 … 16) of every bucket pass; chosen by the cost model when omitted. */
  readonly window?: number;
  /** Most additions per shared inversion (default: a quarter of the live buckets, at most 2048). */
  readonly batchSize?: number;
  /** Most points per pass (default 2^20): longer MSMs are summed from chunks, bounding the working memory. */
  readonly chunk?: number;
  /**
   * Treat scalars with |v| < 2^64 (v or v − r) as small (default true); false
   * sends every scalar through GLV, as for random scalars (benchmarks, tests).
   */
  readonly smallScalars?: boolean;
}

// the cost model, in field multiplications (measured: a batch addition costs
// about 7.5 with its overhead, a bucket of the reduction two of them)
const ADD_COST = 7.5;
const REDUCE_COST = 15;
/** Extra cost of an addition whose window's buckets overflow GROUP_BYTES (cache misses). */
const CACHE_MISS_COST = 2;
/** Fixed cost of one more bucket pass (allocation, Horner, the sum), for the tier plan. */
const PASS_COST = 4000;
/** Points per MSM pass; longer MSMs are summed from chunks to bound memory. */
const MAX_CHUNK = 1 << 20;
/** Distinct buckets a window should offer for batches to fill (else the pass uses bucket lanes). */
const LIVE_BUCKETS = 1024;
const MAX_LANES = 256;
/** Large scalars stay in place (no gather) when they are at least 1/GATHER_RATIO of the input. */
const GATHER_RATIO = 4;

/** Number of windows for width c over `bits`-bit magnitudes: W·c ≥ bits + 1, so signed digits never carry out of the top. */
export function windowCount(c: number, bits: number = GLV_BITS): number {
  return Math.max(1, Math.ceil((bits + 1) / c));
}

/** Cost-model estimate of one bucket pass over `count` magnitudes of `bits` bits with window c. */
function passCost(count: number, bits: number, c: number): number {
  const W = windowCount(c, bits);
  const half = 2 ** (c - 1);
  const add = ADD_COST + (half * AFFINE_BYTES > GROUP_BYTES ? CACHE_MISS_COST : 0);
  return W * count * add + W * half * REDUCE_COST;
}

/** The window width the cost model picks for `count` magnitudes of `bits` bits (default: GLV sub-scalars, twice the MSM size). */
export function chooseWindow(count: number, bits: number = GLV_BITS): number {
  let best = 2;
  let bestCost = Infinity;
  for (let c = 2; c <= 16; c++) {
    const cost = passCost(count, bits, c);
    if (cost < bestCost) [best, bestCost] = [c, cost];
  }
  return best;
}

/**
 * Bucket copies for a pass over `count` magnitudes of `bits` bits with window
 * c: its top window uses about 2^(bits − c(W−1)) buckets (one for selectors),
 * too few to fill batches; copies multiply them, as long as reducing the
 * copies costs under a quarter of the additions.
 */
function laneCount(count: number, bits: number, c: number): number {
  const W = windowCount(c, bits);
  const half = 2 ** (c - 1);
  const used = Math.min(half, 2 ** (bits - c * (W - 1)));
  const most = Math.min(MAX_LANES, (count * ADD_COST) / (4 * half * REDUCE_COST));
  let S = 1;
  while (S * used < LIVE_BUCKETS && 2 * S <= most) S *= 2;
  return S;
}

/** The scalar-side kernels (glv.ts, msm-small.ts) and β, once per G1 instance. */
class MsmEngine {
  readonly glv: KernelExports;
  readonly small: KernelExports;
  /** β in Montgomery form, for glv_prepare. */
  readonly beta: number;

  constructor(readonly g: PackedG1) {
    const rt = g.runtime;
    this.glv = rt.instantiate(buildGlvModule(rt.fields.fq.params));
    this.small = rt.instantiate(buildSmallModule(rt.fields.fq.params));
    this.beta = rt.arena.alloc(ELEMENT_BYTES);
    g.fq.writeElement(this.beta, glvConstants().beta);
  }
}

const engines = new WeakMap<PackedG1, MsmEngine>();
function engine(g: PackedG1): MsmEngine {
  let e = engines.get(g);
  if (!e) {
    e = new MsmEngine(g);
    engines.set(g, e);
  }
  return e;
}

/**
 * Σ scalars[i]·points[i] for i < scalars.length. `points` may be longer (an
 * SRS): the prefix is used, so a polynomial with n coefficients (or n
 * Lagrange-basis evaluations) is committed by `msm(srs, poly)`. Scalars are
 * packed Fr (Montgomery form, as FieldVec holds them) or bigints, reduced
 * mod r (negative ones too). Zero scalars and points at infinity are fine.
 */
export function msm(points: G1AffineVec, scalars: FieldVec | readonly bigint[], options: MsmOptions = {}): G1Affine {
  if (!Array.isArray(scalars) && !(scalars instanceof FieldVec)) {
    throw new TypeError('msm: expected scalars as a FieldVec of packed Fr or an array of bigints');
  }
  const n = scalars.length;
  if (points.length < n) throw new ShapeError(`msm: expected at least ${n} points (one per scalar), got ${points.length}`);
  const chunk = options.chunk ?? MAX_CHUNK;
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`msm: expected a chunk of at least 1 point, got ${chunk}`);
  const c = options.window;
  if (c !== undefined && (!Number.isInteger(c) || c < 2 || c > 16)) throw new RangeError(`msm: expected a window of 2 … 16 bits, got ${c}`);
  if (n <= chunk) return msmChunk(points, scalars, options);
  // bound the working memory (about 250 bytes per point): sum the MSMs of chunks
  let acc: G1Affine = null;
  for (let start = 0; start < n; start += chunk) {
    const len = Math.min(chunk, n - start);
    const part = scalars instanceof FieldVec ? scalars.slice(start, len) : scalars.slice(start, start + len);
    acc = g1Add(acc, msmChunk(points.slice(start, len), part, options));
  }
  return acc;
}

function msmChunk(points: G1AffineVec, scalars: FieldVec | readonly bigint[], options: MsmOptions): G1Affine {
  const n = scalars.length;
  if (n === 0) return null;
  const g = points.group;
  const rt = g.runtime;
  const E = engine(g);
  return scoped(rt.arena, (alloc) => {
    // canonical scalars, 32-byte little-endian words
    const words = alloc(32 * n);
    if (!(scalars instanceof FieldVec)) writeWords(rt, words, scalars);
    else {
      const v = scalars;
      if (v.field.scalar.p !== Fr.p || v.field.runtime !== rt) {
        throw new ShapeError('msm: expected scalars in packed Fr of the points’ runtime, or bigints');
      }
      rt.scalar.fr_to_words!(words, v.ptr, n, g.scratch);
    }
    const total = alloc(XYZZ_BYTES); // zero-filled: infinity
    if (options.smallScalars === false) glvPass(E, words, points.ptr, n, n, options, total);
    else {
      // classify: zero, small (tiers by bit length) or large
      const mags = alloc(8 * n);
      const tags = alloc(4 * n);
      E.small.msm_classify!(words, n, mags, tags);
      const hist = new Float64Array(SMALL_BITS + 1);
      let large = 0;
      const t = new Int32Array(rt.buffer, tags, n);
      for (let i = 0; i < n; i++) {
        const tag = t[i]!;
        if (tag === TAG_LARGE) large++;
        else hist[tag & 0x7f] = hist[tag & 0x7f]! + 1;
      }
      const tierCost = (count: number, bits: number) => passCost(count, bits, options.window ?? chooseWindow(count, bits));
      for (const tier of planTiers(hist, tierCost, PASS_COST)) {
        scoped(rt.arena, (a) => {
          const recs = a(SMALL_MAG_BYTES * tier.count + 8); // msm_digits reads 8 bytes at a time
          const pts = a(AFFINE_BYTES * tier.count);
          const m = E.small.msm_gather_small!(recs, pts, tags, mags, points.ptr, n, tier.lo, tier.hi);
          const c = options.window ?? chooseWindow(m, tier.hi);
          const lanes = laneCount(m, tier.hi, c);
          bucketSum(E, { mags: recs, points: pts, count: m, c, windows: windowCount(c, tier.hi), batchSize: options.batchSize, lanes }, total);
        });
      }
      if (large * GATHER_RATIO >= n) glvPass(E, words, points.ptr, n, large, options, total);
      else if (large > 0) {
        scoped(rt.arena, (a) => {
          const w = a(32 * large);
          const pts = a(AFFINE_BYTES * large);
          E.small.msm_gather_large!(w, pts, tags, words, points.ptr, n);
          glvPass(E, w, pts, large, large, options, total);
        });
      }
    }
    const out = alloc(XYZZ_BYTES);
    g.kernels.xyzz_to_affine!(out, total, g.scratch);
    return g.readAffineAt(out);
  });
}

/**
 * out ← out + Σ kⱼ·Pⱼ over n scalar words and points by GLV: k = k₁ + λk₂,
 * points P and φ(P) with the signs of k₁, k₂ folded in, one bucket pass over
 * 2n 128-bit magnitudes. `active` (≤ n) scalars are nonzero: the window is
 * chosen for them.
 */
function glvPass(E: MsmEngine, words: number, points: number, n: number, active: number, options: MsmOptions, out: number): void {
  scoped(E.g.runtime.arena, (alloc: Alloc) => {
    const m = 2 * n;
    const mags = alloc(GLV_MAG_BYTES * m + 8); // msm_digits reads 8 bytes at a time
    const signs = alloc(4 * m);
    if (E.glv.glv_split!(mags, signs, words, n) !== 0) throw new Error('msm: GLV decomposition overflowed 128 bits (a bug)');
    const prepared = alloc(AFFINE_BYTES * m);
    E.glv.glv_prepare!(prepared, points, signs, n, E.beta);
    const c = options.window ?? chooseWindow(2 * active);
    bucketSum(E, { mags, points: prepared, count: m, c, windows: windowCount(c), batchSize: options.batchSize }, out);
  });
}

function writeWords(rt: FieldRuntime, ptr: number, scalars: readonly bigint[]): void {
  const dv = new DataView(rt.buffer, ptr, 32 * scalars.length);
  for (let i = 0; i < scalars.length; i++) {
    const k = scalars[i];
    if (typeof k !== 'bigint') throw new TypeError(`msm: expected bigint scalars, got ${typeof k} at index ${i}`);
    let e = Fr.create(k);
    for (let j = 0; j < 4; j++, e >>= 64n) dv.setBigUint64(32 * i + 8 * j, BigInt.asUintN(64, e), true);
  }
}
