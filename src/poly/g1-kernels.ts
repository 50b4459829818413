/**
 * WebAssembly kernels of G1 (BN254: y² = x³ + 3 over Fq), emitted at start-up
 * into a module that shares the field runtime's memory. Coordinates are packed
 * Fq elements (9 × 29-bit limbs, Montgomery form, values in [0, 2q), 36 bytes).
 *
 * Layouts (byte offsets from a point's pointer):
 *   affine  x +0, y +36 (72 bytes). The point at infinity is the sentinel
 *           (0, 0), which is not on the curve; since the group order r is odd
 *           there is no point with y = 0, so the kernels test y = 0 alone.
 *   XYZZ    X +0, Y +36, ZZ +72, ZZZ +108 (144 bytes), meaning the affine
 *           point (X/ZZ, Y/ZZZ) with ZZ³ = ZZZ²; infinity has ZZ = 0.
 *
 * XYZZ formulas are the EFD's "g1p/shortw/xyzz" for a = 0 (add-2008-s,
 * madd-2008-s, dbl-2008-s-1, mdbl-2008-s-1; Sutherland's coordinates, as used
 * by gnark and arkworks for bucket sums). Each one falls back to doubling when
 * both inputs are the same point and to infinity when they are opposite.
 *
 * Batch-affine addition (`g1_batch_add`): many independent affine additions
 * dst ← dst + src share one field inversion by Montgomery's trick; each costs
 * 5M + 1S instead of ~11 multiplications for a mixed Jacobian addition, and
 * with wasm SIMD four additions run side by side. This is
 * the bucket-accumulation step of Aztec's and gnark's Pippenger (see
 * Bernstein–Doumen–Lange–Oosterwijk, "Faster batch forgery identification",
 * INDOCRYPT 2012, for the affine batching).
 *
 * Exports (pointers are byte offsets; `s` is a scratch area of SCRATCH_BYTES):
 *   fq_inv(out,a,s)                 Fermat inversion, out may alias a
 *   xyzz_add(out,a,b,s)             out ← a + b        (XYZZ, out may alias a or b)
 *   xyzz_madd(out,a,b,s)            out ← a + b        (b affine)
 *   xyzz_dbl(out,a,s)  xyzz_mdbl(out,b,s)   doubling of an XYZZ / affine point
 *   xyzz_to_affine(out,a,s)         one inversion
 *   g1_batch_add(pairs,n,s,work)    pairs: n × (dst, src | neg) i32, dst distinct, in a
 *                                   list of batchPairsBytes(n); work: batchWorkBytes(n);
 *                                   the pair list is consumed
 *   g1_bucket_reduce(out,b,n,s,spill)  out ← Σ_j (j+1)·(b_j + spill_j), b affine or 0, spill XYZZ or 0
 *   g1_spill_add(pairs,n,s)         pairs: n × (dst XYZZ, src | neg): mixed additions one by one
 *   g1_check(points,n,s) → i32      index of the first point off the curve, or −1
 */
import { ModuleBuilder, montgomery, type FunctionBuilder, type Local } from '../field/index.js';
import { uleb } from '../field/wasm/emitter.js';

const { LIMBS, LIMB_BITS, LIMB_MASK, ELEMENT_BYTES, allocAddLocals, allocMulLocals, emitAdd, emitMontMul, emitMontSquare, emitSub, toLimbs } = montgomery;
type Operand = montgomery.Operand;
type Params = montgomery.MontgomeryParams;

/** 72-byte affine points, 144-byte XYZZ points. */
export const AFFINE_BYTES = 2 * ELEMENT_BYTES;
export const XYZZ_BYTES = 4 * ELEMENT_BYTES;
/** Scratch each kernel call needs (regions per function, see `Region`). */
export const SCRATCH_BYTES = 8 * 16 * ELEMENT_BYTES;
/** Flag bits in the low bits of a `g1_batch_add` source pointer (points are 8-byte aligned). */
export const NEG_FLAG = 1;

/** Scratch regions (16 elements each) so that nested calls never share temporaries. */
const enum Region {
  Add = 0,
  Madd = 1,
  Dbl = 2,
  Mdbl = 3,
  Inv = 4,
  Batch = 5,
  Reduce = 6,
  Misc = 7,
}

const X = 0;
const Y = ELEMENT_BYTES;
const ZZ = 2 * ELEMENT_BYTES;
const ZZZ = 3 * ELEMENT_BYTES;

/** Field arithmetic on memory operands inside one function (the products are inlined). */
export class FqEmitter {
  private readonly mul_: montgomery.MulLocals;
  private readonly add_: montgomery.AddLocals;
  private readonly acc: Local;
  private readonly carry: Local;

  /**
   * @param calls when given, products are calls to these functions
   *   (fq_mul1, fq_sqr1) instead of inlined code: smaller modules for code
   *   off the hot path.
   */
  constructor(
    readonly f: FunctionBuilder,
    readonly mp: Params,
    readonly one: readonly number[],
    private readonly calls?: { readonly mul: number; readonly sqr: number },
  ) {
    this.mul_ = allocMulLocals(f);
    this.add_ = allocAddLocals(f);
    this.acc = f.local('i32');
    this.carry = f.local('i32');
  }

  mul(out: Operand, a: Operand, b: Operand): void {
    if (this.calls) {
      for (const x of [out, a, b]) this.f.get(x.ptr).i32c(x.offset).i32add();
      this.f.call(this.calls.mul);
    } else emitMontMul(this.f, this.mp, this.mul_, out, a, b);
  }
  sqr(out: Operand, a: Operand): void {
    if (this.calls) {
      for (const x of [out, a]) this.f.get(x.ptr).i32c(x.offset).i32add();
      this.f.call(this.calls.sqr);
    } else emitMontSquare(this.f, this.mp, this.mul_, out, a);
  }
  add(out: Operand, a: Operand, b: Operand): void {
    emitAdd(this.f, this.mp, this.add_, out, a, b);
  }
  sub(out: Operand, a: Operand, b: Operand): void {
    emitSub(this.f, this.mp, this.add_, out, a, b);
  }
  neg(out: Operand, a: Operand): void {
    emitSub(this.f, this.mp, this.add_, out, null, a);
  }
  copy(out: Operand, a: Operand): void {
    for (let j = 0; j < LIMBS; j++) this.f.get(out.ptr).get(a.ptr).i32load(a.offset + 4 * j).i32store(out.offset + 4 * j);
  }
  setConst(out: Operand, limbs: readonly number[]): void {
    for (let j = 0; j < LIMBS; j++) this.f.get(out.ptr).i32c(limbs[j]!).i32store(out.offset + 4 * j);
  }
  setZero(out: Operand): void {
    this.setConst(out, new Array<number>(LIMBS).fill(0));
  }
  setOne(out: Operand): void {
    this.setConst(out, this.one);
  }
  /**
   * out ← a − b + 2q with carries but no correction: in (0, 4q) for a, b in
   * [0, 2q). Only for operands of a product, which accepts inputs below
   * 4q: (4q)²/R + q < 2q since R = 2^261 > 16q.
   */
  subLazy(out: Operand, a: Operand, b: Operand): void {
    const f = this.f;
    f.i32c(0).set(this.acc);
    for (let j = 0; j < LIMBS; j++) {
      f.get(a.ptr).i32load(a.offset + 4 * j).i32c(this.mp.twoPLimbs[j]!).i32add().get(b.ptr).i32load(b.offset + 4 * j).i32sub();
      f.get(this.acc).i32add().set(this.carry);
      if (j < LIMBS - 1) f.get(this.carry).i32c(LIMB_BITS).emit(0x75 /* i32.shr_s */).set(this.acc);
      f.get(out.ptr).get(this.carry).i32c(LIMB_MASK).i32and().i32store(out.offset + 4 * j);
    }
  }
  /** out ← a + b with carries but no correction: in [0, 4q), for operands of a product only. */
  addLazy(out: Operand, a: Operand, b: Operand): void {
    const f = this.f;
    f.i32c(0).set(this.acc);
    for (let j = 0; j < LIMBS; j++) {
      f.get(a.ptr).i32load(a.offset + 4 * j).get(b.ptr).i32load(b.offset + 4 * j).i32add();
      f.get(this.acc).i32add().set(this.carry);
      if (j < LIMBS - 1) f.get(this.carry).i32c(LIMB_BITS).i32shrU().set(this.acc);
      f.get(out.ptr).get(this.carry).i32c(LIMB_MASK).i32and().i32store(out.offset + 4 * j);
    }
  }
  /** Push 1 if a ≡ 0 (its value in [0, 2q) is 0 or q), else 0. */
  isZero(a: Operand): void {
    const f = this.f;
    f.i32c(0).set(this.acc);
    for (let j = 0; j < LIMBS; j++) f.get(this.acc).get(a.ptr).i32load(a.offset + 4 * j).i32or().set(this.acc);
    f.get(this.acc).i32eqz();
    f.i32c(0).set(this.acc);
    for (let j = 0; j < LIMBS; j++) {
      f.get(this.acc).get(a.ptr).i32load(a.offset + 4 * j).i32c(this.mp.pLimbs[j]!).i32xor().i32or().set(this.acc);
    }
    f.get(this.acc).i32eqz().i32or();
  }
}

export const at = (ptr: Local, offset = 0): Operand => ({ ptr, offset });

/** Operands into scratch region `r` of the pointer local `s`: slot k is element k of the region. */
function slots(s: Local, r: Region): (k: number) => Operand {
  return (k) => at(s, (r * 16 + k) * ELEMENT_BYTES);
}

/** The module's product functions, for FqEmitter's call mode (emitted first, by emitInverse). */
function productCalls(mb: ModuleBuilder): { mul: number; sqr: number } {
  return { mul: mb.indexOf('fq_mul1'), sqr: mb.indexOf('fq_sqr1') };
}

/** Copy `count` consecutive elements. */
function copyElements(F: FqEmitter, out: Operand, a: Operand, count: number): void {
  for (let e = 0; e < count; e++) F.copy(at(out.ptr, out.offset + e * ELEMENT_BYTES), at(a.ptr, a.offset + e * ELEMENT_BYTES));
}

function setInfinityXyzz(F: FqEmitter, out: Local): void {
  F.setOne(at(out, X));
  F.setOne(at(out, Y));
  F.setZero(at(out, ZZ));
  F.setZero(at(out, ZZZ));
}

/**
 * X3 = R² − PPP − 2Q, Y3 = R·(Q − X3) − S1·PPP: the shared tail of add and
 * madd. Slots: r = R, ppp = PPP, q = Q, s1 = S1 (an operand), x3/y3 outputs,
 * t a temporary.
 */
function emitXyzzTail(F: FqEmitter, r: Operand, ppp: Operand, q: Operand, s1: Operand, x3: Operand, y3: Operand, t: Operand): void {
  F.sqr(x3, r);
  F.sub(x3, x3, ppp);
  F.add(t, q, q);
  F.sub(x3, x3, t);
  F.sub(y3, q, x3);
  F.mul(y3, r, y3);
  F.mul(t, s1, ppp);
  F.sub(y3, y3, t);
}

/**
 * Doubling, dbl-2008-s-1 with a = 0 (affine input when `affine`):
 * U = 2Y, V = U², W = U·V, S = X·V, M = 3X², X3 = M² − 2S,
 * Y3 = M·(S − X3) − W·Y, ZZ3 = V·ZZ, ZZZ3 = W·ZZZ.
 */
function emitDouble(mb: ModuleBuilder, mp: Params, one: readonly number[], affine: boolean): void {
  const f = mb.fn(affine ? 'xyzz_mdbl' : 'xyzz_dbl', ['i32', 'i32', 'i32']);
  const [out, a, s] = [f.param(0), f.param(1), f.param(2)];
  const F = new FqEmitter(f, mp, one, productCalls(mb));
  const S = slots(s, affine ? Region.Mdbl : Region.Dbl);
  if (affine) F.isZero(at(a, Y));
  else F.isZero(at(a, ZZ));
  f.if_();
  setInfinityXyzz(F, out);
  f.return_().end();
  F.add(S(0), at(a, Y), at(a, Y)); // U
  F.sqr(S(1), S(0)); // V
  F.mul(S(2), S(0), S(1)); // W
  F.mul(S(3), at(a, X), S(1)); // S
  F.sqr(S(4), at(a, X));
  F.add(S(5), S(4), S(4));
  F.add(S(4), S(4), S(5)); // M = 3X²
  F.sqr(S(6), S(4));
  F.add(S(7), S(3), S(3));
  F.sub(S(6), S(6), S(7)); // X3
  F.sub(S(7), S(3), S(6));
  F.mul(S(7), S(4), S(7));
  F.mul(S(8), S(2), at(a, Y));
  F.sub(S(7), S(7), S(8)); // Y3
  if (!affine) {
    F.mul(S(1), S(1), at(a, ZZ));
    F.mul(S(2), S(2), at(a, ZZZ));
  }
  F.copy(at(out, X), S(6));
  F.copy(at(out, Y), S(7));
  F.copy(at(out, ZZ), S(1));
  F.copy(at(out, ZZZ), S(2));
}

/**
 * Mixed addition, madd-2008-s: U2 = x2·ZZ1, S2 = y2·ZZZ1, P = U2 − X1,
 * R = S2 − Y1, PP = P², PPP = P·PP, Q = X1·PP, ZZ3 = ZZ1·PP, ZZZ3 = ZZZ1·PPP.
 */
function emitMadd(mb: ModuleBuilder, mp: Params, one: readonly number[]): void {
  const f = mb.fn('xyzz_madd', ['i32', 'i32', 'i32', 'i32']);
  const [out, a, b, s] = [f.param(0), f.param(1), f.param(2), f.param(3)];
  const F = new FqEmitter(f, mp, one, productCalls(mb));
  const S = slots(s, Region.Madd);
  F.isZero(at(b, Y));
  f.if_();
  f.get(out).get(a).i32ne().if_();
  copyElements(F, at(out), at(a), 4);
  f.end().return_().end();
  F.isZero(at(a, ZZ));
  f.if_();
  F.copy(at(out, X), at(b, X));
  F.copy(at(out, Y), at(b, Y));
  F.setOne(at(out, ZZ));
  F.setOne(at(out, ZZZ));
  f.return_().end();
  F.mul(S(0), at(b, X), at(a, ZZ));
  F.sub(S(0), S(0), at(a, X)); // P
  F.mul(S(1), at(b, Y), at(a, ZZZ));
  F.sub(S(1), S(1), at(a, Y)); // R
  F.isZero(S(0));
  f.if_();
  F.isZero(S(1));
  f.if_();
  f.get(out).get(b).get(s).call(mb.indexOf('xyzz_mdbl'));
  f.else_();
  setInfinityXyzz(F, out);
  f.end().return_().end();
  F.sqr(S(2), S(0)); // PP
  F.mul(S(3), S(0), S(2)); // PPP
  F.mul(S(4), at(a, X), S(2)); // Q
  emitXyzzTail(F, S(1), S(3), S(4), at(a, Y), S(5), S(6), S(7));
  F.mul(S(2), S(2), at(a, ZZ));
  F.mul(S(3), S(3), at(a, ZZZ));
  F.copy(at(out, X), S(5));
  F.copy(at(out, Y), S(6));
  F.copy(at(out, ZZ), S(2));
  F.copy(at(out, ZZZ), S(3));
}

/**
 * General addition, add-2008-s: U1 = X1·ZZ2, U2 = X2·ZZ1, S1 = Y1·ZZZ2,
 * S2 = Y2·ZZZ1, P = U2 − U1, R = S2 − S1, then as madd with
 * ZZ3 = ZZ1·ZZ2·PP, ZZZ3 = ZZZ1·ZZZ2·PPP.
 */
function emitAddXyzz(mb: ModuleBuilder, mp: Params, one: readonly number[]): void {
  const f = mb.fn('xyzz_add', ['i32', 'i32', 'i32', 'i32']);
  const [out, a, b, s] = [f.param(0), f.param(1), f.param(2), f.param(3)];
  const F = new FqEmitter(f, mp, one, productCalls(mb));
  const S = slots(s, Region.Add);
  F.isZero(at(b, ZZ));
  f.if_();
  f.get(out).get(a).i32ne().if_();
  copyElements(F, at(out), at(a), 4);
  f.end().return_().end();
  F.isZero(at(a, ZZ));
  f.if_();
  f.get(out).get(b).i32ne().if_();
  copyElements(F, at(out), at(b), 4);
  f.end().return_().end();
  F.mul(S(0), at(a, X), at(b, ZZ)); // U1
  F.mul(S(1), at(b, X), at(a, ZZ));
  F.sub(S(1), S(1), S(0)); // P
  F.mul(S(2), at(a, Y), at(b, ZZZ)); // S1
  F.mul(S(3), at(b, Y), at(a, ZZZ));
  F.sub(S(3), S(3), S(2)); // R
  F.isZero(S(1));
  f.if_();
  F.isZero(S(3));
  f.if_();
  f.get(out).get(a).get(s).call(mb.indexOf('xyzz_dbl'));
  f.else_();
  setInfinityXyzz(F, out);
  f.end().return_().end();
  F.sqr(S(4), S(1)); // PP
  F.mul(S(5), S(1), S(4)); // PPP
  F.mul(S(6), S(0), S(4)); // Q
  emitXyzzTail(F, S(3), S(5), S(6), S(2), S(7), S(8), S(9));
  F.mul(S(4), S(4), at(a, ZZ));
  F.mul(S(4), S(4), at(b, ZZ));
  F.mul(S(5), S(5), at(a, ZZZ));
  F.mul(S(5), S(5), at(b, ZZZ));
  F.copy(at(out, X), S(7));
  F.copy(at(out, Y), S(8));
  F.copy(at(out, ZZ), S(4));
  F.copy(at(out, ZZZ), S(5));
}

/** mul1/sqr1 helpers and a^(q−2) by a 4-bit fixed window (252 squarings, ≤ 77 products). */
function emitInverse(mb: ModuleBuilder, mp: Params, one: readonly number[]): void {
  {
    const f = mb.fn('fq_mul1', ['i32', 'i32', 'i32'], [], false);
    new FqEmitter(f, mp, one).mul(at(f.param(0)), at(f.param(1)), at(f.param(2)));
  }
  {
    const f = mb.fn('fq_sqr1', ['i32', 'i32'], [], false);
    new FqEmitter(f, mp, one).sqr(at(f.param(0)), at(f.param(1)));
  }
  const f = mb.fn('fq_inv', ['i32', 'i32', 'i32']);
  const [out, a, s] = [f.param(0), f.param(1), f.param(2)];
  const F = new FqEmitter(f, mp, one);
  const S = slots(s, Region.Inv);
  const mul1 = mb.indexOf('fq_mul1');
  const sqr1 = mb.indexOf('fq_sqr1');
  const ptr = (k: number) => () => f.get(s).i32c((Region.Inv * 16 + k) * ELEMENT_BYTES).i32add();
  // table: slot k holds a^k for k = 1..15; slot 0 is the accumulator
  F.copy(S(1), at(a));
  for (let k = 2; k < 16; k++) {
    ptr(k)();
    ptr(k - 1)();
    ptr(1)();
    f.call(mul1);
  }
  const e = mp.p - 2n;
  const digits: number[] = [];
  for (let x = e; x > 0n; x >>= 4n) digits.push(Number(x & 15n));
  digits.reverse();
  F.copy(S(0), S(digits[0]!));
  for (const d of digits.slice(1)) {
    for (let i = 0; i < 4; i++) {
      ptr(0)();
      ptr(0)();
      f.call(sqr1);
    }
    if (d !== 0) {
      ptr(0)();
      ptr(0)();
      ptr(d)();
      f.call(mul1);
    }
  }
  F.copy(at(out), S(0));
}

/** (X/ZZ, Y/ZZZ) with t = ZZZ⁻¹, Z⁻¹ = t·ZZ, ZZ⁻¹ = (Z⁻¹)²; infinity → (0, 0). */
function emitToAffine(mb: ModuleBuilder, mp: Params, one: readonly number[]): void {
  const f = mb.fn('xyzz_to_affine', ['i32', 'i32', 'i32']);
  const [out, a, s] = [f.param(0), f.param(1), f.param(2)];
  const F = new FqEmitter(f, mp, one, productCalls(mb));
  const S = slots(s, Region.Misc);
  F.isZero(at(a, ZZ));
  f.if_();
  F.setZero(at(out, X));
  F.setZero(at(out, Y));
  f.return_().end();
  f.get(s).i32c(Region.Misc * 16 * ELEMENT_BYTES).i32add().get(a).i32c(ZZZ).i32add().get(s).call(mb.indexOf('fq_inv'));
  F.mul(S(1), S(0), at(a, ZZ));
  F.sqr(S(1), S(1));
  F.mul(at(out, Y), at(a, Y), S(0));
  F.mul(at(out, X), at(a, X), S(1));
}

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
function emitMul4(mb: ModuleBuilder, mp: Params): void {
  const f = mb.fn('fq_mul4', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], false);
  const [out, os, a, as, b, bs] = Array.from({ length: 6 }, (_, i) => f.param(i)) as [Local, Local, Local, Local, Local, Local];
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
  const ptrs = () => Array.from({ length: 4 }, () => f.local('i32'));
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
  const ptrs = () => Array.from({ length: 4 }, () => f.local('i32'));
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
function emitBatchAdd(mb: ModuleBuilder, mp: Params, one: readonly number[], simd: boolean): void {
  const f = mb.fn('g1_batch_add', ['i32', 'i32', 'i32', 'i32']);
  const [pairs, n, s, work] = [f.param(0), f.param(1), f.param(2), f.param(3)];
  const F = new FqEmitter(f, mp, one);
  const lanes = simd ? 4 : 1;
  const S = slots(s, Region.Batch);
  const [pp, rec, dst, src, word, end, count] = Array.from({ length: 7 }, () => f.local('i32')) as [Local, Local, Local, Local, Local, Local, Local];
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
function emitBucketReduce(mb: ModuleBuilder, mp: Params, one: readonly number[]): void {
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
function emitSpillAdd(mb: ModuleBuilder, mp: Params, one: readonly number[]): void {
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

/** y² = x³ + 3 for every point that is not the (0, 0) sentinel. */
function emitCheck(mb: ModuleBuilder, mp: Params, one: readonly number[]): void {
  const f = mb.fn('g1_check', ['i32', 'i32', 'i32'], ['i32']);
  const [pts, n, s] = [f.param(0), f.param(1), f.param(2)];
  const F = new FqEmitter(f, mp, one, productCalls(mb));
  const S = slots(s, Region.Misc);
  const i = f.local('i32');
  F.setConst(S(0), toLimbs((3n * mp.R) % mp.p));
  f.i32c(0).set(i);
  f.block().loop();
  f.get(i).get(n).i32eq().brIf(1);
  f.block();
  F.isZero(at(pts, X));
  F.isZero(at(pts, Y));
  f.i32and().brIf(0);
  F.sqr(S(1), at(pts, X));
  F.mul(S(1), S(1), at(pts, X));
  F.add(S(1), S(1), S(0));
  F.sqr(S(2), at(pts, Y));
  F.sub(S(1), S(1), S(2));
  F.isZero(S(1));
  f.brIf(0);
  f.get(i).return_();
  f.end();
  f.get(pts).i32c(AFFINE_BYTES).i32add().set(pts);
  f.get(i).i32c(1).i32add().set(i);
  f.br(0).end().end();
  f.i32c(-1);
}

/** The G1 module for Fq's Montgomery parameters. */
export function buildG1Module(mp: Params, simd: boolean): ModuleBuilder {
  const one = toLimbs(mp.R);
  const mb = new ModuleBuilder();
  emitInverse(mb, mp, one);
  emitDouble(mb, mp, one, false);
  emitDouble(mb, mp, one, true);
  emitMadd(mb, mp, one);
  emitAddXyzz(mb, mp, one);
  emitToAffine(mb, mp, one);
  if (simd) emitMul4(mb, mp);
  emitBatchAdd(mb, mp, one, simd);
  emitBucketReduce(mb, mp, one);
  emitSpillAdd(mb, mp, one);
  emitCheck(mb, mp, one);
  return mb;
}
