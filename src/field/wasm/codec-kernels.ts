/**
 * Conversions between the packed Montgomery form and canonical 32-byte
 * little-endian words (8 × u32 per element), the bridge to bigint and bytes:
 *   check_words(in,n) → i32   index of the first word-encoded value ≥ p, or −1
 *   from_words(out,in,n)      canonical words → Montgomery limbs (multiply by R²)
 *   to_words(out,a,n,scratch) Montgomery limbs → canonical words (multiply by 1, reduce)
 * `scratch` holds R² (first element) for from_words and is free space for to_words.
 */
import type { FunctionBuilder, Local, ModuleBuilder } from './emitter.js';
import { emitElementLoop } from './field-kernels.js';
import {
  ELEMENT_BYTES,
  LIMBS,
  LIMB_BITS,
  LIMB_MASK,
  allocAddLocals,
  allocMulLocals,
  emitMontMul,
  emitReduce,
  type MontgomeryParams,
} from './montgomery.js';

export const WORD_BYTES = 32;

/** Emit the 29-bit limb j of the 256-bit little-endian value at ptr (an i64 on the stack). */
function emitLimbFromWords(f: FunctionBuilder, ptr: Local, j: number): void {
  const bit = LIMB_BITS * j;
  const word = Math.floor(bit / 32);
  const shift = bit % 32;
  if (word >= 7) {
    // the last limb: bits 232..255 only, never read past the 32 bytes
    f.get(ptr).i64load32u(28).i64c(BigInt(bit - 224)).i64shrU();
  } else {
    f.get(ptr).i64load(4 * word).i64c(BigInt(shift)).i64shrU().i64c(BigInt(LIMB_MASK)).i64and();
  }
}

export function emitCodecKernels(mb: ModuleBuilder, pre: string, mp: MontgomeryParams): void {
  {
    // compare limb by limb from the top: value ≥ p ⇔ first differing limb is larger (or all equal)
    const f = mb.fn(`${pre}_check_words`, ['i32', 'i32'], ['i32']);
    const [src, n] = [f.param(0), f.param(1)];
    const i = f.local('i32');
    const limb = f.local('i64');
    f.i32c(0).set(i);
    f.block().loop();
    f.get(i).get(n).i32geu().brIf(1);
    f.block(); // exits when the value is below p
    for (let j = LIMBS - 1; j >= 0; j--) {
      emitLimbFromWords(f, src, j);
      f.set(limb);
      const pj = BigInt(mp.pLimbs[j]!);
      f.get(limb).i64c(pj).i64ltU().brIf(0);
      f.get(limb).i64c(pj).i64gtU().if_().get(i).return_().end();
    }
    f.get(i).return_(); // equal to p
    f.end();
    f.get(src).i32c(WORD_BYTES).i32add().set(src);
    f.get(i).i32c(1).i32add().set(i);
    f.br(0).end().end();
    f.i32c(-1);
  }
  {
    const f = mb.fn(`${pre}_from_words`, ['i32', 'i32', 'i32', 'i32']);
    const [out, src, n, r2] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    const L = allocMulLocals(f);
    // convert into out, then multiply by R² in place; src and out may not overlap
    emitElementLoop(f, n, [], () => {
      for (let j = 0; j < LIMBS; j++) {
        f.get(out);
        emitLimbFromWords(f, src, j);
        f.i64store32(4 * j);
      }
      emitMontMul(f, mp, L, { ptr: out, offset: 0 }, { ptr: out, offset: 0 }, { ptr: r2, offset: 0 });
      f.get(out).i32c(ELEMENT_BYTES).i32add().set(out);
      f.get(src).i32c(WORD_BYTES).i32add().set(src);
    });
  }
  {
    const f = mb.fn(`${pre}_to_words`, ['i32', 'i32', 'i32', 'i32']);
    const [out, a, n, scratch] = [f.param(0), f.param(1), f.param(2), f.param(3)];
    const L = allocMulLocals(f);
    const A = allocAddLocals(f);
    const one = f.local('i32');
    const acc = f.local('i64');
    f.get(scratch).i32c(ELEMENT_BYTES).i32add().set(one);
    for (let j = 0; j < LIMBS; j++) f.get(one).i32c(j === 0 ? 1 : 0).i32store(4 * j);
    emitElementLoop(f, n, [], () => {
      emitMontMul(f, mp, L, { ptr: scratch, offset: 0 }, { ptr: a, offset: 0 }, { ptr: one, offset: 0 });
      emitReduce(f, mp, A, { ptr: scratch, offset: 0 }, { ptr: scratch, offset: 0 });
      let bits = 0;
      let word = 0;
      f.i64c(0n).set(acc);
      for (let j = 0; j < LIMBS; j++) {
        f.get(acc).get(scratch).i64load32u(4 * j).i64c(BigInt(bits)).i64shl().i64or().set(acc);
        bits += LIMB_BITS;
        while (bits >= 32 && word < 8) {
          f.get(out).get(acc).i64store32(4 * word);
          f.get(acc).i64c(32n).i64shrU().set(acc);
          bits -= 32;
          word++;
        }
      }
      f.get(out).i32c(WORD_BYTES).i32add().set(out);
      f.get(a).i32c(ELEMENT_BYTES).i32add().set(a);
    });
  }
}
