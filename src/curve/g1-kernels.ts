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
 * Batch-affine addition (`g1_batch_add`, emitted with the SIMD helpers and
 * the bucket kernels by g1-batch-kernels.ts; shared pieces in
 * g1-wasm-common.ts): many independent affine additions dst ← dst + src
 * share one field inversion by Montgomery's trick; each costs 5M + 1S instead
 * of ~11 multiplications for a mixed Jacobian addition, and with wasm SIMD
 * four additions run side by side. This is the bucket-accumulation step of
 * Aztec's and gnark's Pippenger (see Bernstein–Doumen–Lange–Oosterwijk,
 * "Faster batch forgery identification", INDOCRYPT 2012, for the affine
 * batching).
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
import { ModuleBuilder, montgomery } from '../field/index.js';
import { emitBatchAdd, emitBucketReduce, emitMul4, emitSpillAdd } from './g1-batch-kernels.js';
import { AFFINE_BYTES, FqEmitter, Region, X, Y, ZZ, ZZZ, at, copyElements, setInfinityXyzz, slots } from './g1-wasm-common.js';

export { AFFINE_BYTES, FqEmitter, NEG_FLAG, SCRATCH_BYTES, XYZZ_BYTES, at } from './g1-wasm-common.js';
export { batchPairsBytes, batchWorkBytes } from './g1-batch-kernels.js';

const { ELEMENT_BYTES, toLimbs } = montgomery;
type Operand = montgomery.Operand;
type Params = montgomery.MontgomeryParams;

/** The module's product functions, for FqEmitter's call mode (emitted first, by emitInverse). */
function productCalls(mb: ModuleBuilder): { mul: number; sqr: number } {
  return { mul: mb.indexOf('fq_mul1'), sqr: mb.indexOf('fq_sqr1') };
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
