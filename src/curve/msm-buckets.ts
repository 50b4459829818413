/**
 * The bucket pass of Pippenger's MSM (msm.ts): given m scalar magnitudes as
 * `msm_digits` records and m prepared points (signs folded in), accumulate
 * Σ kⱼ·Pⱼ into an XYZZ point. Signed base-2^c digits in W windows; additions
 * bucket ← bucket ± P run batch-affine (`g1_batch_add`, one inversion per
 * batch) with distinct buckets per batch; colliding additions wait in a queue
 * and, when it is full, go to per-bucket XYZZ accumulators (`g1_spill_add`).
 * Window sums Σ (j+1)·B_j run batch-affine too (`reduceAffine`); windows are
 * combined by Horner. See msm.ts for the cost model and the scalar side.
 */
import type { Arena, KernelExports } from '../field/index.js';
import { AFFINE_BYTES, XYZZ_BYTES, batchPairsBytes, batchWorkBytes } from './g1-kernels.js';
import type { PackedG1 } from './g1.js';
import { FillState, GLV_MAG_BYTES } from './glv.js';

/** The kernels a bucket pass needs: the G1 module and the scalar-side module of glv.ts. */
export interface BucketKernels {
  readonly g: PackedG1;
  readonly glv: KernelExports;
}

export type Alloc = (bytes: number) => number;

/** Run `body` with an allocator whose blocks are all released afterwards. */
export function scoped<T>(arena: Arena, body: (alloc: Alloc) => T): T {
  const blocks: number[] = [];
  try {
    return body((bytes) => {
      const p = arena.alloc(bytes);
      blocks.push(p);
      return p;
    });
  } finally {
    for (const p of blocks.reverse()) arena.release(p);
  }
}

const DEFAULT_BATCH = 2048;
/** Bucket bytes a window group may take: about an L2 cache. */
export const GROUP_BYTES = 1 << 19;
/** Independent additions per batch in the batch-affine bucket reduction. */
const REDUCE_BATCH = 1024;
/** Scalars whose digits are extracted per call (a 64 KiB buffer per window). */
const DIGIT_CHUNK = 8192;

/** Windows per group: as many as keep the group's buckets (all lanes) within GROUP_BYTES. */
function windowGroup(c: number, W: number, lanes: number): number {
  return Math.max(1, Math.min(W, Math.floor(GROUP_BYTES / (lanes * 2 ** (c - 1) * AFFINE_BYTES))));
}

export interface BucketJob {
  /** m magnitude records of GLV_MAG_BYTES (little-endian, zero pad word), 8 bytes of slack after. */
  readonly mags: number;
  /** m affine points, signs folded in. */
  readonly points: number;
  readonly count: number;
  /** Window width c and window count W, W·c > the magnitudes' bit length (so the top digit never carries out). */
  readonly c: number;
  readonly windows: number;
  readonly batchSize?: number | undefined;
  /**
   * Copies of every bucket (default 1): entries go to copies round-robin and
   * the copies are summed at the end. Spreads the additions of windows with
   * few distinct digits (selectors, the top window of short scalars) over
   * more buckets, so that batches fill instead of colliding.
   */
  readonly lanes?: number | undefined;
}

/** out ← out + Σ magⱼ·Pⱼ (out XYZZ). */
export function bucketSum(E: BucketKernels, job: BucketJob, out: number): void {
  const { g } = E;
  const { c, windows: W, count: m } = job;
  const S = job.lanes ?? 1;
  if (m === 0) return;
  scoped(g.runtime.arena, (alloc) => {
    const half = 1 << (c - 1);
    const perLane = W * half; // buckets per lane; lane s holds windows s·W … s·W + W − 1
    const group = windowGroup(c, W, S);
    // a batch over a quarter of the group's buckets: few collisions (about B²/2H)
    const batchSize = Math.max(1, Math.floor(job.batchSize ?? Math.min(DEFAULT_BATCH, Math.max(64, (S * group * half) >> 2))));
    // everything is allocated before the typed-array views are made: growing
    // the memory would detach them
    const buckets = alloc(S * perLane * AFFINE_BYTES);
    const spill = alloc(S * perLane * XYZZ_BYTES);
    const work = {
      state: alloc(4 * FillState.Fields),
      mark: alloc(4 * S * perLane),
      pairs: alloc(batchPairsBytes(batchSize)),
      queueA: alloc(8 * batchSize),
      queueB: alloc(8 * batchSize),
      spillPairs: alloc(8 * batchSize),
      area: alloc(batchWorkBytes(batchSize)),
    };
    const sums = alloc(S * W * XYZZ_BYTES);
    const tmp = alloc(XYZZ_BYTES);
    // digits go through a small buffer, DIGIT_CHUNK scalars at a time, to stay in cache
    const chunk = Math.min(m, DIGIT_CHUNK);
    const digits = alloc(8 * chunk * group);
    const carry = alloc(4 * m);
    const reduceWork = reduceAlloc(alloc, S * W, half);
    const sched = new Scheduler(E, buckets, spill, batchSize, half, S * W, work);
    for (let w0 = 0; w0 < W; w0 += group) {
      const w1 = Math.min(W, w0 + group);
      for (let j = 0; j < m; j += chunk) {
        const len = Math.min(chunk, m - j);
        const n = E.glv.msm_digits!(digits, job.mags + GLV_MAG_BYTES * j, len, c, w0, w1, carry + 4 * j, job.points + AFFINE_BYTES * j);
        if (S > 1) {
          const d = new Int32Array(g.runtime.buffer, digits, 2 * n);
          for (let e = 0, s = 0; e < n; e++, s = s + 1 === S ? 0 : s + 1) d[2 * e] = d[2 * e]! + s * perLane;
        }
        sched.schedule(digits, n);
      }
    }
    sched.finish();
    // window sums (plus the spilled additions, rare), the lanes summed, Horner
    const k = g.kernels;
    reduceAffine(g, reduceWork, buckets, S * W, half, sums);
    for (let w = 0; w < S * W; w++) {
      if (!sched.spilled[w]) continue;
      k.g1_bucket_reduce!(tmp, 0, half, g.scratch, spill + w * half * XYZZ_BYTES);
      k.xyzz_add!(sums + w * XYZZ_BYTES, sums + w * XYZZ_BYTES, tmp, g.scratch);
    }
    for (let w = W; w < S * W; w++) k.xyzz_add!(sums + (w % W) * XYZZ_BYTES, sums + (w % W) * XYZZ_BYTES, sums + w * XYZZ_BYTES, g.scratch);
    const acc = sums + (W - 1) * XYZZ_BYTES;
    for (let w = W - 2; w >= 0; w--) {
      for (let i = 0; i < c; i++) k.xyzz_dbl!(acc, acc, g.scratch);
      k.xyzz_add!(acc, acc, sums + w * XYZZ_BYTES, g.scratch);
    }
    k.xyzz_add!(out, out, acc, g.scratch);
  });
}

interface ReduceWork {
  readonly S: number;
  readonly runs: number;
  readonly tots: number;
  readonly pairs: number;
  readonly area: number;
  readonly weighted: number;
}

function reduceAlloc(alloc: Alloc, W: number, half: number): ReduceWork {
  let S = 1;
  while (S < half && W * S < REDUCE_BATCH) S *= 2;
  const n = W * S;
  return {
    S,
    runs: alloc(n * AFFINE_BYTES),
    tots: alloc(n * AFFINE_BYTES),
    pairs: alloc(batchPairsBytes(n)),
    area: alloc(batchWorkBytes(n)),
    weighted: alloc(XYZZ_BYTES),
  };
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
function reduceAffine(g: PackedG1, rw: ReduceWork, buckets: number, W: number, half: number, sums: number): void {
  const { S, runs, tots, pairs: pairsPtr, area, weighted } = rw;
  const L = half / S;
  const n = W * S;
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

/**
 * Batches of bucket additions with distinct buckets (`msm_fill` does the
 * common case in wasm); additions that collide wait in a queue, and spill to
 * XYZZ buckets when the queue is full and the batch too small to be worth an
 * inversion.
 */
export class Scheduler {
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
    private readonly E: BucketKernels,
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
        const pos: number = st[FillState.Pos]!;
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
    st[FillState.Entries] = this.queues[this.current]!;
    st[FillState.Pos] = 0;
    st[FillState.End] = st[FillState.Queued]!;
    this.current ^= 1;
    st[FillState.Queue] = this.queues[this.current]!;
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
