/**
 * Multi-scalar multiplication Σ kᵢ·Pᵢ over G1 — the cost centre of KZG
 * commitments.
 *
 * Pippenger's bucket method (Pippenger, "On the evaluation of powers and
 * related problems", FOCS 1976; Bernstein et al.'s presentation) with:
 * - GLV (glv.ts): each kᵢ·Pᵢ becomes k₁·P + k₂·φ(P) with |k₁|, |k₂| < 2^128,
 *   so 2n points with 128-bit scalars; signs are folded into the points.
 * - Signed digits: in base 2^c a digit above 2^(c−1) becomes digit − 2^c with
 *   a carry into the next window, so digits lie in [−2^(c−1), 2^(c−1)] and a
 *   window needs 2^(c−1) buckets (−d·P goes to bucket d as −P). With
 *   W = ⌈129/c⌉ windows the top digit never carries out.
 * - Batch-affine bucket accumulation (the scheduling trick of Aztec's
 *   Barretenberg and gnark): buckets stay affine; additions bucket ← bucket ± P
 *   are collected into a batch with distinct buckets and run by `g1_batch_add`
 *   with one inversion for the whole batch (≈ 6 multiplications per
 *   addition). An addition whose bucket is already in the batch waits in a
 *   queue and joins a later batch; when the queue is full (a bucket hit over
 *   and over, as with many equal or small scalars) it goes to a per-bucket
 *   XYZZ accumulator by an ordinary mixed addition instead.
 * - Windows are scheduled in groups whose buckets fit in cache, point-major
 *   inside a group so that a batch mixes windows and collides less.
 * - Bucket sums by the running-sum method in XYZZ, windows combined by Horner
 *   (c doublings per window).
 *
 * The window c minimises a cost model (≈ 6 multiplications per bucket
 * addition, 24 per bucket in the reduction).
 */
import { Fr, ShapeError, type FieldRuntime, type FieldVec, type KernelExports } from '../field/index.js';
import { AFFINE_BYTES, NEG_FLAG, XYZZ_BYTES, batchWorkBytes } from './g1-kernels.js';
import { packedG1, type G1Affine, type G1AffineVec, type PackedG1 } from './g1.js';
import { GLV_BITS, GLV_MAG_BYTES, buildGlvModule, glvConstants } from './glv.js';

export interface MsmOptions {
  /** Window width c in bits (2 … 16); chosen from the size when omitted. */
  readonly window?: number;
  /** Additions per shared inversion (default 2048). */
  readonly batchSize?: number;
}

const ADD_COST = 6;
const REDUCE_COST = 24;
const INVERSION_COST = 330;
const DEFAULT_BATCH = 2048;
/** Bucket bytes a window group may take: about an L2 cache. */
const GROUP_BYTES = Number(process.env.GB ?? (1 << 19));

/** Number of windows for width c: W·c ≥ GLV_BITS + 1, so signed digits never carry out of the top. */
export function windowCount(c: number): number {
  return Math.ceil((GLV_BITS + 1) / c);
}

/** Windows per group: as many as keep the group's buckets within GROUP_BYTES. */
function windowGroup(c: number, W: number): number {
  return Math.max(1, Math.min(W, Math.floor(GROUP_BYTES / (2 ** (c - 1) * AFFINE_BYTES))));
}

/** The window width the cost model picks for `count` GLV sub-scalars (twice the MSM size). */
export function chooseWindow(count: number, batchSize = DEFAULT_BATCH): number {
  let best = 2;
  let bestCost = Infinity;
  for (let c = 2; c <= 16; c++) {
    const W = windowCount(c);
    const cost = W * count * (ADD_COST + INVERSION_COST / batchSize) + W * 2 ** (c - 1) * REDUCE_COST;
    if (cost < bestCost) [best, bestCost] = [c, cost];
  }
  return best;
}

class MsmEngine {
  readonly glv: KernelExports;
  /** β in Montgomery form, for glv_prepare. */
  readonly beta: number;

  constructor(readonly g: PackedG1) {
    const rt = g.runtime;
    this.glv = rt.instantiate(buildGlvModule(rt.fields.fq.params));
    this.beta = rt.arena.alloc(36);
    g.fq.writeElement(this.beta, glvConstants().beta);
  }
}

const engines = new WeakMap<FieldRuntime, MsmEngine>();
function engine(runtime: FieldRuntime): MsmEngine {
  let e = engines.get(runtime);
  if (!e) {
    e = new MsmEngine(packedG1(runtime));
    engines.set(runtime, e);
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
  const n = scalars.length;
  if (points.length < n) throw new ShapeError(`msm: expected at least ${n} points (one per scalar), got ${points.length}`);
  if (n === 0) return null;
  const g = points.group;
  const rt = g.runtime;
  const E = engine(rt);
  const arena = rt.arena;
  const blocks: number[] = [];
  const alloc = (bytes: number) => {
    const p = arena.alloc(bytes);
    blocks.push(p);
    return p;
  };
  try {
    // 1. canonical scalars, 32-byte little-endian words
    const words = alloc(32 * n);
    if (Array.isArray(scalars)) writeWords(rt, words, scalars as readonly bigint[]);
    else {
      const v = scalars as FieldVec;
      if (v.field.scalar.p !== Fr.p || v.field.runtime !== rt) {
        throw new ShapeError('msm: expected scalars in packed Fr of the points’ runtime, or bigints');
      }
      rt.scalar.fr_to_words!(words, v.ptr, n, g.scratch);
    }
    // 2. GLV: k = k₁ + λk₂, points P and φ(P) with the signs of k₁, k₂ folded in
    const m = 2 * n;
    const mags = alloc(GLV_MAG_BYTES * m);
    const signs = alloc(4 * m);
    if (E.glv.glv_split!(mags, signs, words, n) !== 0) throw new Error('msm: GLV decomposition overflowed 128 bits (a bug)');
    const prepared = alloc(AFFINE_BYTES * m);
    E.glv.glv_prepare!(prepared, points.ptr, signs, n, E.beta);
    // 3. buckets
    const c = options.window ?? chooseWindow(m);
    if (!Number.isInteger(c) || c < 2 || c > 16) throw new RangeError(`msm: expected a window of 2 … 16 bits, got ${c}`);
    const W = windowCount(c);
    const half = 2 ** (c - 1);
    const group = windowGroup(c, W);
    // a batch over a quarter of the group's buckets: few collisions (about B²/2H)
    const batchSize = Math.max(1, Math.floor(options.batchSize ?? Math.min(DEFAULT_BATCH, Math.max(64, (group * half) >> 2))));
    // everything is allocated before the typed-array views are made: growing
    // the memory would detach them
    const buckets = alloc(W * half * AFFINE_BYTES);
    const spill = alloc(W * half * XYZZ_BYTES);
    const work = { pairs: alloc(8 * batchSize), spillPairs: alloc(8 * batchSize), area: alloc(batchWorkBytes(batchSize)) };
    const sums = alloc(W * XYZZ_BYTES);
    const out = alloc(AFFINE_BYTES);
    const sched = new Scheduler(E.g, buckets, spill, W * half, batchSize, work);
    accumulate(sched, rt.buffer, mags, prepared, m, c, W, group);
    // 4. window sums and Horner
    const k = g.kernels;
    for (let w = 0; w < W; w++) {
      const sp = sched.spilledAny ? spill + w * half * XYZZ_BYTES : 0;
      k.g1_bucket_reduce!(sums + w * XYZZ_BYTES, buckets + w * half * AFFINE_BYTES, half, g.scratch, sp);
    }
    const acc = sums + (W - 1) * XYZZ_BYTES;
    for (let w = W - 2; w >= 0; w--) {
      for (let i = 0; i < c; i++) k.xyzz_dbl!(acc, acc, g.scratch);
      k.xyzz_add!(acc, acc, sums + w * XYZZ_BYTES, g.scratch);
    }
    k.xyzz_to_affine!(out, acc, g.scratch);
    return g.readAffineAt(out);
  } finally {
    for (const p of blocks.reverse()) arena.release(p);
  }
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

/**
 * Batches of bucket additions with distinct buckets; conflicts wait in a
 * queue, and spill to XYZZ buckets when the queue is full.
 */
class Scheduler {
  private readonly pairs: Int32Array;
  private readonly spillPairs: Int32Array;
  private readonly mark: Int32Array;
  private readonly queue: Int32Array;
  private stamp = 1;
  private count = 0;
  private queued = 0;
  private spilled = 0;
  /** Smallest batch worth an inversion when the queue is full (below it, spill). */
  private readonly minFlush: number;
  /** Whether any addition went to the XYZZ buckets. */
  spilledAny = false;

  constructor(
    private readonly g: PackedG1,
    private readonly buckets: number,
    private readonly spill: number,
    bucketCount: number,
    private readonly size: number,
    private readonly work: { pairs: number; spillPairs: number; area: number },
  ) {
    const buf = g.runtime.buffer;
    this.pairs = new Int32Array(buf, work.pairs, 2 * size);
    this.spillPairs = new Int32Array(buf, work.spillPairs, 2 * size);
    this.mark = new Int32Array(bucketCount);
    this.queue = new Int32Array(2 * size);
    this.minFlush = Math.max(16, size >> 4);
  }

  /** bucket b ← bucket b + (±point), `src` = point pointer | NEG_FLAG. */
  add(b: number, src: number): void {
    if (this.mark[b] === this.stamp) {
      if (this.queued < this.size) {
        this.queue[2 * this.queued] = b;
        this.queue[2 * this.queued + 1] = src;
        this.queued++;
      } else if (this.count >= this.minFlush) {
        // few distinct buckets are live (a sparse top window): run a short batch
        this.flush();
        this.drain(false);
        this.add(b, src);
      } else this.toSpill(b, src); // one bucket hit over and over
      return;
    }
    this.mark[b] = this.stamp;
    this.pairs[2 * this.count] = this.buckets + b * AFFINE_BYTES;
    this.pairs[2 * this.count + 1] = src;
    if (++this.count === this.size) {
      this.flush();
      this.drain(false);
    }
  }

  /** Run everything still pending. */
  finish(): void {
    if (this.count > 0) this.flush();
    this.drain(true);
    if (this.count > 0) this.flush();
    if (this.spilled > 0) this.flushSpill();
  }

  private flush(): void {
    (globalThis as any).FLUSH = ((globalThis as any).FLUSH ?? 0) + 1; (globalThis as any).ADDS = ((globalThis as any).ADDS ?? 0) + this.count;
    this.g.kernels.g1_batch_add!(this.work.pairs, this.count, this.g.scratch, this.work.area);
    this.count = 0;
    this.stamp++;
  }

  /** Move queued additions into the (fresh) batch; at the end, spill those that still collide. */
  private drain(final: boolean): void {
    let keep = 0;
    const q = this.queue;
    for (let i = 0; i < this.queued; i++) {
      const b = q[2 * i]!;
      const src = q[2 * i + 1]!;
      if (this.mark[b] === this.stamp) {
        if (final) this.toSpill(b, src);
        else {
          q[2 * keep] = b;
          q[2 * keep + 1] = src;
          keep++;
        }
        continue;
      }
      this.mark[b] = this.stamp;
      this.pairs[2 * this.count] = this.buckets + b * AFFINE_BYTES;
      this.pairs[2 * this.count + 1] = src;
      if (++this.count === this.size) this.flush();
    }
    this.queued = keep;
  }

  private toSpill(b: number, src: number): void {
    (globalThis as any).SPILLS = ((globalThis as any).SPILLS ?? 0) + 1; const G = globalThis as any; G.SW ??= {}; G.SW[(b / 4096) | 0] = (G.SW[(b / 4096) | 0] ?? 0) + 1; G.SB ??= {}; G.SB[b] = (G.SB[b] ?? 0) + 1;
    this.spilledAny = true;
    this.spillPairs[2 * this.spilled] = this.spill + b * XYZZ_BYTES;
    this.spillPairs[2 * this.spilled + 1] = src;
    if (++this.spilled === this.size) this.flushSpill();
  }

  private flushSpill(): void {
    this.g.kernels.g1_spill_add!(this.work.spillPairs, this.spilled, this.g.scratch);
    this.spilled = 0;
  }
}

/**
 * Feed every nonzero signed digit to the scheduler: windows in groups that
 * fit GROUP_BYTES, sub-scalar-major inside a group, carries kept per scalar.
 */
function accumulate(sched: Scheduler, buffer: ArrayBuffer, mags: number, points: number, m: number, c: number, W: number, group: number): void {
  const mem = new Uint32Array(buffer);
  const half = 2 ** (c - 1);
  const full = 2 * half;
  const mask = full - 1;
  const carry = new Uint8Array(m);
  const stride = GLV_MAG_BYTES >> 2;
  for (let w0 = 0; w0 < W; w0 += group) {
    const w1 = Math.min(W, w0 + group);
    for (let j = 0; j < m; j++) {
      const base = (mags >> 2) + j * stride;
      const src = points + j * AFFINE_BYTES;
      let cj = carry[j]!;
      for (let w = w0; w < w1; w++) {
        const bit = w * c;
        const o = base + (bit >>> 5);
        const sh = bit & 31;
        let v = mem[o]! >>> sh;
        if (sh + c > 32) v |= mem[o + 1]! << (32 - sh);
        v = (v & mask) + cj;
        if (v > half) {
          cj = 1;
          v = full - v;
          if (v !== 0) sched.add(w * half + v - 1, src | NEG_FLAG);
        } else {
          cj = 0;
          if (v !== 0) sched.add(w * half + v - 1, src);
        }
      }
      carry[j] = cj;
    }
  }
  sched.finish();
}
