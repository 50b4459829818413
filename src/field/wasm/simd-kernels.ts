/**
 * SIMD versions of the multiplicative vector kernels: two elements per v128.
 *
 * Limb j of elements e and e+1 sit in i32 lanes 0 and 1 of one vector, so
 * `i64x2.extmul_low_i32x4_u` forms both 29×29-bit products at once; position
 * sums are i64x2 and follow exactly the schedule of montgomery.ts (lazy
 * carries, only the lowest sum carried per round). The reduction multiplier
 * m (an i64x2) is moved back to i32 lanes 0 and 1 with one shuffle.
 *
 * Kernels process ⌊n/2⌋ pairs; the caller finishes an odd element with the
 * scalar kernel. Exports: `<pre>_mul2(out,a,b,pairs)`, `<pre>_sqr2(out,a,pairs)`,
 * `<pre>_scale2(out,a,c,pairs)`.
 */
import type { FunctionBuilder, Local, ModuleBuilder } from './emitter.js';
import { ModuleBuilder as Builder } from './emitter.js';
import { ELEMENT_BYTES, LIMBS, LIMB_BITS, LIMB_MASK, type MontgomeryParams } from './montgomery.js';

/** Does this engine validate a module using the SIMD opcodes we emit? */
export function simdSupported(): boolean {
  try {
    const mb = new Builder();
    const f = mb.fn('probe', ['i32']);
    f.get(f.param(0)).get(f.param(0)).v128load32zero().v128load32lane(1).get(f.param(0)).v128load32zero().i64x2extmulLowI32x4U().drop();
    return WebAssembly.validate(mb.encode());
  } catch {
    return false;
  }
}

type Loader = (j: number) => void;

/** The pair layout: limb j of the element at ptr in lane 0, of the one at ptr+36 in lane 1. */
function pairLoader(f: FunctionBuilder, ptr: Local): Loader {
  // v128.load32_lane takes (address, vector): push the lane's address first
  return (j) => f.get(ptr).get(ptr).v128load32zero(4 * j).v128load32lane(1, ELEMENT_BYTES + 4 * j);
}

/** A broadcast single element: limb j in lanes 0 and 1. */
function splatLoader(f: FunctionBuilder, ptr: Local): Loader {
  return (j) => f.get(ptr).i32load(4 * j).i32x4splat();
}

export const SHUFFLE_LANES_0_2 = [0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11];

/**
 * The product-and-reduction rounds of a two-lane Montgomery product: with the
 * second operand's limbs already in `B` (pair layout), round i loads limb i of
 * the first operand into `A` (`loadA`), accumulates A·B into the position
 * sums `t` and reduces position i. `pushMask` pushes the i64x2 limb mask (a
 * constant or a local). Shared by the field kernels and the NTT butterflies.
 */
export function emitSimdMontRounds(
  f: FunctionBuilder,
  mp: MontgomeryParams,
  L: { readonly t: readonly Local[]; readonly B: readonly Local[]; readonly A: Local; readonly M: Local; readonly M32: Local },
  loadA: (i: number) => void,
  pushMask: () => void,
): void {
  const { t, B, A, M, M32 } = L;
  const touched = new Array<boolean>(2 * LIMBS).fill(false);
  const addTo = (k: number, term: () => void) => {
    if (touched[k]) f.get(t[k]!);
    term();
    if (touched[k]) f.i64x2add();
    f.set(t[k]!);
    touched[k] = true;
  };
  for (let i = 0; i < LIMBS; i++) {
    loadA(i);
    f.set(A);
    for (let j = 0; j < LIMBS; j++) addTo(i + j, () => f.get(A).get(B[j]!).i64x2extmulLowI32x4U());
    const ti = t[i]!;
    if (mp.shiftReduce) {
      f.get(ti).i32c(28).i64x2shl().get(ti).i64x2sub();
      pushMask();
      f.v128and().set(M);
      f.get(ti).get(M).i64x2add().get(M).i32c(28).i64x2shl().i64x2add();
      f.get(M).get(M).i8x16shuffle(SHUFFLE_LANES_0_2).set(M32);
    } else {
      f.get(ti).i32x4const(mp.mu).i32x4mul();
      pushMask();
      f.v128and().set(M);
      f.get(M).get(M).i8x16shuffle(SHUFFLE_LANES_0_2).set(M32);
      f.get(ti).get(M32).i32x4const(mp.pLimbs[0]!).i64x2extmulLowI32x4U().i64x2add();
    }
    f.i32c(LIMB_BITS).i64x2shrU().get(t[i + 1]!).i64x2add().set(t[i + 1]!);
    for (let j = 1; j < LIMBS; j++) {
      const pj = mp.pLimbs[j]!;
      if (pj === 0) continue;
      f.get(t[i + j]!).get(M32).i32x4const(pj).i64x2extmulLowI32x4U().i64x2add().set(t[i + j]!);
    }
  }
}

function emitMontMul2(f: FunctionBuilder, mp: MontgomeryParams, out: Local, loadA: Loader, loadB: Loader, square: boolean): void {
  const t = Array.from({ length: 2 * LIMBS }, () => f.local('v128'));
  const B = Array.from({ length: LIMBS }, () => f.local('v128'));
  const A = f.local('v128');
  const M = f.local('v128');
  const M32 = f.local('v128');
  const mask = BigInt(LIMB_MASK);
  for (let j = 0; j < LIMBS; j++) {
    loadB(j);
    f.set(B[j]!);
  }
  emitSimdMontRounds(f, mp, { t, B, A, M, M32 }, (i) => (square ? f.get(B[i]!) : loadA(i)), () => f.i64x2const(mask));
  // normalise positions 9..17 and store lane 0 (i32 lane 0) and lane 1 (i32 lane 2)
  for (let k = 0; k < LIMBS; k++) {
    const s = t[LIMBS + k]!;
    if (k < LIMBS - 1) {
      // the top position is never written by a product: set it, do not add (stale loop values)
      const top = k + 1 === LIMBS - 1;
      if (!top) f.get(t[LIMBS + k + 1]!);
      f.get(s).i32c(LIMB_BITS).i64x2shrU();
      if (!top) f.i64x2add();
      f.set(t[LIMBS + k + 1]!);
      f.get(s).i64x2const(mask).v128and().set(s);
    }
    f.get(out).get(s).v128store32lane(0, 4 * k);
    f.get(out).get(s).v128store32lane(2, ELEMENT_BYTES + 4 * k);
  }
}

function emitPairLoop(f: FunctionBuilder, pairs: Local, ptrs: Local[], body: () => void): void {
  f.block().loop();
  f.get(pairs).i32eqz().brIf(1);
  body();
  for (const p of ptrs) f.get(p).i32c(2 * ELEMENT_BYTES).i32add().set(p);
  f.get(pairs).i32c(1).i32sub().set(pairs);
  f.br(0).end().end();
}

export function emitSimdFieldKernels(mb: ModuleBuilder, pre: string, mp: MontgomeryParams): void {
  {
    const f = mb.fn(`${pre}_mul2`, ['i32', 'i32', 'i32', 'i32']);
    const [out, a, b, pairs] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    emitPairLoop(f, pairs, [out, a, b], () => emitMontMul2(f, mp, out, pairLoader(f, a), pairLoader(f, b), false));
  }
  {
    const f = mb.fn(`${pre}_sqr2`, ['i32', 'i32', 'i32']);
    const [out, a, pairs] = [f.param(0), f.param(1), f.param(2)];
    emitPairLoop(f, pairs, [out, a], () => emitMontMul2(f, mp, out, pairLoader(f, a), pairLoader(f, a), true));
  }
  {
    const f = mb.fn(`${pre}_scale2`, ['i32', 'i32', 'i32', 'i32']);
    const [out, a, c, pairs] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    emitPairLoop(f, pairs, [out, a], () => emitMontMul2(f, mp, out, pairLoader(f, a), splatLoader(f, c), false));
  }
}
