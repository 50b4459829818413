/**
 * The batch kernels of the G1 module (see g1-kernels.ts, whose `buildG1Module`
 * emits them into the same module, after the XYZZ formulas they call): the
 * wasm SIMD helpers (two-lane Montgomery products, four-lane additive
 * arithmetic), batch-affine addition `g1_batch_add` with one shared inversion
 * (scalar and four-lane), and the bucket kernels `g1_bucket_reduce` and
 * `g1_spill_add`.
 */
import { montgomery, type FunctionBuilder, type Local, type ModuleBuilder } from '../field/index.js';
import { uleb } from '../field/wasm/emitter.js';
import { AFFINE_BYTES, FqEmitter, NEG_FLAG, Region, X, XYZZ_BYTES, Y, at, copyElements, setInfinityXyzz, slots } from './g1-wasm-common.js';

const { LIMBS, LIMB_BITS, LIMB_MASK, ELEMENT_BYTES } = montgomery;
type Operand = montgomery.Operand;
type Params = montgomery.MontgomeryParams;

/** Lane l (of 1 or 4) of an operand is the element at ptr + offset + l·stride. */
interface LaneOperand {
  readonly ptr: Local;
  readonly offset: number;
  readonly stride: number;
}

const lane = (ptr: Local, offset: number, stride: number): LaneOperand => ({ ptr, offset, stride });
const SHUFFLE_LANES_0_2 = [0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11];

/**
 * Two independent Montgomery products at once (wasm SIMD): out₀ = a₀·b₀ and
 * out₁ = a₁·b₁, each operand given by two pointer locals. Limb j of both sits
 * in i32 lanes 0 and 1, `i64x2.extmul_low_i32x4_u` forms both 29×29-bit
 * products, and the position sums follow montgomery.ts's schedule (lazy
 * carries, the lowest sum carried per round) in i64x2 lanes, so the results
 * are emitMontMul's, bit for bit. Outputs may alias inputs.
 */
function emitMontMul2(f: FunctionBuilder, mp: Params, out: [Local, Local], a: [Local, Local], b: [Local, Local]): void {
  const t = Array.from({ length: 2 * LIMBS }, () => f.local('v128'));
  const B = Array.from({ length: LIMBS }, () => f.local('v128'));
  const [A, M, M32] = [f.local('v128'), f.local('v128'), f.local('v128')];
  const mask = BigInt(LIMB_MASK);
  const load = (x: [Local, Local], j: number) => f.get(x[1]).get(x[0]).v128load32zero(4 * j).v128load32lane(1, 4 * j);
  for (let j = 0; j < LIMBS; j++) {
    load(b, j);
    f.set(B[j]!);
  }
  const touched = new Array<boolean>(2 * LIMBS).fill(false);
  for (let i = 0; i < LIMBS; i++) {
    load(a, i);
    f.set(A);
    for (let j = 0; j < LIMBS; j++) {
      const k = i + j;
      if (touched[k]) f.get(t[k]!);
      f.get(A).get(B[j]!).i64x2extmulLowI32x4U();
      if (touched[k]) f.i64x2add();
      f.set(t[k]!);
      touched[k] = true;
    }
    // m = t_i·μ mod 2^29 in i64 lanes, then moved to i32 lanes 0 and 1
    f.get(t[i]!).i32x4const(mp.mu).i32x4mul().i64x2const(mask).v128and().set(M);
    f.get(M).get(M).i8x16shuffle(SHUFFLE_LANES_0_2).set(M32);
    f.get(t[i]!).get(M32).i32x4const(mp.pLimbs[0]!).i64x2extmulLowI32x4U().i64x2add();
    f.i32c(LIMB_BITS).i64x2shrU().get(t[i + 1]!).i64x2add().set(t[i + 1]!);
    for (let j = 1; j < LIMBS; j++) {
      if (mp.pLimbs[j] === 0) continue;
      f.get(t[i + j]!).get(M32).i32x4const(mp.pLimbs[j]!).i64x2extmulLowI32x4U().i64x2add().set(t[i + j]!);
    }
  }
  for (let k = 0; k < LIMBS; k++) {
    const sum = t[LIMBS + k]!;
    if (k < LIMBS - 1) {
      const top = k + 1 === LIMBS - 1; // never written by a product: set, do not add
      if (!top) f.get(t[LIMBS + k + 1]!);
      f.get(sum).i32c(LIMB_BITS).i64x2shrU();
      if (!top) f.i64x2add();
      f.set(t[LIMBS + k + 1]!);
      f.get(sum).i64x2const(mask).v128and().set(sum);
    }
    f.get(out[0]).get(sum).v128store32lane(0, 4 * k);
    f.get(out[1]).get(sum).v128store32lane(2, 4 * k);
  }
}

/** Raw SIMD opcodes the emitter has no helper for. */
const simdOp = (f: FunctionBuilder, op: number) => f.emit(0xfd, ...uleb(op));
const I32X4_ADD = 0xae;
const I32X4_SUB = 0xb1;
const I32X4_SHR_S = 0xac;
const I32X4_SHR_U = 0xad;
const I32X4_EQ = 0x37;
const V128_BITSELECT = 0x52;
const V128_XOR = 0x51;
const V128_ANY_TRUE = 0x53;

/**
 * Additive field arithmetic on four elements at once: limb j of four
 * elements (at four pointers) in the four i32 lanes of a v128. A value is an
 * array of nine v128 locals. Same results as FqEmitter's sub / subLazy.
 */
class Lane4 {
  private readonly borrow: Local;
  private readonly carry: Local;

  constructor(
    readonly f: FunctionBuilder,
    readonly mp: Params,
  ) {
    this.borrow = f.local('v128');
    this.carry = f.local('v128');
  }

  value(): Local[] {
    return Array.from({ length: LIMBS }, () => this.f.local('v128'));
  }
  /** Limbs of the elements at ptrs[l] + offset. */
  load(out: Local[], ptrs: readonly Local[], offset: number): void {
    const f = this.f;
    for (let j = 0; j < LIMBS; j++) {
      f.get(ptrs[0]!).v128load32zero(offset + 4 * j);
      for (let l = 1; l < 4; l++) {
        f.set(out[j]!).get(ptrs[l]!).get(out[j]!).v128load32lane(l, offset + 4 * j);
      }
      f.set(out[j]!);
    }
  }
  store(ptrs: readonly Local[], offset: number, v: Local[]): void {
    for (let j = 0; j < LIMBS; j++) for (let l = 0; l < 4; l++) this.f.get(ptrs[l]!).get(v[j]!).v128store32lane(l, offset + 4 * j);
  }
  /** out ← a − b, from [0, 2q) to [0, 2q): borrow chain, then + 2q where negative. */
  sub(out: Local[], a: Local[], b: Local[]): void {
    const f = this.f;
    const mask = LIMB_MASK;
    for (let j = 0; j < LIMBS; j++) {
      f.get(a[j]!).get(b[j]!);
      simdOp(f, I32X4_SUB);
      if (j > 0) {
        f.get(this.borrow);
        simdOp(f, I32X4_ADD);
      }
      f.set(out[j]!);
      f.get(out[j]!).i32c(LIMB_BITS);
      simdOp(f, I32X4_SHR_S);
      f.set(this.borrow);
      f.get(out[j]!).i32x4const(mask).v128and().set(out[j]!);
    }
    // the final borrow is −1 in negative lanes: add 2q there
    const neg = this.borrow;
    const carry = this.carry;
    for (let j = 0; j < LIMBS; j++) {
      f.get(out[j]!).i32x4const(this.mp.twoPLimbs[j]!).get(neg).v128and();
      simdOp(f, I32X4_ADD);
      if (j > 0) {
        f.get(carry);
        simdOp(f, I32X4_ADD);
      }
      f.set(out[j]!);
      if (j < LIMBS - 1) {
        f.get(out[j]!).i32c(LIMB_BITS);
        simdOp(f, I32X4_SHR_U);
        f.set(carry);
      }
      f.get(out[j]!).i32x4const(mask).v128and().set(out[j]!);
    }
  }
  /** out ← a − b + 2q in (0, 4q), no correction (operands of products only). */
  subLazy(out: Local[], a: Local[], b: Local[]): void {
    const f = this.f;
    for (let j = 0; j < LIMBS; j++) {
      f.get(a[j]!).i32x4const(this.mp.twoPLimbs[j]!);
      simdOp(f, I32X4_ADD);
      f.get(b[j]!);
      simdOp(f, I32X4_SUB);
      if (j > 0) {
        f.get(this.borrow);
        simdOp(f, I32X4_ADD);
      }
      f.set(out[j]!);
      if (j < LIMBS - 1) {
        f.get(out[j]!).i32c(LIMB_BITS);
        simdOp(f, I32X4_SHR_S);
        f.set(this.borrow);
      }
      f.get(out[j]!).i32x4const(LIMB_MASK).v128and().set(out[j]!);
    }
  }
  /** out ← a + b in [0, 4q), no correction (operands of products only). */
  addLazy(out: Local[], a: Local[], b: Local[]): void {
    const f = this.f;
    for (let j = 0; j < LIMBS; j++) {
      f.get(a[j]!).get(b[j]!);
      simdOp(f, I32X4_ADD);
      if (j > 0) {
        f.get(this.carry);
        simdOp(f, I32X4_ADD);
      }
      f.set(out[j]!);
      if (j < LIMBS - 1) {
        f.get(out[j]!).i32c(LIMB_BITS);
        simdOp(f, I32X4_SHR_U);
        f.set(this.carry);
      }
      f.get(out[j]!).i32x4const(LIMB_MASK).v128and().set(out[j]!);
    }
  }
  /** Push a lane mask: all ones where v ≡ 0 (its value in [0, 2q) is 0 or q). */
  isZero(v: Local[]): void {
    const f = this.f;
    for (let j = 0; j < LIMBS; j++) {
      f.get(v[j]!);
      if (j > 0) f.v128or();
    }
    f.i32x4const(0);
    simdOp(f, I32X4_EQ);
    for (let j = 0; j < LIMBS; j++) {
      f.get(v[j]!).i32x4const(this.mp.pLimbs[j]!);
      simdOp(f, V128_XOR);
      if (j > 0) f.v128or();
    }
    f.i32x4const(0);
    simdOp(f, I32X4_EQ);
    f.v128or();
  }
  /** out ← c ? a : b per lane (c all-ones or zero per lane). */
  select(out: Local[], a: Local[], b: Local[], c: Local): void {
    for (let j = 0; j < LIMBS; j++) {
      this.f.get(a[j]!).get(b[j]!).get(c);
      simdOp(this.f, V128_BITSELECT);
      this.f.set(out[j]!);
    }
  }
}

/**
 * fq_mul4(out, os, a, as, b, bs): four products out_l = a_l·b_l, lane l of x at
 * x + l·xs, as two two-lane products one after the other (the second overlaps
 * the first's carry chain). A function rather than inlined code: the batch
 * kernel's loop body would otherwise outgrow the instruction cache, which
 * costs more than the calls.
 */
export function emitMul4(mb: ModuleBuilder, mp: Params): void {
  const f = mb.fn('fq_mul4', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], false);
  const [out, os, a, as, b, bs] = f.paramsOf(6);
  const [out1, a1, b1, k] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
  f.i32c(2).set(k);
  f.block().loop();
  f.get(k).i32eqz().brIf(1);
  for (const [p, p1, st] of [[out, out1, os], [a, a1, as], [b, b1, bs]] as const) f.get(p).get(st).i32add().set(p1);
  emitMontMul2(f, mp, [out, out1], [a, a1], [b, b1]);
  for (const [p, st] of [[out, os], [a, as], [b, bs]] as const) f.get(p).get(st).get(st).i32add().i32add().set(p);
  f.get(k).i32c(1).i32sub().set(k);
  f.br(0).end().end();
}

/** Record of one addition in the batch's work area: den, num, prefix, λ (4 elements). */
const REC = 4 * ELEMENT_BYTES;
const [E_DEN, E_NUM, E_PRE, E_LAM] = [0, ELEMENT_BYTES, 2 * ELEMENT_BYTES, 3 * ELEMENT_BYTES];
/** Bytes of work area `g1_batch_add` needs for n pairs. */
export const batchWorkBytes = (n: number): number => (n + 4) * REC;
/** Bytes of the pair list for n pairs (room for the padding). */
export const batchPairsBytes = (n: number): number => 8 * (n + 4);
const DOUBLING = 2;

/**
 * The forward step for four pairs at once (SIMD), when all four are plain
 * additions (both points finite, x₁ ≠ x₂): den = x₂ − x₁, num = ±y₂ − y₁
 * (lazy), four records and four compacted pairs. Sets `ok` to 0 and writes
 * nothing when a lane needs the scalar path (infinity, doubling, P − P).
 */
function emitForward4(f: FunctionBuilder, mp: Params, pp: Local, rec: Local, end: Local, ok: Local): void {
  const L = new Lane4(f, mp);
  const ptrs = () => f.localsOf(4, 'i32');
  const [dst, src, recs] = [ptrs(), ptrs(), ptrs()];
  const neg = f.local('v128');
  const [x1, x2, y1, y2] = [L.value(), L.value(), L.value(), L.value()];
  for (let l = 0; l < 4; l++) {
    f.get(pp).i32load(8 * l).set(dst[l]!);
    f.get(pp).i32load(8 * l + 4).i32c(-8).i32and().set(src[l]!);
    f.get(rec).i32c(l * REC).i32add().set(recs[l]!);
  }
  f.get(pp).v128load32zero(4);
  for (let l = 1; l < 4; l++) f.set(neg).get(pp).get(neg).v128load32lane(l, 8 * l + 4);
  f.i32x4const(NEG_FLAG).v128and().i32x4const(NEG_FLAG);
  simdOp(f, I32X4_EQ);
  f.set(neg);
  L.load(x1, dst, X);
  L.load(x2, src, X);
  L.sub(x2, x2, x1); // den
  L.load(y1, dst, Y);
  L.load(y2, src, Y);
  L.isZero(y1);
  L.isZero(y2);
  f.v128or();
  L.isZero(x2);
  f.v128or();
  simdOp(f, V128_ANY_TRUE);
  f.i32eqz().set(ok);
  f.get(ok).if_();
  L.store(recs, E_DEN, x2);
  L.addLazy(x1, y2, y1);
  L.subLazy(x2, y2, y1);
  L.select(x1, x1, x2, neg);
  L.store(recs, E_NUM, x1);
  for (let l = 0; l < 4; l++) {
    f.get(end).get(dst[l]!).i32store(8 * l);
    f.get(end).get(pp).i32load(8 * l + 4).i32store(8 * l + 4);
  }
  f.end();
}

/**
 * The tail of one backward step for four records at once (SIMD): with λ² in
 * den and λ in lam, x₃ = λ² − x₁ − x₂, d = ±(x₁ − x₃) (the sign folded from
 * the source), t = λ·d, y₃ = t − y₁. Padding records point at a dummy point.
 */
function emitBackwardTail4(
  f: FunctionBuilder,
  mp: Params,
  mul: (out: LaneOperand, a: LaneOperand, b: LaneOperand | null) => void,
  pp: Local,
  rec: Local,
): void {
  const L = new Lane4(f, mp);
  const ptrs = () => f.localsOf(4, 'i32');
  const [dst, src, recs] = [ptrs(), ptrs(), ptrs()];
  const flip = f.local('v128');
  const [v1, v2, v3, v4] = [L.value(), L.value(), L.value(), L.value()];
  for (let l = 0; l < 4; l++) {
    f.get(pp).i32load(8 * l).set(dst[l]!);
    f.get(pp).i32load(8 * l + 4).i32c(-8).i32and().set(src[l]!);
    f.get(rec).i32c(l * REC).i32add().set(recs[l]!);
  }
  // flip lanes: a negated source that is not a doubling
  f.get(pp).v128load32zero(4);
  for (let l = 1; l < 4; l++) f.set(flip).get(pp).get(flip).v128load32lane(l, 8 * l + 4);
  f.i32x4const(NEG_FLAG | DOUBLING).v128and().i32x4const(NEG_FLAG);
  simdOp(f, I32X4_EQ);
  f.set(flip);
  L.load(v1, recs, E_DEN);
  L.load(v2, dst, X);
  L.load(v3, src, X);
  L.sub(v1, v1, v2);
  L.sub(v1, v1, v3); // x₃
  L.subLazy(v3, v1, v2);
  L.subLazy(v4, v2, v1);
  L.select(v3, v3, v4, flip);
  L.store(recs, E_NUM, v3);
  mul(lane(rec, E_NUM, REC), lane(rec, E_NUM, REC), lane(rec, E_LAM, REC));
  L.load(v2, recs, E_NUM);
  L.load(v3, dst, Y);
  L.sub(v2, v2, v3);
  L.store(dst, Y, v2);
  L.store(dst, X, v1);
}

/**
 * dst ← dst + (±src) for n pairs with distinct dst, one inversion in all
 * (Montgomery's trick). With `simd`, records are taken four at a time: record
 * t belongs to chain t mod 4, the four chains' products run as two two-lane
 * products (fq_mul4) and the additive steps in four i32 lanes (Lane4); the
 * record count is padded to a multiple of 4 with den = 1 and a dummy point.
 *
 * Forward: classify each pair — src infinite (nothing), dst infinite (copy
 * ±src), equal x and equal y (doubling, λ = 3x²/2y), equal x and opposite y
 * (the sum is infinity), else an addition — and for the last two kinds
 * append a record with den = x₂ − x₁ and num = ±y₂ − y₁. The pair is copied
 * down to the record's index, with bit 1 marking a doubling. With SIMD, four
 * plain additions are recognised and recorded at once; a group with any
 * special case goes through the scalar classification.
 * Prefix products: pre_t = Π_{u<t, same chain} den_u; one inversion for all
 * chains (q_l = a₀⋯a_l, then a_l⁻¹ = q_{l−1}·(q_{L−1})⁻¹·a_{l+1}⋯).
 * Backward: inv = acc·pre, acc ← acc·den, λ = num·inv, x₃ = λ² − x₁ − x₂,
 * y₃ = λ(x₁ − x₃) − y₁. A negated source flips the sign of num and so of λ,
 * which is folded into the last product: y₃ = λ'(x₃ − x₁) − y₁ — no negation.
 * Differences that only feed a product are left in (0, 4q) (see FqEmitter).
 */
export function emitBatchAdd(mb: ModuleBuilder, mp: Params, one: readonly number[], simd: boolean): void {
  const f = mb.fn('g1_batch_add', ['i32', 'i32', 'i32', 'i32']);
  const [pairs, n, s, work] = [f.param(0), f.param(1), f.param(2), f.param(3)];
  const F = new FqEmitter(f, mp, one);
  const lanes = simd ? 4 : 1;
  const S = slots(s, Region.Batch);
  const [pp, rec, dst, src, word, end, count] = f.localsOf(7, 'i32');
  const ACC = S(0); // `lanes` accumulators
  const INV = S(4); // `lanes` inverses
  const Q = S(8); // prefix products of the accumulators
  const T = S(12);
  const DUMMY = S(14); // a point (2 elements) that padding records add into
  const elem = (base: Operand, l: number) => at(base.ptr, base.offset + l * ELEMENT_BYTES);
  /**
   * out ← a·b in every lane (lane l of x at x.offset + l·x.stride). With SIMD the
   * four lanes are two independent two-lane products emitted back to back,
   * so that the second overlaps the first's carry chain (one alone is
   * latency-bound; the chains within a batch are serial).
   */
  const mul = (out: LaneOperand, a: LaneOperand, b: LaneOperand | null) => {
    if (simd) {
      for (const x of [out, a, b ?? a]) f.get(x.ptr).i32c(x.offset).i32add().i32c(x.stride);
      f.call(mb.indexOf('fq_mul4'));
    } else if (b) F.mul(at(out.ptr, out.offset), at(a.ptr, a.offset), at(b.ptr, b.offset));
    else F.sqr(at(out.ptr, out.offset), at(a.ptr, a.offset));
  };
  const loadPair = () => {
    f.get(pp).i32load(0).set(dst);
    f.get(pp).i32load(4).tee(word).i32c(-8).i32and().set(src);
  };
  // ---- touch every destination (both cache lines) in a tight loop first, so
  // that the cache misses of the random buckets overlap instead of stalling
  // the forward pass one by one
  f.i32c(0).set(count);
  f.get(pairs).set(pp);
  f.get(pairs).get(n).i32c(8).i32mul().i32add().set(end);
  f.block().loop();
  f.get(pp).get(end).i32eq().brIf(1);
  f.get(pp).i32load(0).tee(dst).i32load(0).get(dst).i32load(AFFINE_BYTES - 4).i32xor().get(count).i32xor().set(count);
  f.get(pp).i32c(8).i32add().set(pp);
  f.br(0).end().end();
  f.get(s).get(count).i32store(T.offset); // keep the loads observable
  // ---- forward: classify, fill records, compact chain pairs to the front
  f.i32c(0).set(count);
  f.get(pairs).set(pp).get(pairs).set(end).get(work).set(rec);
  f.get(pairs).get(n).i32c(8).i32mul().i32add().set(n); // n: end of the input
  const k = f.local('i32');
  const ok = f.local('i32');
  f.block().loop();
  f.get(pp).get(n).i32eq().brIf(1);
  if (simd) {
    // four plain additions at once when possible, else these four (or the tail) one by one
    f.get(n).get(pp).i32sub().i32c(32).i32geu().if_();
    emitForward4(f, mp, pp, rec, end, ok);
    f.get(ok).if_();
    f.get(pp).i32c(32).i32add().set(pp);
    f.get(end).i32c(32).i32add().set(end);
    f.get(rec).i32c(4 * REC).i32add().set(rec);
    f.get(count).i32c(4).i32add().set(count);
    f.br(2).end();
    f.i32c(4).set(k);
    f.else_();
    f.get(n).get(pp).i32sub().i32c(3).i32shrU().set(k);
    f.end();
  } else f.i32c(1).set(k);
  f.block().loop();
  f.get(k).i32eqz().brIf(1);
  loadPair();
  f.block(); // `br 0` skips the pair
  F.isZero(at(src, Y));
  f.brIf(0);
  F.isZero(at(dst, Y));
  f.if_();
  F.copy(at(dst, X), at(src, X));
  f.get(word).i32c(NEG_FLAG).i32and().if_();
  F.neg(at(dst, Y), at(src, Y));
  f.else_();
  F.copy(at(dst, Y), at(src, Y));
  f.end();
  f.br(1).end();
  F.sub(at(rec, E_DEN), at(src, X), at(dst, X));
  F.isZero(at(rec, E_DEN));
  f.if_();
  f.get(word).i32c(NEG_FLAG).i32and().if_();
  F.neg(T, at(src, Y));
  f.else_();
  F.copy(T, at(src, Y));
  f.end();
  F.sub(T, T, at(dst, Y));
  F.isZero(T);
  f.if_();
  F.add(at(rec, E_DEN), at(dst, Y), at(dst, Y));
  F.sqr(T, at(dst, X));
  F.add(at(rec, E_NUM), T, T);
  F.add(at(rec, E_NUM), at(rec, E_NUM), T);
  f.get(word).i32c(-8).i32and().i32c(DOUBLING).i32or().set(word);
  f.else_();
  F.setZero(at(dst, X));
  F.setZero(at(dst, Y));
  f.br(2).end();
  f.else_();
  f.get(word).i32c(NEG_FLAG).i32and().if_();
  F.addLazy(at(rec, E_NUM), at(src, Y), at(dst, Y));
  f.else_();
  F.subLazy(at(rec, E_NUM), at(src, Y), at(dst, Y));
  f.end();
  f.end();
  f.get(end).get(dst).i32store(0);
  f.get(end).get(word).i32store(4);
  f.get(end).i32c(8).i32add().set(end);
  f.get(rec).i32c(REC).i32add().set(rec);
  f.get(count).i32c(1).i32add().set(count);
  f.end();
  f.get(pp).i32c(8).i32add().set(pp);
  f.get(k).i32c(1).i32sub().set(k);
  f.br(0).end().end();
  f.br(0).end().end();
  f.get(count).i32eqz().if_().return_().end();
  if (simd) {
    // pad to a multiple of 4: den = 1, pairs into a dummy point (the pair list needs batchPairsBytes)
    f.block().loop();
    f.get(count).i32c(lanes - 1).i32and().i32eqz().brIf(1);
    F.setOne(at(rec, E_DEN));
    F.setZero(at(rec, E_NUM));
    f.get(end).get(s).i32c(DUMMY.offset).i32add().tee(dst).i32store(0);
    f.get(end).get(dst).i32store(4);
    f.get(end).i32c(8).i32add().set(end);
    f.get(rec).i32c(REC).i32add().set(rec);
    f.get(count).i32c(1).i32add().set(count);
    f.br(0).end().end();
  }
  // ---- prefix products, `lanes` chains interleaved
  for (let l = 0; l < lanes; l++) F.setOne(at(s, ACC.offset + l * ELEMENT_BYTES));
  f.get(work).set(pp);
  f.block().loop();
  f.get(pp).get(rec).i32eq().brIf(1);
  for (let l = 0; l < lanes; l++) F.copy(at(pp, l * REC + E_PRE), at(s, ACC.offset + l * ELEMENT_BYTES));
  mul(lane(s, ACC.offset, ELEMENT_BYTES), lane(s, ACC.offset, ELEMENT_BYTES), lane(pp, E_DEN, REC));
  f.get(pp).i32c(lanes * REC).i32add().set(pp);
  f.br(0).end().end();
  // ---- one inversion for all chains: q_l = a_0⋯a_l, z = q⁻¹, then a_l⁻¹ = z·q_{l−1}, z ← z·a_l
  for (let l = 0; l < lanes; l++) {
    if (l === 0) F.copy(elem(Q, 0), elem(ACC, 0));
    else F.mul(elem(Q, l), elem(Q, l - 1), elem(ACC, l));
  }
  f.get(s).i32c(T.offset).i32add().get(s).i32c(Q.offset + (lanes - 1) * ELEMENT_BYTES).i32add().get(s).call(mb.indexOf('fq_inv'));
  for (let l = lanes - 1; l > 0; l--) {
    F.mul(elem(INV, l), T, elem(Q, l - 1));
    F.mul(T, T, elem(ACC, l));
  }
  F.copy(elem(ACC, 0), T);
  for (let l = 1; l < lanes; l++) F.copy(elem(ACC, l), elem(INV, l));
  // ---- backward over groups of `lanes` records; pp walks the compacted pairs
  f.get(pairs).get(count).i32c(8).i32mul().i32add().set(pp); // count is padded to a multiple of lanes
  const perLane = (l: number, body: () => void) => {
    // lane l of the group at rec is record index (rec − work)/REC + l; skip the padding
    f.get(pp).i32c(8 * l).i32add().get(end).i32ltu().if_();
    f.get(pp).i32load(8 * l).set(dst);
    f.get(pp).i32load(8 * l + 4).tee(word).i32c(-8).i32and().set(src);
    body();
    f.end();
  };
  f.block().loop();
  f.get(rec).get(work).i32eq().brIf(1);
  f.get(rec).i32c(lanes * REC).i32sub().set(rec);
  f.get(pp).i32c(lanes * 8).i32sub().set(pp);
  mul(lane(s, INV.offset, ELEMENT_BYTES), lane(s, ACC.offset, ELEMENT_BYTES), lane(rec, E_PRE, REC));
  mul(lane(s, ACC.offset, ELEMENT_BYTES), lane(s, ACC.offset, ELEMENT_BYTES), lane(rec, E_DEN, REC));
  // the fresher operand goes first: its limbs are read round by round, the other's all up front
  mul(lane(rec, E_LAM, REC), lane(s, INV.offset, ELEMENT_BYTES), lane(rec, E_NUM, REC));
  mul(lane(rec, E_DEN, REC), lane(rec, E_LAM, REC), null); // λ²
  if (simd) emitBackwardTail4(f, mp, mul, pp, rec);
  else {
    for (let l = 0; l < lanes; l++) {
      perLane(l, () => {
        const r = l * REC;
        F.sub(at(rec, r + E_PRE), at(rec, r + E_DEN), at(dst, X));
        F.sub(at(rec, r + E_PRE), at(rec, r + E_PRE), at(src, X)); // x₃
        f.get(word).i32c(NEG_FLAG | DOUBLING).i32and().i32c(NEG_FLAG).i32eq().if_();
        F.subLazy(at(rec, r + E_NUM), at(rec, r + E_PRE), at(dst, X));
        f.else_();
        F.subLazy(at(rec, r + E_NUM), at(dst, X), at(rec, r + E_PRE));
        f.end();
      });
    }
    mul(lane(rec, E_NUM, REC), lane(rec, E_NUM, REC), lane(rec, E_LAM, REC));
    for (let l = 0; l < lanes; l++) {
      perLane(l, () => {
        F.sub(at(dst, Y), at(rec, l * REC + E_NUM), at(dst, Y));
        F.copy(at(dst, X), at(rec, l * REC + E_PRE));
      });
    }
  }
  f.br(0).end().end();
}

/**
 * Running-sum bucket reduction (Pippenger): from the top bucket down,
 * run += b_j and total += run, so total = Σ_j (j+1)·b_j. When `spill` is not
 * 0 it points to n XYZZ buckets holding the additions that did not fit the
 * affine schedule; they are added into run as well. `buckets` may be 0 (only
 * the spill buckets then).
 */
export function emitBucketReduce(mb: ModuleBuilder, mp: Params, one: readonly number[]): void {
  const f = mb.fn('g1_bucket_reduce', ['i32', 'i32', 'i32', 'i32', 'i32']);
  const [out, buckets, n, s, spill] = [f.param(0), f.param(1), f.param(2), f.param(3), f.param(4)];
  const F = new FqEmitter(f, mp, one);
  const [run, total, b] = [f.local('i32'), f.local('i32'), f.local('i32')];
  const madd = mb.indexOf('xyzz_madd');
  const add = mb.indexOf('xyzz_add');
  f.get(s).i32c(Region.Reduce * 16 * ELEMENT_BYTES).i32add().set(run);
  f.get(run).i32c(XYZZ_BYTES).i32add().set(total);
  setInfinityXyzz(F, run);
  setInfinityXyzz(F, total);
  f.get(buckets).get(n).i32c(AFFINE_BYTES).i32mul().i32add().set(b);
  f.get(spill).if_();
  f.get(spill).get(n).i32c(XYZZ_BYTES).i32mul().i32add().set(spill);
  f.end();
  f.block().loop();
  f.get(b).get(buckets).i32eq().brIf(1);
  f.get(b).i32c(AFFINE_BYTES).i32sub().set(b);
  f.get(buckets).if_();
  f.get(run).get(run).get(b).get(s).call(madd);
  f.end();
  f.get(spill).if_();
  f.get(spill).i32c(XYZZ_BYTES).i32sub().set(spill);
  f.get(run).get(run).get(spill).get(s).call(add);
  f.end();
  f.get(total).get(total).get(run).get(s).call(add);
  f.br(0).end().end();
  copyElements(F, at(out), at(total), 4);
}

/** dst ← dst + (±src) for n pairs (dst XYZZ, src affine with NEG_FLAG), one mixed addition each. */
export function emitSpillAdd(mb: ModuleBuilder, mp: Params, one: readonly number[]): void {
  const f = mb.fn('g1_spill_add', ['i32', 'i32', 'i32']);
  const [pairs, n, s] = [f.param(0), f.param(1), f.param(2)];
  const F = new FqEmitter(f, mp, one);
  const [word, src, tmp] = [f.local('i32'), f.local('i32'), f.local('i32')];
  const madd = mb.indexOf('xyzz_madd');
  f.get(s).i32c(Region.Misc * 16 * ELEMENT_BYTES).i32add().set(tmp);
  f.block().loop();
  f.get(n).i32eqz().brIf(1);
  f.get(pairs).i32load(4).tee(word).i32c(-8).i32and().set(src);
  f.get(word).i32c(NEG_FLAG).i32and().if_();
  F.copy(at(tmp, X), at(src, X));
  F.neg(at(tmp, Y), at(src, Y));
  f.get(tmp).set(src);
  f.end();
  f.get(pairs).i32load(0).get(pairs).i32load(0).get(src).get(s).call(madd);
  f.get(pairs).i32c(8).i32add().set(pairs);
  f.get(n).i32c(1).i32sub().set(n);
  f.br(0).end().end();
}
