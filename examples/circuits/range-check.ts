/**
 * (b) 8-bit range check by lookup.
 *
 * Region "values", rows 0 … N−1, and a fixed table column filled from row 0:
 *
 *   | value | q_range |      | table (fixed) |
 *   |-------|---------|      |---------------|
 *   | v_i   |    1    |      | 0 … 255       |
 *
 * Lookup "range8": q_range · value ∈ table. Rows where q_range = 0 look up
 * 0, which is in the table. The table needs 256 usable rows, so k ≥ 9.
 * Values arrive as a signed `BigInt64Array` (as quantized tensors do) and
 * are written with the bulk API.
 */
import {
  type AdviceColumn,
  type Circuit,
  type ConstraintSystem,
  type Layouter,
  type Selector,
  type TableColumn,
  Value,
} from '../../src/plonkish/frontend/index.js';
import { type ExampleCase, seededRng } from './common.js';

export const RANGE_BITS = 8;

export interface RangeCheckConfig {
  readonly value: AdviceColumn;
  readonly qRange: Selector;
  readonly table: TableColumn;
}
export interface RangeCheckParams {
  readonly count: number;
}

export class RangeCheckCircuit implements Circuit<RangeCheckConfig, RangeCheckParams> {
  constructor(
    readonly params: RangeCheckParams,
    /** The values to range-check (signed; must lie in [0, 256) to pass). */
    readonly values?: BigInt64Array,
  ) {}

  configure(cs: ConstraintSystem): RangeCheckConfig {
    const value = cs.adviceColumn({ name: 'value' });
    const qRange = cs.selector({ name: 'q_range' });
    const table = cs.lookupTableColumn({ name: 'byte' });
    cs.lookup('range8', (meta) => [[meta.querySelector(qRange).mul(meta.query(value)), table]]);
    return { value, qRange, table };
  }

  synthesize(layouter: Layouter, config: RangeCheckConfig): void {
    const size = 1 << RANGE_BITS;
    layouter.assignTable('byte 0..255', (t) => {
      t.assignColumn(config.table, Uint16Array.from({ length: size }, (_, i) => i));
    });
    layouter.region('values', (region) => {
      region.assignAdviceColumn(config.value, 0, Value.fromOptional(this.values), this.params.count);
      region.enableSelectorRange(config.qRange, 0, this.params.count);
    });
  }
}

export function rangeCheckValues(count: number, seed = 2): BigInt64Array {
  const rng = seededRng(seed);
  return BigInt64Array.from({ length: count }, () => BigInt(rng() % (1 << RANGE_BITS)));
}

export function rangeCheckValid(count = 16, seed = 2): ExampleCase<RangeCheckConfig, RangeCheckParams> {
  return { circuit: new RangeCheckCircuit({ count }, rangeCheckValues(count, seed)), instances: [], k: 9 };
}

/** Value at `row` set to `bad` (default 256, just out of range; try −1 too). */
export function rangeCheckBad(count = 16, row = 5, bad = 256n, seed = 2): ExampleCase<RangeCheckConfig, RangeCheckParams> {
  const values = rangeCheckValues(count, seed);
  values[row] = bad;
  return { circuit: new RangeCheckCircuit({ count }, values), instances: [], k: 9 };
}
