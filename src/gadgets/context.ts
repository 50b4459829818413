/**
 * The gadget context: what every ML chip of one circuit shares, created in
 * `configure(cs, params)` and passed to each chip's `configure` (no global
 * state). It owns the table registry, so each lookup table (range 2^b, exp,
 * GELU, …) exists once per circuit however many chips use it: the registry
 * hands every user the same table columns, and the backend batches all their
 * lookups against one multiplicity column (logUp, parallel lookups as in
 * zkLLM's tlookup).
 *
 * Function tables carry a tag column (0 on row 0, 1 elsewhere) so a lookup
 * switched off by its selector, (q, q·x, q·y) = (0, 0, 0), hits the tag-0 row
 * and no real entry is needed for it:
 *
 *   | tag | x (input)  | y = f(x)   |
 *   |-----|------------|------------|
 *   |  0  |  0         |  0         |   ← row 0, also the padding value
 *   |  1  |  min       |  f(min)    |
 *   |  …  |  …         |  …         |
 *
 * The top-level circuit calls `assignTables(layouter)` once per synthesis.
 */
import type { Challenge, ConstraintSystem, Expression, Layouter, Selector, TableColumn, VirtualCells } from '../plonkish/frontend/index.js';
import { buildTable, type FnTable, type FnTableSpec, tableKey, tableSize } from './tables.js';
import { GadgetError } from './tensor.js';

export interface GadgetOptions {
  /** b: range checks decompose into b-bit limbs looked up in a 2^b table (default 8). */
  readonly limbBits?: number;
}

export interface FnTableColumns {
  readonly key: string;
  readonly spec: FnTableSpec;
  readonly tag: TableColumn;
  readonly input: TableColumn;
  readonly output: TableColumn;
}

export interface CustomTableColumns {
  readonly key: string;
  readonly tag: TableColumn;
  readonly columns: readonly TableColumn[];
}

interface CustomEntry extends CustomTableColumns {
  readonly build: () => readonly BigInt64Array[];
}

export class GadgetContext {
  readonly limbBits: number;
  private readonly ranges = new Map<number, TableColumn>();
  private readonly fns = new Map<string, FnTableColumns>();
  private readonly customs = new Map<string, CustomEntry>();
  private readonly built = new Map<string, FnTable>();
  private freivalds: Challenge | undefined;

  constructor(
    readonly cs: ConstraintSystem,
    options: GadgetOptions = {},
  ) {
    this.limbBits = options.limbBits ?? 8;
    if (!Number.isInteger(this.limbBits) || this.limbBits < 1 || this.limbBits > 20) {
      throw new GadgetError(`GadgetContext: expected 1 ≤ limbBits ≤ 20, got ${this.limbBits}`);
    }
  }

  /**
   * The challenge drawn after phase 0 that every Freivalds check of this
   * circuit uses (one per circuit is enough: each check is a separate
   * polynomial identity in it).
   */
  freivaldsChallenge(): Challenge {
    return (this.freivalds ??= this.cs.challenge(0, { name: 'freivalds.rho' }));
  }

  /** The table column holding 0 … 2^bits − 1 (default bits = limbBits). */
  rangeTable(bits = this.limbBits): TableColumn {
    let t = this.ranges.get(bits);
    if (!t) this.ranges.set(bits, (t = this.cs.lookupTableColumn({ name: `range${bits}` })));
    return t;
  }

  /** The columns of a function table (registered on first use). */
  fnTable(spec: FnTableSpec): FnTableColumns {
    const key = tableKey(spec);
    let t = this.fns.get(key);
    if (!t) {
      const name = `${spec.fn}[${spec.min},${spec.max}]`;
      t = Object.freeze({
        key,
        spec,
        tag: this.cs.lookupTableColumn({ name: `${name}.tag` }),
        input: this.cs.lookupTableColumn({ name: `${name}.x` }),
        output: this.cs.lookupTableColumn({ name: `${name}.y` }),
      });
      this.fns.set(key, t);
    }
    return t;
  }

  /** The built table contents (built once per context). */
  table(spec: FnTableSpec): FnTable {
    const key = tableKey(spec);
    let t = this.built.get(key);
    if (!t) this.built.set(key, (t = buildTable(spec)));
    return t;
  }

  /** A vector table of `width` columns plus a tag, contents from `build` (one array per column). */
  customTable(key: string, width: number, build: () => readonly BigInt64Array[]): CustomTableColumns {
    let t = this.customs.get(key);
    if (!t) {
      t = Object.freeze({
        key,
        build,
        tag: this.cs.lookupTableColumn({ name: `${key}.tag` }),
        columns: Array.from({ length: width }, (_, i) => this.cs.lookupTableColumn({ name: `${key}[${i}]` })),
      });
      this.customs.set(key, t);
    } else if (t.columns.length !== width) {
      throw new GadgetError(`customTable "${key}": registered with ${t.columns.length} columns, asked for ${width}`);
    }
    return t;
  }

  /** Keys of the registered tables and their row counts (cost reports). */
  tableRows(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const bits of this.ranges.keys()) out[`range${bits}`] = 2 ** bits;
    for (const t of this.fns.values()) out[t.key] = tableSize(t.spec) + 1;
    for (const t of this.customs.values()) out[t.key] = (t.build()[0]?.length ?? 0) + 1;
    return out;
  }

  /** Fill every registered table; call once per synthesis. */
  assignTables(layouter: Layouter): void {
    for (const [bits, column] of this.ranges) {
      layouter.assignTable(`range ${bits} bits`, (t) => t.assignColumn(column, BigInt64Array.from({ length: 2 ** bits }, (_, i) => BigInt(i))));
    }
    for (const t of this.fns.values()) {
      const table = this.table(t.spec);
      const n = table.inputs.length + 1;
      layouter.assignTable(t.key, (a) => {
        const tag = new BigInt64Array(n).fill(1n);
        tag[0] = 0n;
        a.assignColumn(t.tag, tag);
        const x = new BigInt64Array(n);
        x.set(table.inputs, 1);
        a.assignColumn(t.input, x);
        const y = new BigInt64Array(n);
        y.set(table.outputs, 1);
        a.assignColumn(t.output, y);
      });
    }
    for (const t of this.customs.values()) {
      const cols = t.build();
      const n = (cols[0]?.length ?? 0) + 1;
      layouter.assignTable(t.key, (a) => {
        const tag = new BigInt64Array(n).fill(1n);
        tag[0] = 0n;
        a.assignColumn(t.tag, tag);
        cols.forEach((c, i) => {
          const col = new BigInt64Array(n);
          col.set(c, 1);
          a.assignColumn(t.columns[i]!, col);
        });
      });
    }
  }
}

/** `(q, q·x, q·y) ∈ (tag, input, output)`: y = f(x) on rows where `selector` is on. */
export function lookupFunction(
  cs: ConstraintSystem,
  name: string,
  selector: Selector,
  table: FnTableColumns,
  io: (meta: VirtualCells) => readonly [Expression, Expression],
): void {
  cs.lookup(name, (meta) => {
    const q = meta.querySelector(selector);
    const [x, y] = io(meta);
    return [
      [q, table.tag],
      [q.mul(x), table.input],
      [q.mul(y), table.output],
    ];
  });
}
