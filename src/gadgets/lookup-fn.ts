/**
 * Non-linear functions by table lookup (zkLLM's tlookup): GELU, exp,
 * sigmoid, tanh, reciprocal, rsqrt. The table (tables.ts) holds every input
 * of the configured range with its correctly rounded output, so the error
 * is at most half an output ulp, 2^−(t+1), at the exact quantized input.
 *
 *   | x (copy) | y (eq) | q |        lookup (q, q·x, q·y) ∈ (tag, x_T, f(x_T))
 *
 * Inputs outside [min, max] are not in the table and fail the lookup (the
 * spec throws): pick the range from calibration, or clamp before.
 */
import type { AdviceColumn, Layouter, Selector } from '../plonkish/frontend/index.js';
import { type FnTableColumns, type GadgetContext, lookupFunction } from './context.js';
import { copyIn, mapValues, spanCells } from './range.js';
import { type FnTable, type FnTableSpec, lookupValue, type TableFn } from './tables.js';
import { type AssignedTensor, assignedTensor, GadgetError } from './tensor.js';

export function lookupFnSpec(table: FnTable, x: ArrayLike<bigint>): BigInt64Array {
  return BigInt64Array.from({ length: x.length }, (_, i) => lookupValue(table, x[i]!, `${table.spec.fn} spec`));
}

/** A table spec over the signed range [min, max] at input scale s, output scale t. */
export function fnSpec(fn: TableFn, inScale: number, outScale: number, min: number, max: number, extra: Partial<FnTableSpec> = {}): FnTableSpec {
  return { fn, inScale, outScale, min, max, ...extra };
}

export class LookupFnChip {
  private constructor(
    readonly name: string,
    readonly spec: FnTableSpec,
    readonly table: FnTableColumns,
    readonly x: AdviceColumn,
    readonly y: AdviceColumn,
    readonly q: Selector,
  ) {}

  static configure(ctx: GadgetContext, spec: FnTableSpec, name: string = spec.fn): LookupFnChip {
    const cs = ctx.cs;
    const x = cs.adviceColumn({ name: `${name}.x` });
    const y = cs.adviceColumn({ name: `${name}.y` });
    cs.enableEquality(x);
    cs.enableEquality(y);
    const q = cs.selector({ name: `${name}.q` });
    const table = ctx.fnTable(spec);
    lookupFunction(cs, `${name}: ${spec.fn} table`, q, table, (meta) => [meta.query(x), meta.query(y)]);
    return new LookupFnChip(name, spec, table, x, y, q);
  }

  /** y = f(x) entrywise at scale t; x must be at the table's input scale. */
  assign(layouter: Layouter, ctx: GadgetContext, x: AssignedTensor): AssignedTensor {
    return assignTableFunction(layouter, this, x, () => ctx.table(this.spec).outputs);
  }
}

/**
 * The region of a table-function chip (this one and lookup-exact.ts): x
 * copied in, y = outputs[x − min] (the table built only with a witness),
 * the lookup's selector on every row.
 */
export function assignTableFunction(
  layouter: Layouter,
  chip: { readonly name: string; readonly spec: { readonly inScale: number; readonly outScale: number; readonly min: number }; readonly x: AdviceColumn; readonly y: AdviceColumn; readonly q: Selector },
  x: AssignedTensor,
  outputs: () => ArrayLike<bigint>,
): AssignedTensor {
  const { spec } = chip;
  if (x.scale !== spec.inScale) throw new GadgetError(`${chip.name}: expected input scale 2^${spec.inScale}, got 2^${x.scale}`);
  const n = x.cells.length;
  const table = x.values.isKnown() ? outputs() : undefined;
  // out-of-range inputs get 0 and fail the lookup in the prover
  const y = mapValues(x.values, (v) => {
    const i = Number(v) - spec.min;
    return i >= 0 && i < table!.length ? table![i]! : 0n;
  });
  const cells = layouter.region(chip.name, (region) => {
    copyIn(region, chip.x, 0, x);
    const out = spanCells(region.assignAdviceColumn(chip.y, 0, y, n));
    region.enableSelectorRange(chip.q, 0, n);
    return out;
  });
  return assignedTensor(x.shape, spec.outScale, cells, y);
}
