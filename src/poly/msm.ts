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
 *   inside a group so that a batch mixes windows and collides less; digits
 *   (`msm_digits`) and batch filling (`msm_fill`) run in wasm, the rare
 *   collision handling here.
 * - Bucket sums Σ (j+1)·B_j by running sums, themselves batch-affine: every
 *   window is cut into segments whose running sums advance in lockstep
 *   (`reduceAffine`); windows combined by Horner (c doublings per window).
 *
 * The window c minimises a cost model (≈ 7.5 multiplications per bucket
 * addition, more when a window's buckets overflow the cache, two additions
 * per bucket in the reduction).
 */
import { ELEMENT_BYTES, FieldVec, Fr, ShapeError, type FieldRuntime, type KernelExports } from '../field/index.js';
import { AFFINE_BYTES, NEG_FLAG, XYZZ_BYTES, batchPairsBytes, batchWorkBytes } from './g1-kernels.js';
import { g1Add, type G1Affine, type G1AffineVec, type PackedG1 } from './g1.js';
import { FillState, GLV_BITS, GLV_MAG_BYTES, buildGlvModule, glvConstants } from './glv.js';

export interface MsmOptions {
  /** Window width c in bits (2 … 16); chosen from the size when omitted. */
  readonly window?: number;
  /** Most additions per shared inversion (default: a quarter of the live buckets, at most 2048). */
  readonly batchSize?: number;
  /** Most points per pass (default 2^20): longer MSMs are summed from chunks, bounding the working memory. */
  readonly chunk?: number;
}

// the cost model, in field multiplications (measured: a batch addition costs
// about 7.5 with its overhead, a bucket of the reduction two of them)
const ADD_COST = 7.5;
const REDUCE_COST = 15;
/** Extra cost of an addition whose window's buckets overflow GROUP_BYTES (cache misses). */
const CACHE_MISS_COST = 2;
const DEFAULT_BATCH = 2048;
/** Bucket bytes a window group may take: about an L2 cache. */
const GROUP_BYTES = 1 << 19;
/** Points per MSM pass; longer MSMs are summed from chunks to bound memory. */
const MAX_CHUNK = 1 << 20;
/** Independent additions per batch in the batch-affine bucket reduction. */
const REDUCE_BATCH = 1024;
/** Scalars whose digits are extracted per call (a 64 KiB buffer per window). */
const DIGIT_CHUNK = 8192;

/** Number of windows for width c: W·c ≥ GLV_BITS + 1, so signed digits never carry out of the top. */
export function windowCount(c: number): number {
  return Math.ceil((GLV_BITS + 1) / c);
}

/** Windows per group: as many as keep the group's buckets within GROUP_BYTES. */
function windowGroup(c: number, W: number): number {
  return Math.max(1, Math.min(W, Math.floor(GROUP_BYTES / (2 ** (c - 1) * AFFINE_BYTES))));
}

/** The window width the cost model picks for `count` GLV sub-scalars (twice the MSM size). */
export function chooseWindow(count: number): number {
  let best = 2;
  let bestCost = Infinity;
  for (let c = 2; c <= 16; c++) {
    const W = windowCount(c);
    const half = 2 ** (c - 1);
    const add = ADD_COST + (half * AFFINE_BYTES > GROUP_BYTES ? CACHE_MISS_COST : 0);
    const cost = W * count * add + W * half * REDUCE_COST;
    if (cost < bestCost) [best, bestCost] = [c, cost];
  }
  return best;
}

/** The scalar-side kernels (glv.ts) and β, once per G1 instance. */
class MsmEngine {
  readonly glv: KernelExports;
  /** β in Montgomery form, for glv_prepare. */
  readonly beta: number;

  constructor(readonly g: PackedG1) {
    const rt = g.runtime;
    this.glv = rt.instantiate(buildGlvModule(rt.fields.fq.params));
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
  if (n <= chunk) return msmChunk(points, scalars, options);
  // bound the working memory (about 240 bytes per point): sum the MSMs of chunks
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
    if (!(scalars instanceof FieldVec)) writeWords(rt, words, scalars);
    else {
      const v = scalars;
      if (v.field.scalar.p !== Fr.p || v.field.runtime !== rt) {
        throw new ShapeError('msm: expected scalars in packed Fr of the points’ runtime, or bigints');
      }
      rt.scalar.fr_to_words!(words, v.ptr, n, g.scratch);
    }
    // 2. GLV: k = k₁ + λk₂, points P and φ(P) with the signs of k₁, k₂ folded in
    const m = 2 * n;
    const mags = alloc(GLV_MAG_BYTES * m + 8); // msm_digits reads 8 bytes at a time
    const signs = alloc(4 * m);
    if (E.glv.glv_split!(mags, signs, words, n) !== 0) throw new Error('msm: GLV decomposition overflowed 128 bits (a bug)');
    const prepared = alloc(AFFINE_BYTES * m);
    E.glv.glv_prepare!(prepared, points.ptr, signs, n, E.beta);
    // 3. buckets
    const c = options.window ?? chooseWindow(m);
    if (!Number.isInteger(c) || c < 2 || c > 16) throw new RangeError(`msm: expected a window of 2 … 16 bits, got ${c}`);
    const W = windowCount(c);
    const half = 1 << (c - 1);
    const group = windowGroup(c, W);
    // a batch over a quarter of the group's buckets: few collisions (about B²/2H)
    const batchSize = Math.max(1, Math.floor(options.batchSize ?? Math.min(DEFAULT_BATCH, Math.max(64, (group * half) >> 2))));
    // everything is allocated before the typed-array views are made: growing
    // the memory would detach them
    const buckets = alloc(W * half * AFFINE_BYTES);
    const spill = alloc(W * half * XYZZ_BYTES);
    const work = {
      state: alloc(4 * FillState.Fields),
      mark: alloc(4 * W * half),
      pairs: alloc(batchPairsBytes(batchSize)),
      queueA: alloc(8 * batchSize),
      queueB: alloc(8 * batchSize),
      spillPairs: alloc(8 * batchSize),
      area: alloc(batchWorkBytes(batchSize)),
    };
    const sums = alloc(W * XYZZ_BYTES);
    const out = alloc(XYZZ_BYTES);
    // digits go through a small buffer, DIGIT_CHUNK scalars at a time, to stay in cache
    const chunk = Math.min(m, DIGIT_CHUNK);
    const digits = alloc(8 * chunk * group);
    const carry = alloc(4 * m);
    const sched = new Scheduler(E, buckets, spill, batchSize, half, W, work);
    for (let w0 = 0; w0 < W; w0 += group) {
      const w1 = Math.min(W, w0 + group);
      for (let j = 0; j < m; j += chunk) {
        const len = Math.min(chunk, m - j);
        const count = E.glv.msm_digits!(digits, mags + GLV_MAG_BYTES * j, len, c, w0, w1, carry + 4 * j, prepared + AFFINE_BYTES * j);
        sched.schedule(digits, count);
      }
    }
    sched.finish();
    // 4. window sums (plus the spilled additions, rare) and Horner
    const k = g.kernels;
    reduceAffine(g, alloc, buckets, W, half, sums);
    for (let w = 0; w < W; w++) {
      if (!sched.spilled[w]) continue;
      k.g1_bucket_reduce!(out, 0, half, g.scratch, spill + w * half * XYZZ_BYTES); // out: scratch here
      k.xyzz_add!(sums + w * XYZZ_BYTES, sums + w * XYZZ_BYTES, out, g.scratch);
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

/**
 * Window sums Σ_j (j+1)·B_j with batch-affine additions. Each window's buckets
 * are cut into S segments of L = 2^e; all W·S segments run their running sums
 * in lockstep from the top (run += B, then tot += run, each step two batches
 * of W·S independent additions), so that segment s, starting at bucket s·L,
 * gives tot_s = Σ_{j in s} (j − sL + 1)·B_j and run_s = Σ_{j in s} B_j. Then
 * Σ_j (j+1)·B_j = Σ_s tot_s + 2^e·Σ_s s·run_s, the last sum by the XYZZ
 * running-sum kernel over the S segment totals.
 */
function reduceAffine(g: PackedG1, alloc: (bytes: number) => number, buckets: number, W: number, half: number, sums: number): void {
  let S = 1;
  while (S < half && W * S < REDUCE_BATCH) S *= 2;
  const L = half / S;
  const n = W * S;
  const runs = alloc(n * AFFINE_BYTES);
  const tots = alloc(n * AFFINE_BYTES);
  const pairsPtr = alloc(batchPairsBytes(n));
  const area = alloc(batchWorkBytes(n));
  const weighted = alloc(XYZZ_BYTES);
  const k = g.kernels;
  const pairs = new Int32Array(g.runtime.buffer, pairsPtr, 2 * n);
  for (let t = L - 1; t >= 0; t--) {
    for (let w = 0, i = 0; w < W; w++) {
      for (let s = 0; s < S; s++, i++) {
        pairs[2 * i] = runs + i * AFFINE_BYTES;
        pairs[2 * i + 1] = buckets + (w * half + s * L + t) * AFFINE_BYTES;
      }
    }
    k.g1_batch_add!(pairsPtr, n, g.scratch, area);
    for (let i = 0; i < n; i++) {
      pairs[2 * i] = tots + i * AFFINE_BYTES;
      pairs[2 * i + 1] = runs + i * AFFINE_BYTES;
    }
    k.g1_batch_add!(pairsPtr, n, g.scratch, area);
  }
  for (let w = 0; w < W; w++) {
    const out = sums + w * XYZZ_BYTES; // zero-filled: ZZ = 0 is infinity
    for (let s = 0; s < S; s++) k.xyzz_madd!(out, out, tots + (w * S + s) * AFFINE_BYTES, g.scratch);
    if (S > 1) {
      k.g1_bucket_reduce!(weighted, runs + (w * S + 1) * AFFINE_BYTES, S - 1, g.scratch, 0);
      for (let e = L; e > 1; e >>= 1) k.xyzz_dbl!(weighted, weighted, g.scratch);
      k.xyzz_add!(out, out, weighted, g.scratch);
    }
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
 * Batches of bucket additions with distinct buckets (`msm_fill` does the
 * common case in wasm); additions that collide wait in a queue, and spill to
 * XYZZ buckets when the queue is full and the batch too small to be worth an
 * inversion.
 */
class Scheduler {
  private readonly st: Int32Array;
  private readonly spillPairs: Int32Array;
  private readonly queues: [number, number];
  private current = 0;
  private spilledCount = 0;
  /** Smallest batch worth an inversion when the queue is full (below it, spill). */
  private readonly minFlush: number;
  /** Per window: whether any of its additions went to the XYZZ buckets. */
  readonly spilled: Uint8Array;

  constructor(
    private readonly E: MsmEngine,
    buckets: number,
    private readonly spill: number,
    private readonly size: number,
    private readonly half: number,
    windows: number,
    private readonly work: Record<'state' | 'mark' | 'pairs' | 'queueA' | 'queueB' | 'spillPairs' | 'area', number>,
  ) {
    const buf = E.g.runtime.buffer;
    this.st = new Int32Array(buf, work.state, FillState.Fields);
    this.spillPairs = new Int32Array(buf, work.spillPairs, 2 * size);
    this.queues = [work.queueA, work.queueB];
    const st = this.st;
    st[FillState.Mark] = work.mark;
    st[FillState.Stamp] = 1;
    st[FillState.Pairs] = work.pairs;
    st[FillState.Count] = 0;
    st[FillState.Size] = size;
    st[FillState.Queue] = work.queueA;
    st[FillState.Queued] = 0;
    st[FillState.Buckets] = buckets;
    this.minFlush = Math.max(16, size >> 4);
    this.spilled = new Uint8Array(windows);
  }

  /** Schedule `count` entries (bucket index, point pointer | NEG_FLAG) at `entries`. */
  schedule(entries: number, count: number): void {
    const st = this.st;
    st[FillState.Entries] = entries;
    st[FillState.Pos] = 0;
    st[FillState.End] = count;
    for (;;) {
      const code = this.E.glv.msm_fill!(this.work.state);
      if (code === 0) return;
      if (code === 1 || st[FillState.Count]! >= this.minFlush) {
        // a full batch, or a full queue while few buckets are live (a sparse top window)
        this.flush();
        this.drain();
      } else {
        // one bucket hit over and over: the entry at Pos goes to its XYZZ bucket
        const pos = st[FillState.Pos]!;
        const e = new Int32Array(this.E.g.runtime.buffer, entries + 8 * pos, 2);
        this.toSpill(e[0]!, e[1]!);
        st[FillState.Pos] = pos + 1;
      }
    }
  }

  /** Run everything still pending: batches from the queue until it empties or only collisions are left. */
  finish(): void {
    const st = this.st;
    if (st[FillState.Count]! > 0) this.flush();
    while (st[FillState.Queued]! > 0) {
      this.drain();
      if (st[FillState.Count]! < this.minFlush) this.spillQueue(); // the rest collide on a few buckets
      this.flush();
    }
    if (this.spilledCount > 0) this.flushSpill();
  }

  private flush(): void {
    const st = this.st;
    this.E.g.kernels.g1_batch_add!(this.work.pairs, st[FillState.Count]!, this.E.g.scratch, this.work.area);
    st[FillState.Count] = 0;
    st[FillState.Stamp]!++;
  }

  /** Move queued additions into the (fresh) batch through msm_fill, the queue double-buffered. */
  private drain(): void {
    const st = this.st;
    const saved = [st[FillState.Entries]!, st[FillState.Pos]!, st[FillState.End]!];
    st[FillState.Entries] = this.queues[this.current];
    st[FillState.Pos] = 0;
    st[FillState.End] = st[FillState.Queued]!;
    this.current ^= 1;
    st[FillState.Queue] = this.queues[this.current];
    st[FillState.Queued] = 0;
    // the new queue cannot fill up: it starts empty and gets at most End − 1 entries
    while (this.E.glv.msm_fill!(this.work.state) === 1) this.flush();
    [st[FillState.Entries], st[FillState.Pos], st[FillState.End]] = saved as [number, number, number];
  }

  private spillQueue(): void {
    const st = this.st;
    const q = new Int32Array(this.E.g.runtime.buffer, this.queues[this.current], 2 * st[FillState.Queued]!);
    for (let i = 0; i < q.length; i += 2) this.toSpill(q[i]!, q[i + 1]!);
    st[FillState.Queued] = 0;
  }

  private toSpill(b: number, src: number): void {
    this.spilled[Math.floor(b / this.half)] = 1;
    this.spillPairs[2 * this.spilledCount] = this.spill + b * XYZZ_BYTES;
    this.spillPairs[2 * this.spilledCount + 1] = src;
    if (++this.spilledCount === this.size) this.flushSpill();
  }

  private flushSpill(): void {
    this.E.g.kernels.g1_spill_add!(this.work.spillPairs, this.spilledCount, this.E.g.scratch);
    this.spilledCount = 0;
  }
}
