/**
 * Function tables for tlookup (zkLLM, Sun et al. 2024): every integer input d
 * in [min, max] of a configured range, and the output round(2^t · f(x)) with
 * x = d · inputMul / 2^s. Built with exact bigint arithmetic (`exact.ts`), so
 * every JS engine builds byte-identical tables; tests pin each default table
 * by a SHA-256 content digest.
 *
 *   fn          f(x)                                   domain note
 *   exp         e^x
 *   gelu        0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))  GPT-2's gelu_new
 *   sigmoid     1 / (1 + e^−x)
 *   tanh        tanh x
 *   reciprocal  1 / x                                  x > 0 (min ≥ 1)
 *   rsqrt       1 / √(x + ε)                           x + ε > 0
 *
 * Softmax's segment tables are exp tables with inputMul = −2^(segment shift).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { expFix, fromScaled, geluFix, ratRound, roundFix, sigmoidFix, sqrtRatRound, sqrtTwoOverPiFix, tanhFix } from './exact.js';
import { GadgetError } from './tensor.js';

export type TableFn = 'exp' | 'gelu' | 'sigmoid' | 'tanh' | 'reciprocal' | 'rsqrt';

export interface FnTableSpec {
  readonly fn: TableFn;
  /** s: the input d means d · inputMul / 2^s. */
  readonly inScale: number;
  /** t: outputs are round(2^t · f(x)). */
  readonly outScale: number;
  /** Smallest and largest integer input (inclusive). */
  readonly min: number;
  readonly max: number;
  /** Multiplier of the input (default 1). */
  readonly inputMul?: bigint;
  /** rsqrt's ε as a rational [numerator, denominator] (default 0). */
  readonly eps?: readonly [bigint, bigint];
}

export interface FnTable {
  readonly spec: FnTableSpec;
  readonly inputs: BigInt64Array;
  readonly outputs: BigInt64Array;
}

/** A string naming the table; equal keys ⇔ equal tables (the registry's key). */
export function tableKey(spec: FnTableSpec): string {
  const eps = spec.eps ? `:eps=${spec.eps[0]}/${spec.eps[1]}` : '';
  return `${spec.fn}:s=${spec.inScale}:t=${spec.outScale}:[${spec.min},${spec.max}]:mul=${spec.inputMul ?? 1n}${eps}`;
}

export function tableSize(spec: FnTableSpec): number {
  return spec.max - spec.min + 1;
}

function checkSpec(spec: FnTableSpec): void {
  const where = `table ${tableKey(spec)}`;
  if (!Number.isSafeInteger(spec.min) || !Number.isSafeInteger(spec.max) || spec.max < spec.min) {
    throw new GadgetError(`${where}: expected integers min ≤ max, got [${spec.min}, ${spec.max}]`);
  }
  if (!Number.isInteger(spec.inScale) || spec.inScale < 0 || !Number.isInteger(spec.outScale) || spec.outScale < 0 || spec.outScale > 40) {
    throw new GadgetError(`${where}: expected scales 0 ≤ s and 0 ≤ t ≤ 40, got s=${spec.inScale}, t=${spec.outScale}`);
  }
  if (spec.fn === 'reciprocal' && spec.min * Number(spec.inputMul ?? 1n) <= 0) throw new GadgetError(`${where}: reciprocal needs inputs > 0`);
}

/** One entry: round(2^t · f(d · inputMul / 2^s)). */
export function tableEntry(spec: FnTableSpec, d: bigint, sqrtTwoOverPi?: bigint): bigint {
  const n = d * (spec.inputMul ?? 1n);
  const s = spec.inScale;
  const t = spec.outScale;
  switch (spec.fn) {
    case 'exp':
      return roundFix(expFix(fromScaled(n, s)), t);
    case 'gelu':
      return roundFix(geluFix(fromScaled(n, s), sqrtTwoOverPi), t);
    case 'sigmoid':
      return roundFix(sigmoidFix(fromScaled(n, s)), t);
    case 'tanh':
      return roundFix(tanhFix(fromScaled(n, s)), t);
    case 'reciprocal':
      // 2^t / (n / 2^s) = 2^(t+s) / n, rounded exactly.
      return ratRound(1n << BigInt(t + s), n);
    case 'rsqrt': {
      // 2^t / √(n/2^s + a/b) = √(2^(2t+s)·b / (n·b + a·2^s)), rounded exactly.
      const [a, b] = spec.eps ?? [0n, 1n];
      const den = n * b + (a << BigInt(s));
      if (den <= 0n) throw new GadgetError(`table ${tableKey(spec)}: rsqrt of a non-positive value at input ${d}`);
      return sqrtRatRound((1n << BigInt(2 * t + s)) * b, den);
    }
  }
}

/** The whole table (inputs min … max in order). */
export function buildTable(spec: FnTableSpec): FnTable {
  checkSpec(spec);
  const size = tableSize(spec);
  const inputs = new BigInt64Array(size);
  const outputs = new BigInt64Array(size);
  const c = spec.fn === 'gelu' ? sqrtTwoOverPiFix() : undefined;
  for (let i = 0; i < size; i++) {
    const d = BigInt(spec.min + i);
    inputs[i] = d;
    outputs[i] = tableEntry(spec, d, c);
  }
  return { spec, inputs, outputs };
}

/** SHA-256 (hex) of the key and the entries as little-endian int64 pairs. */
export function tableDigest(table: FnTable): string {
  const key = new TextEncoder().encode(tableKey(table.spec));
  const bytes = new Uint8Array(key.length + 16 * table.inputs.length);
  bytes.set(key, 0);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < table.inputs.length; i++) {
    view.setBigInt64(key.length + 16 * i, table.inputs[i]!, true);
    view.setBigInt64(key.length + 16 * i + 8, table.outputs[i]!, true);
  }
  return Array.from(sha256(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Lookup `d` in a built table (the gadget specs use this); throws outside the range. */
export function lookupValue(table: FnTable, d: bigint, where: string): bigint {
  const i = Number(d) - table.spec.min;
  if (!(i >= 0 && i < table.inputs.length)) {
    throw new GadgetError(`${where}: input ${d} is outside the table range [${table.spec.min}, ${table.spec.max}] of ${tableKey(table.spec)}`);
  }
  return table.outputs[i]!;
}
