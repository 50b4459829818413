/**
 * Small signed scalars in an MSM: the columns of ML circuits hold values like
 * v ∈ [−2^15, 2^15) embedded in Fr (a negative v as r − |v|), zeros and 0/1
 * selectors, plus a few random blinding values. A scalar k is *small* when
 * min(k, r − k) < 2^64; then k·P = |v|·(±P) needs ⌈(b+1)/c⌉ windows for a
 * b-bit |v| instead of the ⌈129/c⌉ windows of each of GLV's two halves.
 *
 * `msm_classify(words, n, mags, tags)` reads canonical scalars (32-byte
 * little-endian words) and writes per scalar a u64 magnitude and an i32 tag:
 *   b (0 … 64)       k = |v| with b = bitlength(|v|) (0: k = 0)
 *   b | TAG_NEG      k = r − |v|
 *   TAG_LARGE        anything else (|v| ≥ 2^64 either way)
 * and zeroes the words of every scalar that is not large, so that the GLV
 * pass may run over all the words and see only the large ones.
 * `msm_gather_small(outMags, outPts, tags, mags, points, n, lo, hi) → count`
 * packs the small scalars with lo ≤ b ≤ hi into `msm_digits` records (20
 * bytes: the u64 magnitude, then zeros) and their points, negated for
 * TAG_NEG. `msm_gather_large(outWords, outPts, tags, words, points, n) →
 * count` packs the large ones.
 *
 * `planTiers` splits the small scalars into up to MAX_TIERS bit-length ranges
 * (a 16-bit column with a few 40-bit entries should not pay 41-bit windows
 * everywhere), minimising the Pippenger cost model over contiguous ranges.
 */
import { Fr, ModuleBuilder, montgomery, type FunctionBuilder, type Local } from '../field/index.js';
import { AFFINE_BYTES, FqEmitter, at } from './g1-kernels.js';

const { ELEMENT_BYTES, toLimbs } = montgomery;

/** Tag bit: the scalar is r − |v|. */
export const TAG_NEG = 0x80;
/** Tag of a scalar that is not small. */
export const TAG_LARGE = 0xff;
/** Largest bit length of a small magnitude. */
export const SMALL_BITS = 64;
/** Bytes of one small magnitude record (the layout `msm_digits` reads, as glv.ts's GLV_MAG_BYTES). */
export const SMALL_MAG_BYTES = 20;
/** Most bit-length tiers of small scalars, each its own bucket pass. */
export const MAX_TIERS = 3;

const i64Clz = (f: FunctionBuilder) => f.emit(0x79);

function emitClassify(mb: ModuleBuilder): void {
  const f = mb.fn('msm_classify', ['i32', 'i32', 'i32', 'i32']);
  const [words, n, mags, tags] = [f.param(0), f.param(1), f.param(2), f.param(3)];
  const w = f.localsOf(4, 'i64');
  const m = f.local('i64');
  const tag = f.local('i32');
  const R = Array.from({ length: 4 }, (_, i) => BigInt.asIntN(64, (Fr.p >> BigInt(64 * i)) & ((1n << 64n) - 1n)));
  const rWord = (i: number) => BigInt.asUintN(64, R[i]!);
  f.block().loop();
  f.get(n).i32eqz().brIf(1);
  for (let i = 0; i < 4; i++) f.get(words).i64load(8 * i).set(w[i]!);
  f.get(w[1]!).get(w[2]!).i64or().get(w[3]!).i64or().i64eqz().if_();
  {
    // k < 2^64
    f.get(w[0]!).set(m);
    f.i32c(64).get(m);
    i64Clz(f).i32wrapI64().i32sub().set(tag);
  }
  f.else_();
  {
    // r − k < 2^64: the top words are r's, and either w1 = r1 (then w0 < r0)
    // or w1 = r1 − 1 with w0 > r0 (a borrow)
    f.get(w[3]!).i64c(R[3]!).i64eq().get(w[2]!).i64c(R[2]!).i64eq().i32and();
    f.get(w[1]!).i64c(R[1]!).i64eq();
    f.get(w[1]!).i64c(BigInt.asIntN(64, rWord(1) - 1n)).i64eq().get(w[0]!).i64c(R[0]!).i64gtU().i32and();
    f.i32or().i32and().if_();
    f.i64c(R[0]!).get(w[0]!).i64sub().set(m); // r − k, wrapping
    f.i32c(64).get(m);
    i64Clz(f).i32wrapI64().i32sub().i32c(TAG_NEG).i32or().set(tag);
    f.else_();
    f.i64c(0n).set(m);
    f.i32c(TAG_LARGE).set(tag);
    f.end();
  }
  f.end();
  f.get(mags).get(m).i64store(0);
  f.get(tags).get(tag).i32store(0);
  f.get(tag).i32c(TAG_LARGE).i32ne().if_();
  for (let i = 0; i < 4; i++) f.get(words).i64c(0n).i64store(8 * i);
  f.end();
  f.get(words).i32c(32).i32add().set(words);
  f.get(mags).i32c(8).i32add().set(mags);
  f.get(tags).i32c(4).i32add().set(tags);
  f.get(n).i32c(1).i32sub().set(n);
  f.br(0).end().end();
}

function emitGatherSmall(mb: ModuleBuilder, mp: montgomery.MontgomeryParams): void {
  const f = mb.fn('msm_gather_small', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], ['i32']);
  const [outMags, outPts, tags, mags, pts, n, lo, hi] = f.paramsOf(8);
  const F = new FqEmitter(f, mp, toLimbs(mp.R));
  const [tag, bits, count] = [f.local('i32'), f.local('i32'), f.local('i32')];
  f.i32c(0).set(count);
  f.block().loop();
  f.get(n).i32eqz().brIf(1);
  f.get(tags).i32load(0).tee(tag).i32c(0x7f).i32and().tee(bits);
  f.get(lo).i32geu().get(bits).get(hi).i32gtu().i32eqz().i32and().get(tag).i32c(TAG_LARGE).i32ne().i32and().if_();
  f.get(outMags).get(mags).i64load(0).i64store(0);
  for (const off of [8, 12, 16]) f.get(outMags).i32c(0).i32store(off);
  F.copy(at(outPts), at(pts));
  f.get(tag).i32c(TAG_NEG).i32and().if_();
  F.neg(at(outPts, ELEMENT_BYTES), at(pts, ELEMENT_BYTES));
  f.else_();
  F.copy(at(outPts, ELEMENT_BYTES), at(pts, ELEMENT_BYTES));
  f.end();
  f.get(outMags).i32c(SMALL_MAG_BYTES).i32add().set(outMags);
  f.get(outPts).i32c(AFFINE_BYTES).i32add().set(outPts);
  f.get(count).i32c(1).i32add().set(count);
  f.end();
  f.get(tags).i32c(4).i32add().set(tags);
  f.get(mags).i32c(8).i32add().set(mags);
  f.get(pts).i32c(AFFINE_BYTES).i32add().set(pts);
  f.get(n).i32c(1).i32sub().set(n);
  f.br(0).end().end();
  f.get(count);
}

function emitGatherLarge(mb: ModuleBuilder): void {
  const f = mb.fn('msm_gather_large', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], ['i32']);
  const [outWords, outPts, tags, words, pts, n] = f.paramsOf(6);
  const count = f.local('i32');
  f.i32c(0).set(count);
  f.block().loop();
  f.get(n).i32eqz().brIf(1);
  f.get(tags).i32load(0).i32c(TAG_LARGE).i32eq().if_();
  for (let i = 0; i < 4; i++) f.get(outWords).get(words).i64load(8 * i).i64store(8 * i);
  for (let i = 0; i < AFFINE_BYTES / 8; i++) f.get(outPts).get(pts).i64load(8 * i).i64store(8 * i);
  f.get(outWords).i32c(32).i32add().set(outWords);
  f.get(outPts).i32c(AFFINE_BYTES).i32add().set(outPts);
  f.get(count).i32c(1).i32add().set(count);
  f.end();
  f.get(tags).i32c(4).i32add().set(tags);
  f.get(words).i32c(32).i32add().set(words);
  f.get(pts).i32c(AFFINE_BYTES).i32add().set(pts);
  f.get(n).i32c(1).i32sub().set(n);
  f.br(0).end().end();
  f.get(count);
}

/** `msm_classify`, `msm_gather_small`, `msm_gather_large` (see the module comment). */
export function buildSmallModule(mp: montgomery.MontgomeryParams): ModuleBuilder {
  const mb = new ModuleBuilder();
  emitClassify(mb);
  emitGatherSmall(mb, mp);
  emitGatherLarge(mb);
  return mb;
}

/** The bigint reference of `msm_classify`'s tag for one scalar (tests). */
export function smallTag(k: bigint): number {
  const e = Fr.create(k);
  if (e < 1n << 64n) return e.toString(2).length - (e === 0n ? 1 : 0);
  const m = Fr.p - e;
  if (m < 1n << 64n) return m.toString(2).length | TAG_NEG;
  return TAG_LARGE;
}

/** One tier: the small scalars whose magnitudes have lo … hi bits. */
export interface Tier {
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
}

/**
 * Contiguous bit-length ranges of the small scalars (hist[b]: how many have
 * b bits, 1 ≤ b ≤ 64) minimising Σ (cost(count, hi) + overhead) over at most
 * MAX_TIERS tiers, by dynamic programming over the lengths present.
 */
export function planTiers(hist: ArrayLike<number>, cost: (count: number, bits: number) => number, overhead: number): Tier[] {
  const present: number[] = [];
  for (let b = 1; b <= SMALL_BITS; b++) if ((hist[b] ?? 0) > 0) present.push(b);
  const L = present.length;
  if (L === 0) return [];
  const prefix = [0];
  for (const b of present) prefix.push(prefix[prefix.length - 1]! + hist[b]!);
  // best[t][j]: cheapest cover of present[0 .. j) by t tiers; from[t][j]: where the last tier starts
  const best = Array.from({ length: MAX_TIERS + 1 }, () => new Array<number>(L + 1).fill(Infinity));
  const from = Array.from({ length: MAX_TIERS + 1 }, () => new Array<number>(L + 1).fill(0));
  best[0]![0] = 0;
  for (let t = 1; t <= MAX_TIERS; t++) {
    for (let j = 1; j <= L; j++) {
      for (let i = 0; i < j; i++) {
        const c = best[t - 1]![i]! + cost(prefix[j]! - prefix[i]!, present[j - 1]!) + overhead;
        if (c < best[t]![j]!) {
          best[t]![j] = c;
          from[t]![j] = i;
        }
      }
    }
  }
  let t = 1;
  for (let u = 2; u <= MAX_TIERS; u++) if (best[u]![L]! < best[t]![L]!) t = u;
  const tiers: Tier[] = [];
  for (let j = L; t > 0; t--) {
    const i = from[t]![j]!;
    tiers.unshift({ lo: i === 0 ? 1 : present[i - 1]! + 1, hi: present[j - 1]!, count: prefix[j]! - prefix[i]! });
    j = i;
  }
  return tiers;
}
