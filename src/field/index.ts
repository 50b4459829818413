/**
 * Prime fields: the bigint scalar face (`PrimeField`, `Fr`, `Fq`) and the
 * packed WebAssembly face (`PackedField`, `FieldVec`).
 */
export * from './errors.js';
export { PrimeField, isProbablePrime, primeFactors } from './prime.js';
export { Fr, Fq, FR_MODULUS, FQ_MODULUS } from './bn254.js';
export { FieldVec, PackedField, ELEMENT_BYTES } from './packed.js';
export { Arena, FieldRuntime, getRuntime, type RuntimeOptions, type KernelExports } from './runtime.js';
export { ModuleBuilder, FunctionBuilder, type Local, type ValType } from './wasm/emitter.js';
export * as montgomery from './wasm/montgomery.js';
export { emitElementLoop, emitCopy } from './wasm/field-kernels.js';

import { Fq, Fr } from './bn254.js';
import { PackedField } from './packed.js';
import { getRuntime, type FieldRuntime } from './runtime.js';

const cache = new WeakMap<FieldRuntime, { fr?: PackedField; fq?: PackedField }>();

/** Packed Fr on a runtime (the default one unless given), created once per runtime. */
export function packedFr(runtime: FieldRuntime = getRuntime()): PackedField {
  const c = cache.get(runtime) ?? {};
  cache.set(runtime, c);
  return (c.fr ??= new PackedField(Fr, 'fr', runtime));
}

/** Packed Fq on a runtime (the default one unless given), created once per runtime. */
export function packedFq(runtime: FieldRuntime = getRuntime()): PackedField {
  const c = cache.get(runtime) ?? {};
  cache.set(runtime, c);
  return (c.fq ??= new PackedField(Fq, 'fq', runtime));
}
export { mulberry32 } from './random.js';
