/**
 * Code generators for Montgomery arithmetic on 9 limbs of 29 bits.
 *
 * Representation: an element x is stored as x·R mod p with R = 2^261, in nine
 * little-endian u32 limbs of 29 bits each (36 bytes). Between operations a
 * value is any integer in [0, 2p) with every limb below 2^29; kernels reduce to
 * [0, p) only at the boundaries (`reduce`, reads back to bigint).
 *
 * Multiplication is operand scanning with lazy carries: round i adds a_i·b and
 * m_i·p into 64-bit position sums t[i..i+8] and carries only the lowest sum
 * t[i] into t[i+1]. A position collects at most 9 rounds × 2 products, each
 * below 2^58, so 18·2^58 < 2^63 and no sum overflows. The result is below
 * (4p² + R·p)/R < 2p because 4p < R, so no final subtraction is needed.
 *
 * For BN254's Fr, p ≡ 1 + 2^28 (mod 2^29): p_0·m = m + (m << 28) and
 * m = −p⁻¹·t mod 2^29 = (t << 28) − t mod 2^29, so both multiplies of a
 * round's reduction step become shifts and adds.
 */
import type { FunctionBuilder, Local } from './emitter.js';

export const LIMBS = 9;
export const LIMB_BITS = 29;
export const LIMB_MASK = (1 << LIMB_BITS) - 1;
export const ELEMENT_BYTES = LIMBS * 4;
/** R = 2^(9·29) = 2^261. */
export const R_BITS = LIMBS * LIMB_BITS;

export interface MontgomeryParams {
  readonly p: bigint;
  readonly pLimbs: readonly number[];
  readonly twoPLimbs: readonly number[];
  /** −p⁻¹ mod 2^29. */
  readonly mu: number;
  /** p mod 2^29 = 1 + 2^28: the shift-and-add reduction applies. */
  readonly shiftReduce: boolean;
  readonly R: bigint;
  readonly R2: bigint;
  readonly Rinv: bigint;
}

export function toLimbs(x: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; i < LIMBS; i++) {
    out.push(Number(x & BigInt(LIMB_MASK)));
    x >>= BigInt(LIMB_BITS);
  }
  if (x !== 0n) throw new RangeError(`toLimbs: value does not fit in ${R_BITS} bits`);
  return out;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError('modInverse: not invertible');
  return ((s0 % m) + m) % m;
}

export function montgomeryParams(p: bigint): MontgomeryParams {
  if (4n * p >= 1n << BigInt(R_BITS)) throw new RangeError(`montgomeryParams: expected 4p < 2^${R_BITS}`);
  const word = 1n << BigInt(LIMB_BITS);
  const mu = Number((word - modInverse(p, word)) % word);
  const R = (1n << BigInt(R_BITS)) % p;
  return {
    p,
    pLimbs: toLimbs(p),
    twoPLimbs: toLimbs(2n * p),
    mu,
    shiftReduce: (p & BigInt(LIMB_MASK)) === (1n << 28n) + 1n,
    R,
    R2: (R * R) % p,
    Rinv: modInverse(R, p),
  };
}

/** Locals one function needs to inline Montgomery products; allocate once, reuse for every product. */
export interface MulLocals {
  readonly t: Local[]; // 2·LIMBS position sums (i64)
  readonly b: Local[]; // limbs of the second operand (i64)
  readonly ai: Local; // current limb of the first operand (i64)
  readonly m: Local; // reduction multiplier (i64)
}

export function allocMulLocals(f: FunctionBuilder): MulLocals {
  return {
    t: Array.from({ length: 2 * LIMBS }, () => f.local('i64')),
    b: Array.from({ length: LIMBS }, () => f.local('i64')),
    ai: f.local('i64'),
    m: f.local('i64'),
  };
}

/** An operand in memory: a pointer local plus a constant byte offset. */
export interface Operand {
  readonly ptr: Local;
  readonly offset: number;
}

/**
 * Emit out ← a·b·R⁻¹ mod p (result in [0, 2p)). `out` may alias `a` or `b`:
 * every load happens before the first store.
 */
export function emitMontMul(f: FunctionBuilder, mp: MontgomeryParams, L: MulLocals, out: Operand, a: Operand, b: Operand): void {
  for (let j = 0; j < LIMBS; j++) f.get(b.ptr).i64load32u(b.offset + 4 * j).set(L.b[j]!);
  const touched = new Array<boolean>(2 * LIMBS).fill(false);
  const accumulate = (k: number, emitTerm: () => void) => {
    if (touched[k]) {
      f.get(L.t[k]!);
      emitTerm();
      f.i64add();
    } else emitTerm();
    f.set(L.t[k]!);
    touched[k] = true;
  };
  for (let i = 0; i < LIMBS; i++) {
    f.get(a.ptr).i64load32u(a.offset + 4 * i).set(L.ai);
    for (let j = 0; j < LIMBS; j++) accumulate(i + j, () => f.get(L.ai).get(L.b[j]!).i64mul());
    emitReductionRound(f, mp, L, i);
  }
  emitNormalizeStore(f, L.t.slice(LIMBS), out);
}

/**
 * Emit out ← a²·R⁻¹ mod p: the cross products a_i·a_j (i < j) are computed once
 * with a doubled operand, then nine reduction rounds as in `emitMontMul`.
 * Position k collects at most 5 doubled products (< 2^59 each) and one square
 * before reduction, 9 reduction terms after: still far below 2^63.
 */
export function emitMontSquare(f: FunctionBuilder, mp: MontgomeryParams, L: MulLocals, out: Operand, a: Operand): void {
  for (let j = 0; j < LIMBS; j++) f.get(a.ptr).i64load32u(a.offset + 4 * j).set(L.b[j]!);
  const touched = new Array<boolean>(2 * LIMBS).fill(false);
  for (let i = 0; i < LIMBS; i++) {
    // ai = 2·a_i for the cross terms
    f.get(L.b[i]!).i64c(1n).i64shl().set(L.ai);
    for (let j = i; j < LIMBS; j++) {
      const k = i + j;
      if (touched[k]) f.get(L.t[k]!);
      if (j === i) f.get(L.b[i]!).get(L.b[i]!).i64mul();
      else f.get(L.ai).get(L.b[j]!).i64mul();
      if (touched[k]) f.i64add();
      f.set(L.t[k]!);
      touched[k] = true;
    }
  }
  for (let i = 0; i < LIMBS; i++) emitReductionRound(f, mp, L, i);
  emitNormalizeStore(f, L.t.slice(LIMBS), out);
}

/** One reduction round at position i: m = −p⁻¹·t_i mod 2^29, t += m·p·2^(29i), carry t_i into t_{i+1}. */
function emitReductionRound(f: FunctionBuilder, mp: MontgomeryParams, L: MulLocals, i: number): void {
  const ti = L.t[i]!;
  if (mp.shiftReduce) {
    // m = ((t << 28) − t) mod 2^29
    f.get(ti).i64c(28n).i64shl().get(ti).i64sub().i64c(BigInt(LIMB_MASK)).i64and().set(L.m);
    // t_i += m·(1 + 2^28), then carry
    f.get(ti).get(L.m).i64add().get(L.m).i64c(28n).i64shl().i64add();
  } else {
    f.get(ti).i32wrapI64().i32c(mp.mu).i32mul().i32c(LIMB_MASK).i32and().i64extendI32U().set(L.m);
    f.get(ti).get(L.m).i64c(BigInt(mp.pLimbs[0]!)).i64mul().i64add();
  }
  // carry the (now 2^29-divisible) lowest sum into the next position
  f.i64c(BigInt(LIMB_BITS)).i64shrU().get(L.t[i + 1]!).i64add().set(L.t[i + 1]!);
  for (let j = 1; j < LIMBS; j++) {
    const k = i + j;
    const pj = mp.pLimbs[j]!;
    if (pj === 0) continue;
    f.get(L.t[k]!).get(L.m).i64c(BigInt(pj)).i64mul().i64add().set(L.t[k]!);
  }
}

/**
 * Carry-propagate nine 64-bit sums into 29-bit limbs and store them. The top
 * sum is never written by a product (positions run to 2·9 − 2), so it is set
 * from the carry rather than added to: a stale value from a previous loop
 * iteration must not leak in.
 */
export function emitNormalizeStore(f: FunctionBuilder, sums: Local[], out: Operand): void {
  for (let k = 0; k < LIMBS; k++) {
    const s = sums[k]!;
    if (k < LIMBS - 1) {
      if (k + 1 < LIMBS - 1) f.get(sums[k + 1]!);
      f.get(s).i64c(BigInt(LIMB_BITS)).i64shrU();
      if (k + 1 < LIMBS - 1) f.i64add();
      f.set(sums[k + 1]!);
      f.get(out.ptr).get(s).i64c(BigInt(LIMB_MASK)).i64and().i64store32(out.offset + 4 * k);
    } else {
      f.get(out.ptr).get(s).i64store32(out.offset + 4 * k);
    }
  }
}

/** Locals for additive kernels (i32 limbs). */
export interface AddLocals {
  readonly s: Local[];
  readonly d: Local[];
  readonly c: Local; // carry / borrow
  readonly k: Local; // second carry
}

export function allocAddLocals(f: FunctionBuilder): AddLocals {
  return {
    s: Array.from({ length: LIMBS }, () => f.local('i32')),
    d: Array.from({ length: LIMBS }, () => f.local('i32')),
    c: f.local('i32'),
    k: f.local('i32'),
  };
}

/**
 * s ← s − m if s ≥ m, in place on the locals `L.s` (limbs normalised), where m
 * is a constant given by its limbs. Branch-free: compute s − m with borrows,
 * keep it when the final borrow is zero.
 */
function emitConditionalSubtract(f: FunctionBuilder, L: AddLocals, mLimbs: readonly number[]): void {
  for (let j = 0; j < LIMBS; j++) {
    f.get(L.s[j]!).i32c(mLimbs[j]!).i32sub();
    if (j > 0) f.get(L.c).i32sub();
    f.set(L.d[j]!);
    f.get(L.d[j]!).i32c(31).i32shrU().set(L.c);
    f.get(L.d[j]!).i32c(LIMB_MASK).i32and().set(L.d[j]!);
  }
  for (let j = 0; j < LIMBS; j++) f.get(L.s[j]!).get(L.d[j]!).get(L.c).select().set(L.s[j]!);
}

function emitStoreLimbs(f: FunctionBuilder, limbs: Local[], out: Operand): void {
  for (let j = 0; j < LIMBS; j++) f.get(out.ptr).get(limbs[j]!).i32store(out.offset + 4 * j);
}

/** out ← a + b, inputs and output in [0, 2p). */
export function emitAdd(f: FunctionBuilder, mp: MontgomeryParams, L: AddLocals, out: Operand, a: Operand, b: Operand): void {
  for (let j = 0; j < LIMBS; j++) {
    f.get(a.ptr).i32load(a.offset + 4 * j).get(b.ptr).i32load(b.offset + 4 * j).i32add();
    if (j > 0) f.get(L.c).i32add();
    f.set(L.s[j]!);
    if (j < LIMBS - 1) {
      f.get(L.s[j]!).i32c(LIMB_BITS).i32shrU().set(L.c);
      f.get(L.s[j]!).i32c(LIMB_MASK).i32and().set(L.s[j]!);
    }
  }
  emitConditionalSubtract(f, L, mp.twoPLimbs);
  emitStoreLimbs(f, L.s, out);
}

/** out ← a − b (+2p when negative), inputs and output in [0, 2p). `a` may be omitted for negation. */
export function emitSub(f: FunctionBuilder, mp: MontgomeryParams, L: AddLocals, out: Operand, a: Operand | null, b: Operand): void {
  for (let j = 0; j < LIMBS; j++) {
    if (a) f.get(a.ptr).i32load(a.offset + 4 * j);
    else f.i32c(0);
    f.get(b.ptr).i32load(b.offset + 4 * j).i32sub();
    if (j > 0) f.get(L.c).i32sub();
    f.set(L.s[j]!);
    f.get(L.s[j]!).i32c(31).i32shrU().set(L.c);
    f.get(L.s[j]!).i32c(LIMB_MASK).i32and().set(L.s[j]!);
  }
  // if borrow: add 2p (mask = −borrow selects the limbs of 2p), carrying, modulo 2^261
  f.i32c(0).get(L.c).i32sub().set(L.c);
  for (let j = 0; j < LIMBS; j++) {
    f.get(L.s[j]!).i32c(mp.twoPLimbs[j]!).get(L.c).i32and().i32add();
    if (j > 0) f.get(L.k).i32add();
    f.set(L.d[j]!);
    if (j < LIMBS - 1) f.get(L.d[j]!).i32c(LIMB_BITS).i32shrU().set(L.k);
    f.get(L.d[j]!).i32c(LIMB_MASK).i32and().set(L.d[j]!);
  }
  emitStoreLimbs(f, L.d, out);
}

/** out ← a mod p (from [0, 2p) to canonical [0, p)), still in Montgomery form. */
export function emitReduce(f: FunctionBuilder, mp: MontgomeryParams, L: AddLocals, out: Operand, a: Operand): void {
  for (let j = 0; j < LIMBS; j++) f.get(a.ptr).i32load(a.offset + 4 * j).set(L.s[j]!);
  emitConditionalSubtract(f, L, mp.pLimbs);
  emitStoreLimbs(f, L.s, out);
}
