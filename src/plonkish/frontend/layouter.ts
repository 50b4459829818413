/**
 * The single-pass layouter (a simpler cousin of halo2's
 * `SimpleFloorPlanner`): regions are appended one after another, each
 * region's closure runs exactly once, and a region starts on the row after
 * the previous one ends. Lookup tables fill their own columns from row 0,
 * constants fill the constants columns from row 0. Nothing depends on
 * witness values, so keygen and proving see the same rows.
 *
 * The layout is per synthesis; the prover may synthesize once per phase
 * (halo2's approach) with `SynthesisMode.phases` and the challenges known
 * so far, and the mock prover synthesizes once with all phases.
 */
import type { Assignment } from './assignment.js';
import type { Cell, Challenge, InstanceColumn } from './columns.js';
import type { ConstraintSystem } from './constraint-system.js';
import { SynthesisError } from './errors.js';
import { LayoutStore, type SynthesisMode } from './layout-store.js';
import { type AssignedCell, Region, TableAssigner } from './region.js';
import type { MeasuredRegion } from './floor-plan.js';
import type { Value } from './value.js';

export class Layouter {
  private readonly store: LayoutStore;
  private finished = false;

  constructor(cs: ConstraintSystem, k: number, mode: SynthesisMode) {
    this.store = new LayoutStore(cs, k, mode);
  }

  get k(): number {
    return this.store.k;
  }
  get n(): number {
    return this.store.n;
  }
  /** Rows 0 … usableRows − 1 may be assigned. */
  get usableRows(): number {
    return this.store.usableRows;
  }
  /** Next row a new region would start at. */
  get nextRow(): number {
    return this.store.cursor;
  }
  /** true in the packed floor plan's measure pass, where regions start at the cursor (not yet where the plan puts them). */
  get measuring(): boolean {
    return this.store.measuring;
  }
  /** false during keygen: values passed in are ignored. */
  get hasWitness(): boolean {
    return this.store.witness;
  }

  /**
   * Lay out a named region at the next free row; `assign` runs once, now,
   * and its result is returned. Regions cannot nest.
   */
  region<T>(name: string, assign: (region: Region) => T): T {
    this.checkActive('region');
    if (this.store.inRegion) throw new SynthesisError(`region "${name}": regions cannot nest (opened inside another region)`);
    const store = this.store;
    const index = store.regions.length;
    const plan = store.plan;
    if (plan && index >= plan.starts.length) {
      throw new SynthesisError(`region "${name}" (#${index}): the floor plan measured only ${plan.starts.length} regions; the layout must not depend on values`);
    }
    const region = new Region(store, index, name, plan ? plan.starts[index]! : store.cursor);
    store.inRegion = true;
    if (plan || store.measuring) store.touched = new Set();
    let result: T;
    try {
      result = assign(region);
    } finally {
      store.inRegion = false;
      region.close();
    }
    const touched = store.touched;
    store.touched = undefined;
    if (store.measuring) store.measured.push({ name, keys: touched!, rows: region.rows });
    if (plan) {
      const keys = plan.keys[index]!;
      const extra = [...touched!].find((k) => !keys.has(k));
      if (region.rows !== plan.rows[index] || extra !== undefined) {
        throw new SynthesisError(`region "${name}" (#${index}): its shape differs from the floor plan's measure pass (rows ${region.rows} vs ${plan.rows[index]}); the layout must not depend on values`);
      }
    }
    // under the packed plan regions share rows: record which advice columns this one wrote (keys below A are advice indices)
    const advice = plan ? Object.freeze([...touched!].filter((k) => k < store.cs.advice.length).sort((a, b) => a - b)) : undefined;
    store.regions.push(Object.freeze({ index, name, start: region.start, rows: region.rows, ...(advice ? { advice } : {}) }));
    store.cursor = plan ? Math.max(store.cursor, region.start + region.rows) : store.cursor + region.rows;
    return result;
  }

  /**
   * Fill lookup table columns (from row 0). Every column touched must end up
   * with rows 0 … len − 1 assigned, all with the same len; each is then
   * padded with its row-0 value up to the usable rows (halo2 does the same),
   * so unused rows repeat a real entry instead of adding 0 to the table.
   */
  assignTable(name: string, assign: (table: TableAssigner) => void): void {
    this.checkActive('assignTable');
    if (this.store.measuring) return;
    const where = `table "${name}"`;
    const table = new TableAssigner(this.store, where);
    assign(table);
    let length: number | undefined;
    for (const [index, mask] of table.touched) {
      const label = this.store.cs.describeColumn({ kind: 'fixed', index });
      const len = mask.indexOf(0) === -1 ? mask.length : mask.indexOf(0);
      if (mask.indexOf(1, len) !== -1) {
        throw new SynthesisError(`${where}: ${label} has a hole at row ${len}; table rows must be contiguous from 0`);
      }
      if (length !== undefined && len !== length) {
        throw new SynthesisError(`${where}: table columns must have equal lengths, got ${length} and ${len} (${label})`);
      }
      length = len;
      const column = this.store.fixed[index]!;
      column.fill(column[0]!, len, this.store.usableRows);
      this.store.tablesDone.add(index);
    }
    this.store.tableRows = Math.max(this.store.tableRows, length ?? 0);
  }

  /** Copy constraint between two cells of equality-enabled columns. */
  constrainEqual(a: Cell, b: Cell): void {
    this.checkActive('constrainEqual');
    this.store.copy(a, b, 'constrainEqual');
  }

  /** Constrain `cell` to equal public input `row` of `column` (halo2's `constrain_instance`). */
  constrainInstance(cell: Cell, column: InstanceColumn, row: number): void {
    this.checkActive('constrainInstance');
    this.store.copy(cell, { column, row }, 'constrainInstance');
  }

  /**
   * Publish an assigned cell's value in row `row` of a late instance column
   * (`cs.instanceColumn({ phase, length })`, equality-enabled): the prover
   * sends it after that phase's advice commitments; the verifier reads it
   * from the proof and returns it. Copy-constrained to the cell.
   */
  exposeInstance(cell: AssignedCell, column: InstanceColumn, row: number): void {
    this.checkActive('exposeInstance');
    this.store.exposeInstance(cell, cell.value, column, row, 'exposeInstance');
  }

  /** The cell of the constants column holding `value` (each distinct constant is placed once). */
  assignConstant(value: bigint): Cell {
    this.checkActive('assignConstant');
    return this.store.constant(value, 'assignConstant');
  }

  /** A public input's value: known when synthesizing with instances, unknown at keygen. */
  instanceValue(column: InstanceColumn, row: number): Value<bigint> {
    return this.store.instanceValue(column, row, 'instanceValue');
  }

  /** A challenge's value: unknown until its phase's advice is committed (and at keygen). */
  getChallenge(challenge: Challenge): Value<bigint> {
    return this.store.challengeValue(challenge);
  }

  /** The measure pass's regions (packed floor plan). */
  measuredRegions(): readonly MeasuredRegion[] {
    return this.store.measured;
  }

  /** Close the layout and return the assignment (called by `synthesize`). */
  finish(): Assignment {
    this.checkActive('finish');
    this.finished = true;
    return this.store.finish();
  }

  private checkActive(what: string): void {
    if (this.finished) throw new SynthesisError(`${what}: the layout is finished`);
  }
}
