/**
 * The scalar (non-SIMD) vector kernels of one prime field, written into a
 * module under a prefix (`fr_…`, `fq_…`). Every pointer is a byte offset into
 * the shared memory; every element is 36 bytes (see montgomery.ts). Output
 * vectors may alias inputs element for element (out[i] depends on a[i], b[i]).
 *
 * Exported kernels (n = element count):
 *   mul(out,a,b,n) sqr(out,a,n) add(out,a,b,n) sub(out,a,b,n) neg(out,a,n)
 *   scale(out,a,c,n)       out_i = a_i·c
 *   add_c(out,a,c,n)       out_i = a_i + c
 *   axpy(y,c,x,n)          y_i = y_i + c·x_i
 *   reduce(out,a,n)        canonical [0, p)
 *   mul1(out,a,b) sqr1(out,a) inv1(out,a,scratch)   single elements
 *   batch_inv(out,a,n,scratch)  Montgomery's trick; zeros map to zero; out ≠ a
 *   powers(out,start,base,n)    out_i = start·base^i
 *   prefix_mul(out,start,a,n)   out_0 = start, out_i = out_{i−1}·a_{i−1}; out ≠ a
 *   prefix_add(out,start,a,n)   out_0 = start, out_i = out_{i−1} + a_{i−1}; out ≠ a
 *   inner(out,a,b,n,scratch)    out = Σ a_i·b_i
 *   is_zero(a) → i32
 */
import type { FunctionBuilder, Local, ModuleBuilder } from './emitter.js';
import {
  ELEMENT_BYTES,
  LIMBS,
  allocAddLocals,
  allocMulLocals,
  emitAdd,
  emitMontMul,
  emitMontSquare,
  emitReduce,
  emitSub,
  type MontgomeryParams,
  type Operand,
} from './montgomery.js';

const at = (ptr: Local, offset = 0): Operand => ({ ptr, offset });

/**
 * Emit `while (n--) { body; p += 36 for each p }` where n is a local.
 */
export function emitElementLoop(f: FunctionBuilder, n: Local, ptrs: Local[], body: () => void): void {
  f.block().loop();
  f.get(n).i32eqz().brIf(1);
  body();
  for (const p of ptrs) f.get(p).i32c(ELEMENT_BYTES).i32add().set(p);
  f.get(n).i32c(1).i32sub().set(n);
  f.br(0).end().end();
}

/** Copy one element (9 limbs). */
export function emitCopy(f: FunctionBuilder, out: Operand, a: Operand): void {
  for (let j = 0; j < LIMBS; j++) f.get(out.ptr).get(a.ptr).i32load(a.offset + 4 * j).i32store(out.offset + 4 * j);
}

/** Store the constant whose limbs are given. */
export function emitStoreConst(f: FunctionBuilder, out: Operand, limbs: readonly number[]): void {
  for (let j = 0; j < LIMBS; j++) f.get(out.ptr).i32c(limbs[j]!).i32store(out.offset + 4 * j);
}

export function emitFieldKernels(mb: ModuleBuilder, pre: string, mp: MontgomeryParams, oneMont: readonly number[]): void {
  {
    const f = mb.fn(`${pre}_mul`, ['i32', 'i32', 'i32', 'i32']);
    const [out, a, b, n] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    const L = allocMulLocals(f);
    emitElementLoop(f, n, [out, a, b], () => emitMontMul(f, mp, L, at(out), at(a), at(b)));
  }
  {
    const f = mb.fn(`${pre}_sqr`, ['i32', 'i32', 'i32']);
    const [out, a, n] = [f.param(0), f.param(1), f.param(2)];
    const L = allocMulLocals(f);
    emitElementLoop(f, n, [out, a], () => emitMontSquare(f, mp, L, at(out), at(a)));
  }
  for (const op of ['add', 'sub'] as const) {
    const f = mb.fn(`${pre}_${op}`, ['i32', 'i32', 'i32', 'i32']);
    const [out, a, b, n] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    const L = allocAddLocals(f);
    emitElementLoop(f, n, [out, a, b], () =>
      op === 'add' ? emitAdd(f, mp, L, at(out), at(a), at(b)) : emitSub(f, mp, L, at(out), at(a), at(b)),
    );
  }
  {
    const f = mb.fn(`${pre}_add_c`, ['i32', 'i32', 'i32', 'i32']);
    const [out, a, c, n] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    const L = allocAddLocals(f);
    emitElementLoop(f, n, [out, a], () => emitAdd(f, mp, L, at(out), at(a), at(c)));
  }
  {
    const f = mb.fn(`${pre}_neg`, ['i32', 'i32', 'i32']);
    const [out, a, n] = [f.param(0), f.param(1), f.param(2)];
    const L = allocAddLocals(f);
    emitElementLoop(f, n, [out, a], () => emitSub(f, mp, L, at(out), null, at(a)));
  }
  {
    const f = mb.fn(`${pre}_reduce`, ['i32', 'i32', 'i32']);
    const [out, a, n] = [f.param(0), f.param(1), f.param(2)];
    const L = allocAddLocals(f);
    emitElementLoop(f, n, [out, a], () => emitReduce(f, mp, L, at(out), at(a)));
  }
  {
    const f = mb.fn(`${pre}_scale`, ['i32', 'i32', 'i32', 'i32']);
    const [out, a, c, n] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    const L = allocMulLocals(f);
    emitElementLoop(f, n, [out, a], () => emitMontMul(f, mp, L, at(out), at(a), at(c)));
  }
  {
    // y_i ← y_i + c·x_i, the product passing through one scratch element
    const f = mb.fn(`${pre}_axpy`, ['i32', 'i32', 'i32', 'i32', 'i32']);
    const [y, c, x, n, scratch] = [f.param(0), f.param(1), f.param(2), f.param(3), f.param(4)];
    const L = allocMulLocals(f);
    const A = allocAddLocals(f);
    emitElementLoop(f, n, [y, x], () => {
      emitMontMul(f, mp, L, at(scratch), at(x), at(c));
      emitAdd(f, mp, A, at(y), at(y), at(scratch));
    });
  }
  {
    const f = mb.fn(`${pre}_mul1`, ['i32', 'i32', 'i32']);
    emitMontMul(f, mp, allocMulLocals(f), at(f.param(0)), at(f.param(1)), at(f.param(2)));
  }
  {
    const f = mb.fn(`${pre}_sqr1`, ['i32', 'i32']);
    emitMontSquare(f, mp, allocMulLocals(f), at(f.param(0)), at(f.param(1)));
  }
  {
    const f = mb.fn(`${pre}_is_zero`, ['i32'], ['i32']);
    const a = f.param(0);
    // zero in [0, 2p) is 0 or p: OR of limbs == 0, or all limbs equal p's
    const acc = f.local('i32');
    f.i32c(0).set(acc);
    for (let j = 0; j < LIMBS; j++) f.get(acc).get(a).i32load(4 * j).i32or().set(acc);
    f.get(acc).i32eqz().if_().i32c(1).return_().end();
    f.i32c(0).set(acc);
    for (let j = 0; j < LIMBS; j++) f.get(acc).get(a).i32load(4 * j).i32c(mp.pLimbs[j]!).i32xor().i32or().set(acc);
    f.get(acc).i32eqz();
  }
  {
    // a^(p−2) by left-to-right square-and-multiply; the base is copied to scratch so out may alias a
    const f = mb.fn(`${pre}_inv1`, ['i32', 'i32', 'i32']);
    const [out, a, scratch] = [f.param(0), f.param(1), f.param(2)];
    emitCopy(f, at(scratch), at(a));
    const e = mp.p - 2n;
    const bits = e.toString(2);
    emitCopy(f, at(out), at(scratch)); // leading bit is 1
    const mul1 = mb.indexOf(`${pre}_mul1`);
    const sqr1 = mb.indexOf(`${pre}_sqr1`);
    for (let i = 1; i < bits.length; i++) {
      f.get(out).get(out).call(sqr1);
      if (bits[i] === '1') f.get(out).get(out).get(scratch).call(mul1);
    }
  }
  {
    // prefix products into out, one inversion, then the backward sweep; zeros stay zero
    const f = mb.fn(`${pre}_batch_inv`, ['i32', 'i32', 'i32', 'i32']);
    const [out, a, n, scratch] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    const acc = f.local('i32');
    const tmp = f.local('i32');
    const i = f.local('i32');
    const po = f.local('i32');
    const pa = f.local('i32');
    const mul1 = mb.indexOf(`${pre}_mul1`);
    const isZero = mb.indexOf(`${pre}_is_zero`);
    const inv1 = mb.indexOf(`${pre}_inv1`);
    f.get(scratch).set(acc);
    f.get(scratch).i32c(ELEMENT_BYTES).i32add().set(tmp);
    emitStoreConst(f, at(acc), oneMont);
    f.get(out).set(po).get(a).set(pa).get(n).set(i);
    emitElementLoop(f, i, [po, pa], () => {
      emitCopy(f, at(po), at(acc));
      f.get(pa).call(isZero).i32eqz().if_();
      f.get(acc).get(acc).get(pa).call(mul1);
      f.end();
    });
    f.get(acc).get(acc).get(scratch).i32c(2 * ELEMENT_BYTES).i32add().call(inv1);
    // backward: po, pa point one past the end
    f.block().loop();
    f.get(po).get(out).i32eq().brIf(1);
    f.get(po).i32c(ELEMENT_BYTES).i32sub().set(po);
    f.get(pa).i32c(ELEMENT_BYTES).i32sub().set(pa);
    f.get(pa).call(isZero).if_();
    for (let j = 0; j < LIMBS; j++) f.get(po).i32c(0).i32store(4 * j);
    f.else_();
    f.get(po).get(po).get(acc).call(mul1);
    f.get(acc).get(acc).get(pa).call(mul1);
    f.end();
    f.br(0).end().end();
  }
  // scans (out, start, operand, n): out_0 = start, then out_i from out_{i−1} and the operand
  // (a constant for powers, element i − 1 of a vector for the prefix ops)
  type ScanStep = (out: Local, prev: Local, operand: Local) => void;
  const emitScan = (name: string, operandAdvances: boolean, prepare: (f: FunctionBuilder) => ScanStep) => {
    const f = mb.fn(`${pre}_${name}`, ['i32', 'i32', 'i32', 'i32']);
    const [out, start, operand, n] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    const prev = f.local('i32');
    const step = prepare(f);
    f.get(n).i32eqz().if_().return_().end();
    emitCopy(f, at(out), at(start));
    f.get(n).i32c(1).i32sub().set(n);
    f.get(out).set(prev);
    f.get(out).i32c(ELEMENT_BYTES).i32add().set(out);
    emitElementLoop(f, n, operandAdvances ? [out, prev, operand] : [out, prev], () => step(out, prev, operand));
  };
  const mulStep = (f: FunctionBuilder): ScanStep => {
    const L = allocMulLocals(f);
    return (out, prev, x) => emitMontMul(f, mp, L, at(out), at(prev), at(x));
  };
  emitScan('powers', false, mulStep);
  emitScan('prefix_mul', true, mulStep);
  emitScan('prefix_add', true, (f) => {
    const A = allocAddLocals(f);
    return (out, prev, a) => emitAdd(f, mp, A, at(out), at(prev), at(a));
  });
  {
    const f = mb.fn(`${pre}_inner`, ['i32', 'i32', 'i32', 'i32', 'i32']);
    const [out, a, b, n, scratch] = [f.param(0), f.param(1), f.param(2), f.param(3), f.param(4)];
    const L = allocMulLocals(f);
    const A = allocAddLocals(f);
    emitStoreConst(f, at(out), new Array(LIMBS).fill(0));
    emitElementLoop(f, n, [a, b], () => {
      emitMontMul(f, mp, L, at(scratch), at(a), at(b));
      emitAdd(f, mp, A, at(out), at(out), at(scratch));
    });
  }
}
