/**
 * Fixed-point tensors: a shape, flat row-major signed integers (BigInt64Array)
 * and a binary scale s, so an entry q stands for the real number q / 2^s.
 * Entries are embedded in Fr as signed integers (−k ↦ p − k), which is how the
 * frontend's bulk assignment writes a BigInt64Array.
 *
 * Rounding convention of every gadget (and of its bigint `spec`): round half
 * up, i.e. toward +∞ on ties:
 *   roundShift(x, k) = ⌊(x + 2^(k−1)) / 2^k⌋,   divRound(a, b) = ⌊(2a + b) / 2b⌋ (b > 0).
 *
 * `AssignedTensor` is the circuit face: the same shape and scale, one cell
 * handle per entry and the entries as a `Value` (unknown at keygen).
 */
import { Fr } from '../field/bn254.js';
import type { Cell } from '../plonkish/frontend/index.js';
import { Value } from '../plonkish/frontend/index.js';
import { ZkTensorError } from '../field/errors.js';

export class GadgetError extends ZkTensorError {
  override readonly name: string = 'GadgetError';
}

export interface FixedPointTensor {
  readonly shape: readonly number[];
  /** Row-major signed integers; entry q means q / 2^scale. */
  readonly data: BigInt64Array;
  /** Binary scale s (values are multiples of 2^−s). */
  readonly scale: number;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkShape(where: string, shape: readonly number[], length: number): void {
  if (!shape.every((d) => Number.isInteger(d) && d > 0)) throw new GadgetError(`${where}: expected positive integer dims, got [${shape.join(', ')}]`);
  if (sizeOf(shape) !== length) throw new GadgetError(`${where}: shape [${shape.join(', ')}] needs ${sizeOf(shape)} entries, got ${length}`);
}

export function tensor(shape: readonly number[], data: BigInt64Array | readonly (bigint | number)[], scale: number): FixedPointTensor {
  const flat = data instanceof BigInt64Array ? data : BigInt64Array.from(data, (v) => BigInt(v));
  checkShape('tensor', shape, flat.length);
  if (!Number.isInteger(scale) || scale < 0) throw new GadgetError(`tensor: expected a non-negative integer scale, got ${scale}`);
  return Object.freeze({ shape: Object.freeze([...shape]), data: flat, scale });
}

/** q = round(x · 2^s) (Math.round: half up), checked to lie in the signed `bits` range if given. */
export function quantize(values: ArrayLike<number>, shape: readonly number[], scale: number, bits?: number): FixedPointTensor {
  const data = new BigInt64Array(values.length);
  const f = 2 ** scale;
  for (let i = 0; i < values.length; i++) {
    const q = Math.round(values[i]! * f);
    if (!Number.isSafeInteger(q)) throw new GadgetError(`quantize: entry ${i} = ${values[i]} overflows at scale 2^${scale}`);
    data[i] = BigInt(q);
  }
  const t = tensor(shape, data, scale);
  if (bits !== undefined) checkBits('quantize', t.data, bits);
  return t;
}

export function dequantize(t: FixedPointTensor): Float64Array {
  const f = 2 ** -t.scale;
  return Float64Array.from(t.data, (q) => Number(q) * f);
}

/** Throws unless every entry lies in the signed range [−2^(bits−1), 2^(bits−1)). */
export function checkBits(where: string, data: ArrayLike<bigint>, bits: number): void {
  const lim = 1n << BigInt(bits - 1);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < -lim || v >= lim) throw new GadgetError(`${where}: entry ${i} = ${v} is outside the signed ${bits}-bit range [${-lim}, ${lim})`);
  }
}

// ---------------------------------------------------------------- bigint spec arithmetic

export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}
/** ⌊(x + 2^(k−1)) / 2^k⌋ (k = 0: x). */
export function roundShift(x: bigint, k: number): bigint {
  if (k === 0) return x;
  return (x + (1n << BigInt(k - 1))) >> BigInt(k);
}
/** ⌊(2a + b) / 2b⌋ for b > 0: a / b rounded half up. */
export function divRound(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new GadgetError(`divRound: expected a positive divisor, got ${b}`);
  return floorDiv(2n * a + b, 2n * b);
}
/** ⌈log2(x)⌉ bits needed for values in [0, x) (x ≥ 1). */
export function bitsFor(x: bigint): number {
  return x <= 1n ? 1 : (x - 1n).toString(2).length;
}

export function toField(v: bigint): bigint {
  return Fr.fromSigned(v);
}
export function fromField(v: bigint): bigint {
  return Fr.toSigned(v);
}

// ---------------------------------------------------------------- tensors in a circuit

export interface AssignedTensor {
  readonly shape: readonly number[];
  readonly scale: number;
  /** One cell per entry, row-major. */
  readonly cells: readonly Cell[];
  /** Entries as signed integers (unknown at keygen). */
  readonly values: Value<BigInt64Array>;
}

export function assignedTensor(shape: readonly number[], scale: number, cells: readonly Cell[], values: Value<BigInt64Array>): AssignedTensor {
  checkShape('assignedTensor', shape, cells.length);
  return Object.freeze({ shape: Object.freeze([...shape]), scale, cells, values });
}

/** The entries as a plain tensor (throws if unknown). */
export function valuesOf(t: AssignedTensor): FixedPointTensor {
  return tensor(t.shape, t.values.get('valuesOf'), t.scale);
}

/** Same cells under a new shape of equal size. */
export function reshape(t: AssignedTensor, shape: readonly number[]): AssignedTensor {
  return assignedTensor(shape, t.scale, t.cells, t.values);
}

/** Pick entries by flat index (a view: no constraints, the cells are shared). */
export function gather(t: AssignedTensor, indices: readonly number[], shape: readonly number[] = [indices.length]): AssignedTensor {
  const cells = indices.map((i) => t.cells[i]!);
  return assignedTensor(shape, t.scale, cells, t.values.map((v) => BigInt64Array.from(indices, (i) => v[i]!)));
}

/** Transpose of a 2-D tensor (a view). */
export function transpose(t: AssignedTensor): AssignedTensor {
  const [r, c] = dims2(t, 'transpose');
  const idx: number[] = [];
  for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) idx.push(i * c + j);
  return gather(t, idx, [c, r]);
}

/** Sub-tensor `index` along the first axis (a view). */
export function slice0(t: AssignedTensor, index: number): AssignedTensor {
  const inner = t.shape.slice(1);
  const size = sizeOf(inner);
  return gather(t, Array.from({ length: size }, (_, i) => index * size + i), inner.length ? inner : [1]);
}

/** Concatenate along a new first axis (a view). */
export function stack(parts: readonly AssignedTensor[]): AssignedTensor {
  const first = parts[0]!;
  const cells = parts.flatMap((p) => p.cells);
  const values = Value.all(parts.map((p) => p.values)).map((vs) => {
    const out = new BigInt64Array(cells.length);
    let o = 0;
    for (const v of vs) (out.set(v, o), (o += v.length));
    return out;
  });
  return assignedTensor([parts.length, ...first.shape], first.scale, cells, values);
}

export function dims2(t: { readonly shape: readonly number[] }, where: string): [number, number] {
  if (t.shape.length !== 2) throw new GadgetError(`${where}: expected a 2-D tensor, got shape [${t.shape.join(', ')}]`);
  return [t.shape[0]!, t.shape[1]!];
}

export function sameScale(where: string, a: { scale: number }, b: { scale: number }): void {
  if (a.scale !== b.scale) throw new GadgetError(`${where}: expected equal scales, got 2^${a.scale} and 2^${b.scale}`);
}
