/**
 * Shared pieces of the G1 WebAssembly kernels (g1-kernels.ts, g1-batch-kernels.ts):
 * point layouts, scratch regions and `FqEmitter`, field arithmetic on memory
 * operands inside one emitted function.
 */
import { montgomery, type FunctionBuilder, type Local } from '../field/index.js';

const { LIMBS, LIMB_BITS, LIMB_MASK, ELEMENT_BYTES, allocAddLocals, allocMulLocals, emitAdd, emitMontMul, emitMontSquare, emitSub } = montgomery;
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
export const enum Region {
  Add = 0,
  Madd = 1,
  Dbl = 2,
  Mdbl = 3,
  Inv = 4,
  Batch = 5,
  Reduce = 6,
  Misc = 7,
}

export const X = 0;
export const Y = ELEMENT_BYTES;
export const ZZ = 2 * ELEMENT_BYTES;
export const ZZZ = 3 * ELEMENT_BYTES;

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
export function slots(s: Local, r: Region): (k: number) => Operand {
  return (k) => at(s, (r * 16 + k) * ELEMENT_BYTES);
}

/** Copy `count` consecutive elements. */
export function copyElements(F: FqEmitter, out: Operand, a: Operand, count: number): void {
  for (let e = 0; e < count; e++) F.copy(at(out.ptr, out.offset + e * ELEMENT_BYTES), at(a.ptr, a.offset + e * ELEMENT_BYTES));
}

export function setInfinityXyzz(F: FqEmitter, out: Local): void {
  F.setOne(at(out, X));
  F.setOne(at(out, Y));
  F.setZero(at(out, ZZ));
  F.setZero(at(out, ZZZ));
}
