/**
 * `Assignment`: the result of synthesis, the second half of the contract with
 * the backend (the first is `CompiledCircuit`). Keygen reads `fixed`,
 * `copies` and `rowsUsed`; the prover also reads `advice` and `instance`.
 *
 * Columns are arrays of canonical Fr bigints of length n = 2^k; rows at and
 * beyond `usableRows` are zero here (the prover fills advice blinding rows
 * with random values).
 */
import type { Cell, Phase } from './columns.js';
import { Fr } from '../../field/bn254.js';

/** One copy constraint (both cells are in equality-enabled columns, rows < usableRows). */
export interface CopyConstraint {
  readonly a: Cell;
  readonly b: Cell;
}

/** A region in the row table, for error messages. */
export interface RegionInfo {
  readonly index: number;
  readonly name: string;
  /** First absolute row. */
  readonly start: number;
  /** Rows spanned (max assigned offset + 1; 0 for a region that only copies). */
  readonly rows: number;
  /** Advice columns the region wrote (recorded under the packed floor plan, where regions share rows). */
  readonly advice?: readonly number[];
}

export interface Assignment {
  readonly k: number;
  /** 2^k. */
  readonly n: number;
  readonly usableRows: number;
  /** Rows actually used: max over region ends, table lengths and constants. */
  readonly rowsUsed: number;
  /** false for keygen synthesis (no witness). */
  readonly witness: boolean;
  /** Advice phases whose values were recorded (empty for keygen). */
  readonly phases: readonly Phase[];
  /** Fixed columns in compiled order (author's, then one per selector as 0n/1n), length n each. */
  readonly fixed: readonly (readonly bigint[])[];
  /** Selector values per selector (1 = enabled), length n each. */
  readonly selectors: readonly Uint8Array[];
  /** Advice per column; `undefined` for columns whose phase was not recorded. */
  readonly advice: readonly (readonly bigint[] | undefined)[];
  /** 1 where an advice cell was assigned, per recorded column (used by the mock prover). */
  readonly adviceAssigned: readonly (Uint8Array | undefined)[];
  /** Instance values padded with zeros to n, or undefined when synthesized without instances. */
  readonly instance: readonly (readonly bigint[])[] | undefined;
  readonly copies: readonly CopyConstraint[];
  readonly regions: readonly RegionInfo[];
}

/**
 * The region containing `row`, or undefined (binary search when regions are
 * sorted by start; with the packed floor plan several regions may share a
 * row and the first one is named).
 */
export function regionAt(regions: readonly RegionInfo[], row: number): RegionInfo | undefined {
  for (let i = 1; i < regions.length; i++) {
    if (regions[i]!.start < regions[i - 1]!.start) return regions.find((r) => r.start <= row && row < r.start + r.rows);
  }
  let lo = 0;
  let hi = regions.length - 1;
  let found: RegionInfo | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = regions[mid]!;
    if (r.start <= row) {
      if (row < r.start + r.rows) found = r;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * Inputs to bulk assignment. Signed typed arrays are embedded as signed
 * integers (−k ↦ p − k), which is how quantized tensors arrive.
 */
export type BulkValues =
  | readonly bigint[]
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

export function isBulkValues(x: unknown): x is BulkValues {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof Float32Array) && !(x instanceof Float64Array));
}

const SMALL_HALF = 1 << 15;
let smallTable: bigint[] | undefined;

/**
 * Canonical Fr elements of the integers in [−2^15, 2^15), built once. Small
 * quantized values (the common case for ML tensors) then share one bigint
 * object per value instead of allocating one per cell (a negative value is
 * a 254-bit p − k).
 */
function smallElements(): bigint[] {
  if (!smallTable) {
    const table = new Array<bigint>(2 * SMALL_HALF);
    for (let i = 0; i < 2 * SMALL_HALF; i++) table[i] = Fr.create(BigInt(i - SMALL_HALF));
    smallTable = table;
  }
  return smallTable;
}

/**
 * Copy `values` into `target[start …]` as canonical Fr elements. Returns the
 * index of the first invalid entry (non-bigint, outside [0, p)), or −1.
 * Typed arrays are always valid. One tight loop per input type.
 */
export function writeBulk(target: bigint[], start: number, values: BulkValues): number {
  const p = Fr.p;
  const len = values.length;
  if (Array.isArray(values)) {
    for (let i = 0; i < len; i++) {
      const v = values[i];
      if (typeof v !== 'bigint' || v < 0n || v >= p) return i;
      target[start + i] = v;
    }
  } else if (values instanceof BigInt64Array) {
    const small = smallElements();
    const lo = BigInt(-SMALL_HALF);
    const hi = BigInt(SMALL_HALF);
    for (let i = 0; i < len; i++) {
      const v = values[i]!;
      target[start + i] = v >= lo && v < hi ? small[Number(v) + SMALL_HALF]! : v < 0n ? v + p : v;
    }
  } else if (values instanceof BigUint64Array) {
    for (let i = 0; i < len; i++) target[start + i] = values[i]!;
  } else {
    const small = smallElements();
    const numbers = values as ArrayLike<number>;
    for (let i = 0; i < len; i++) {
      const v = numbers[i]!;
      target[start + i] = v >= -SMALL_HALF && v < SMALL_HALF ? small[v + SMALL_HALF]! : v < 0 ? BigInt(v) + p : BigInt(v);
    }
  }
  return -1;
}

/** Describe a bulk entry for an error message. */
export function describeEntry(values: BulkValues, i: number): string {
  const v: unknown = values[i];
  return typeof v === 'bigint' ? v.toString() : `${typeof v} ${String(v)}`;
}
