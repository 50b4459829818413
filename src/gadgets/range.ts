/**
 * Range checks by lookup with limb decomposition, and the small assignment
 * helpers every chip uses.
 *
 * An attached range check proves v ∈ [0, 2^n) (or, signed, v ∈ [−2^(n−1),
 * 2^(n−1))) for an expression v of a chip's own row, where the chip's
 * selector q is on. With b-bit limbs, L = ⌈n/b⌉:
 *
 *   | … chip columns … | limb_0 | limb_1 | … | limb_{L−1} |
 *
 *   gate   q · (v + o − Σ_j limb_j · 2^(b·j)) = 0        (o = 2^(n−1) if signed, else 0)
 *   lookup limb_j ∈ [0, 2^b)                            for every j, on every row
 *   lookup limb_{L−1} · 2^(b·L − n) ∈ [0, 2^b)            if b ∤ n (tightens the top limb)
 *
 * The limb columns belong to this check alone, so the lookups need no
 * selector: a row where q is off holds 0 in every limb (nothing else writes
 * there), which is in the table. Without the selector a lookup input has
 * degree 1, and logUp groups three of them per helper column instead of one
 * (backend/lookup.ts), a third of the helper columns the prover commits.
 * Σ limbs < 2^n ≪ p, so the decomposition is an integer identity and v lies
 * in range.
 */
import type { AdviceColumn, BulkValues, Cell, CellSpan, ConstraintSystem, Expression, Layouter, Region, Selector, VirtualCells } from '../plonkish/frontend/index.js';
import type { Value } from '../plonkish/frontend/index.js';
import type { GadgetContext } from './context.js';
import { type AssignedTensor, assignedTensor, GadgetError } from './tensor.js';

export interface RangeConfig {
  readonly name: string;
  readonly bits: number;
  readonly limbBits: number;
  readonly signed: boolean;
  readonly limbs: readonly AdviceColumn[];
}

export function configureRange(
  ctx: GadgetContext,
  name: string,
  selector: Selector,
  value: (meta: VirtualCells) => Expression,
  bits: number,
  signed = false,
): RangeConfig {
  const cs = ctx.cs;
  const b = ctx.limbBits;
  if (!Number.isInteger(bits) || bits < 1 || bits > 200) throw new GadgetError(`${name}: expected 1 ≤ bits ≤ 200, got ${bits}`);
  const count = Math.ceil(bits / b);
  const limbs = Array.from({ length: count }, (_, j) => cs.adviceColumn({ name: `${name}.limb${j}` }));
  const offset = signed ? 1n << BigInt(bits - 1) : 0n;
  cs.createGate(`${name}: decompose`, (meta) => {
    let acc = value(meta).add(offset);
    limbs.forEach((l, j) => (acc = acc.sub(meta.query(l).scale(1n << BigInt(b * j)))));
    return [meta.querySelector(selector).mul(acc)];
  });
  const table = ctx.rangeTable();
  limbs.forEach((l, j) => cs.lookup(`${name}: limb ${j}`, (meta) => [[meta.query(l), table]]));
  if (bits % b !== 0) {
    const shift = 1n << BigInt(b * count - bits);
    cs.lookup(`${name}: top limb`, (meta) => [[meta.query(limbs[count - 1]!).scale(shift), table]]);
  }
  return Object.freeze({ name, bits, limbBits: b, signed, limbs });
}

/**
 * Write the limbs of `values` (signed integers) at rows offset … offset +
 * length − 1. Values out of range get the limbs of v mod 2^n, so the mock
 * prover reports the decomposition gate instead of synthesis throwing.
 */
export function assignRange(region: Region, config: RangeConfig, offset: number, values: Value<ArrayLike<bigint>>, length: number): void {
  const b = BigInt(config.limbBits);
  const mask = (1n << b) - 1n;
  const modulus = 1n << BigInt(config.bits);
  const shift = config.signed ? 1n << BigInt(config.bits - 1) : 0n;
  const limbs = values.map((vs) => {
    const cols = config.limbs.map(() => new BigInt64Array(length));
    for (let i = 0; i < length; i++) {
      let u = (((vs[i]! + shift) % modulus) + modulus) % modulus;
      for (let j = 0; j < cols.length; j++, u >>= b) cols[j]![i] = u & mask;
    }
    return cols;
  });
  config.limbs.forEach((col, j) => region.assignAdviceColumn(col, offset, limbs.map((c) => c[j]!), length));
}

// ---------------------------------------------------------------- assignment helpers

/** Bulk-assign `length` values (signed integers or canonical Fr) from `offset`. */
export function assignColumn(region: Region, column: AdviceColumn, offset: number, values: Value<BulkValues>, length: number): CellSpan {
  return region.assignAdviceColumn(column, offset, values, length);
}

/** Cells of a span, in order. */
export function spanCells(span: CellSpan): Cell[] {
  return Array.from({ length: span.length }, (_, i) => span.cell(i));
}

/** Assign a tensor's entries into `column` from `offset` and constrain each equal to its source cell. */
export function copyIn(region: Region, column: AdviceColumn, offset: number, t: { cells: readonly Cell[]; values: Value<BulkValues> }): Cell[] {
  const span = region.assignAdviceColumn(column, offset, t.values, t.cells.length);
  const cells = spanCells(span);
  t.cells.forEach((c, i) => region.constrainEqual(c, cells[i]!));
  return cells;
}

/** Per-element map of known values into a BigInt64Array. */
export function mapValues(values: Value<BigInt64Array>, f: (v: bigint, i: number) => bigint): Value<BigInt64Array> {
  return values.map((vs) => {
    const out = new BigInt64Array(vs.length);
    for (let i = 0; i < vs.length; i++) out[i] = f(vs[i]!, i);
    return out;
  });
}

// ---------------------------------------------------------------- standalone chip

export interface RangeCheckChipConfig {
  readonly x: AdviceColumn;
  readonly q: Selector;
  readonly range: RangeConfig;
}

/**
 * Range check of a tensor: each entry copied into column x and checked.
 *
 *   | x (copy) | limb_0 … limb_{L−1} | q |
 */
export class RangeCheckChip {
  constructor(readonly config: RangeCheckChipConfig) {}

  static configure(ctx: GadgetContext, bits: number, signed = true, name = 'range'): RangeCheckChip {
    const cs: ConstraintSystem = ctx.cs;
    const x = cs.adviceColumn({ name: `${name}.x` });
    cs.enableEquality(x);
    const q = cs.selector({ name: `${name}.q` });
    const range = configureRange(ctx, name, q, (meta) => meta.query(x), bits, signed);
    return new RangeCheckChip({ x, q, range });
  }

  /** Proves every entry in range; returns the tensor (same cells). */
  assign(layouter: Layouter, t: AssignedTensor): AssignedTensor {
    const { x, q, range } = this.config;
    const n = t.cells.length;
    layouter.region(range.name, (region) => {
      copyIn(region, x, 0, t);
      region.enableSelectorRange(q, 0, n);
      assignRange(region, range, 0, t.values, n);
    });
    return assignedTensor(t.shape, t.scale, t.cells, t.values);
  }
}

/** Spec: throws unless every entry is in range. */
export function rangeCheckSpec(data: ArrayLike<bigint>, bits: number, signed = true): void {
  const lo = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const hi = lo + (1n << BigInt(bits));
  for (let i = 0; i < data.length; i++) {
    if (data[i]! < lo || data[i]! >= hi) throw new GadgetError(`rangeCheckSpec: entry ${i} = ${data[i]} outside [${lo}, ${hi})`);
  }
}
