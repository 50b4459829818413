/**
 * The mutable state behind one synthesis: column values, copies, regions,
 * constants and tables, with the range and value checks every write goes
 * through. `Layouter`, `Region` and `TableAssigner` are thin views on it.
 *
 * Witness-independence: every row number written here comes from region
 * starts and author offsets, never from values, so keygen (no witness) and
 * proving compute the same layout.
 */
import { Fr } from '../../field/bn254.js';
import type { Assignment, BulkValues, CopyConstraint, RegionInfo } from './assignment.js';
import { describeEntry, writeBulk } from './assignment.js';
import {
  type AdviceColumn,
  type Cell,
  type Challenge,
  type Column,
  columnLabel,
  type FixedColumn,
  type InstanceColumn,
  type Phase,
  type Selector,
} from './columns.js';
import type { ConstraintSystem } from './constraint-system.js';
import { AssignmentError, NotEnoughRowsError, SynthesisError } from './errors.js';
import { Value } from './value.js';
import { columnKey, type FloorPlan, type MeasuredRegion } from './floor-plan.js';

/** How to synthesize: keygen (no witness) or witness for some phases. */
export interface SynthesisMode {
  /** false: keygen — advice and instance values are ignored. */
  readonly witness: boolean;
  /** Advice phases to record when `witness` (default: all). */
  readonly phases?: readonly Phase[];
  /** Known challenge values by index; missing entries are unknown. */
  readonly challenges?: readonly (bigint | undefined)[];
  /** Instance values per instance column (at most usableRows each). */
  readonly instances?: readonly (readonly bigint[])[];
  /**
   * The packed floor plan's measure pass: nothing is stored or range-checked,
   * regions are only measured (floor-plan.ts).
   */
  readonly measure?: boolean;
  /** Region starts from a measure pass (packed floor plan). */
  readonly plan?: FloorPlan;
  /**
   * false: copy constraints are neither checked nor recorded (the prover's
   * phases: keygen recorded and checked the same, value-independent layout).
   */
  readonly copies?: boolean;
}

export class LayoutStore {
  readonly n: number;
  readonly usableRows: number;
  readonly witness: boolean;
  readonly phases: readonly Phase[];
  readonly fixed: bigint[][];
  readonly selectors: Uint8Array[];
  readonly advice: (bigint[] | undefined)[];
  readonly assigned: (Uint8Array | undefined)[];
  readonly instance: bigint[][] | undefined;
  readonly copies: CopyConstraint[] = [];
  readonly regions: RegionInfo[] = [];
  /** Next free row for a region. */
  cursor = 0;
  /** True while a region closure runs. */
  inRegion = false;
  tableRows = 0;
  readonly tablesDone = new Set<number>();
  private readonly recorded: boolean[];
  private readonly constantCells = new Map<bigint, Cell>();
  /** Measure pass: no storage, no row checks. */
  readonly measuring: boolean;
  /** Copy constraints are skipped (`SynthesisMode.copies` false). */
  readonly skipCopies: boolean;
  readonly plan: FloorPlan | undefined;
  /** Column keys written by the open region (measure pass and plan checks). */
  touched: Set<number> | undefined;
  readonly measured: MeasuredRegion[] = [];

  constructor(
    readonly cs: ConstraintSystem,
    readonly k: number,
    private readonly mode: SynthesisMode,
  ) {
    if (!Number.isInteger(k) || k < 1 || k > 28) throw new SynthesisError(`synthesize: expected an integer k in [1, 28], got ${k}`);
    this.n = 2 ** k;
    this.usableRows = cs.usableRows(this.n);
    this.measuring = mode.measure === true;
    this.skipCopies = mode.copies === false;
    this.plan = mode.plan;
    if (this.n < cs.minimumRows()) {
      throw new SynthesisError(`synthesize: k = ${k} gives ${this.n} rows, expected at least ${cs.minimumRows()} (blinding factors ${cs.blindingFactors()}); increase k`);
    }
    this.witness = mode.witness;
    this.phases = mode.witness ? [...(mode.phases ?? ([0, 1, 2] as const).slice(0, cs.numPhases()))] : [];
    this.recorded = [0, 1, 2].map((p) => this.phases.includes(p as Phase));
    const size = this.measuring ? 0 : this.n;
    this.fixed = cs.fixed.map(() => new Array<bigint>(size).fill(0n));
    this.selectors = cs.selectors.map(() => new Uint8Array(size));
    this.advice = cs.advice.map(() => undefined);
    this.assigned = cs.advice.map(() => undefined);
    this.instance = mode.instances === undefined ? undefined : this.padInstances(mode.instances);
  }

  isRecorded(column: AdviceColumn): boolean {
    return this.recorded[column.phase]!;
  }

  label(column: Column | Selector): string {
    return column.kind === 'selector' ? columnLabel(column) : this.cs.describeColumn(column);
  }

  /** Record that the open region writes `column` (measure pass and plan checks). */
  touch(column: Column | Selector): void {
    this.touched?.add(columnKey(this.cs, column));
  }

  /** Throws unless 0 ≤ row < usableRows. */
  checkRow(label: string, row: number, where: string): void {
    if (this.measuring) return;
    if (!Number.isSafeInteger(row) || row < 0) {
      throw new AssignmentError(`${where}: expected a non-negative integer row for ${label}, got ${row}`, label, row);
    }
    if (row >= this.usableRows) throw new NotEnoughRowsError(label, row, this.usableRows, this.k, where);
  }

  checkValue(label: string, row: number, v: unknown, where: string): bigint {
    if (typeof v !== 'bigint' || v < 0n || v >= Fr.p) {
      throw new AssignmentError(`${where}: ${label} row ${row}: expected a canonical Fr element in [0, p), got ${String(v)}`, label, row);
    }
    return v;
  }

  adviceArrays(column: AdviceColumn): [bigint[], Uint8Array] {
    let values = this.advice[column.index];
    let mask = this.assigned[column.index];
    if (!values || !mask) {
      values = this.advice[column.index] = new Array<bigint>(this.n).fill(0n);
      mask = this.assigned[column.index] = new Uint8Array(this.n);
    }
    return [values, mask];
  }

  writeAdvice(column: AdviceColumn, row: number, value: Value<bigint> | bigint, where: string): Value<bigint> {
    this.cs.checkColumn(column, where);
    const label = this.label(column);
    this.checkRow(label, row, where);
    const v = value instanceof Value ? value : Value.known(value);
    if (this.isRecorded(column) && !this.measuring) {
      if (!v.isKnown()) {
        throw new AssignmentError(
          `${where}: ${label} row ${row} (phase ${column.phase}) got Value.unknown() while synthesizing the witness`,
          label,
          row,
        );
      }
      const [values, mask] = this.adviceArrays(column);
      values[row] = this.checkValue(label, row, v.get(), where);
      mask[row] = 1;
    }
    return v;
  }

  writeAdviceBulk(column: AdviceColumn, row: number, values: Value<BulkValues>, length: number, where: string): void {
    this.cs.checkColumn(column, where);
    const label = this.label(column);
    this.checkSpan(label, row, length, where);
    if (!this.isRecorded(column) || length === 0 || this.measuring) return;
    if (!values.isKnown()) {
      throw new AssignmentError(`${where}: ${label} rows ${row}…${row + length - 1} (phase ${column.phase}) got Value.unknown() while synthesizing the witness`, label, row);
    }
    const [target, mask] = this.adviceArrays(column);
    this.bulk(label, target, row, values.get(), length, where);
    mask.fill(1, row, row + length);
  }

  writeFixed(column: FixedColumn, row: number, value: bigint, where: string): void {
    if (this.measuring) return;
    const label = this.label(column);
    this.checkRow(label, row, where);
    this.fixed[column.index]![row] = this.checkValue(label, row, value, where);
  }

  writeFixedBulk(column: FixedColumn, row: number, values: BulkValues, where: string): void {
    if (this.measuring) return;
    const label = this.label(column);
    this.checkSpan(label, row, values.length, where);
    this.bulk(label, this.fixed[column.index]!, row, values, values.length, where);
  }

  enableSelector(selector: Selector, row: number, count: number, where: string): void {
    const target = this.selectors[selector.index];
    if (!target || selector.kind !== 'selector') throw new SynthesisError(`${where}: selector[${selector.index}] does not belong to this constraint system`);
    if (this.measuring) return;
    this.checkSpan(this.label(selector), row, count, where);
    target.fill(1, row, row + count);
  }

  /** Record a copy constraint after checking equality and row ranges. */
  copy(a: Cell, b: Cell, where: string): void {
    if (this.measuring || this.skipCopies) return;
    for (const cell of [a, b]) {
      this.cs.checkColumn(cell.column, where);
      const label = this.label(cell.column);
      if (!this.cs.isEqualityEnabled(cell.column)) {
        throw new SynthesisError(`${where}: ${label} is not equality-enabled; call cs.enableEquality(${label}) in configure`);
      }
      this.checkRow(label, cell.row, where);
    }
    this.copies.push(Object.freeze({ a: Object.freeze({ column: a.column, row: a.row }), b: Object.freeze({ column: b.column, row: b.row }) }));
  }

  /** The cell holding `value` in a constants column, placed on first use. */
  constant(value: bigint, where: string): Cell {
    const cached = this.constantCells.get(value);
    if (cached) return cached;
    const columns = this.cs.constants;
    if (columns.length === 0) {
      throw new SynthesisError(`${where}: no constants column; call cs.enableConstant(fixedColumn) in configure`);
    }
    const slot = this.constantCells.size;
    const column = columns[Math.floor(slot / this.usableRows)];
    const row = slot % this.usableRows;
    if (!column) throw new NotEnoughRowsError(this.label(columns[columns.length - 1]!), this.usableRows, this.usableRows, this.k, `${where} (constants)`);
    this.writeFixed(column, row, value, where);
    const cell = Object.freeze({ column, row });
    this.constantCells.set(value, cell);
    return cell;
  }

  /**
   * Publish `cell`'s value in row `row` of a late instance column: a copy
   * constraint ties the two (so a proof with another published value fails
   * the permutation), and when the column's phase is being synthesized the
   * value is stored where the prover reads the column from.
   */
  exposeInstance(cell: Cell, value: Value<bigint>, column: InstanceColumn, row: number, where: string): void {
    this.cs.checkColumn(column, where);
    const label = this.label(column);
    const phase = column.phase ?? 0;
    const length = this.cs.instanceLength(column);
    if (phase === 0 || length === undefined) {
      throw new SynthesisError(`${where}: ${label} is a phase-0 instance column (verifier-supplied); expected a late one (cs.instanceColumn({ phase, length })), or use constrainInstance`);
    }
    if (!Number.isSafeInteger(row) || row < 0 || row >= length) {
      throw new AssignmentError(`${where}: ${label} publishes rows 0…${length - 1}, got row ${row}`, label, row);
    }
    this.copy(cell, { column, row }, where);
    if (this.measuring || !this.witness || !this.recorded[phase] || !this.instance) return;
    if (!value.isKnown()) {
      throw new AssignmentError(`${where}: ${label} row ${row} (phase ${phase}) got Value.unknown() while synthesizing the witness`, label, row);
    }
    this.instance[column.index]![row] = this.checkValue(label, row, value.get(), where);
  }

  instanceValue(column: InstanceColumn, row: number, where: string): Value<bigint> {
    this.cs.checkColumn(column, where);
    this.checkRow(this.label(column), row, where);
    return this.instance && this.witness ? Value.known(this.instance[column.index]![row]!) : Value.unknown();
  }

  challengeValue(challenge: Challenge): Value<bigint> {
    if (this.cs.challenges[challenge.index]?.phase !== challenge.phase) {
      throw new SynthesisError(`getChallenge: challenge[${challenge.index}] does not belong to this constraint system`);
    }
    return Value.fromOptional(this.mode.challenges?.[challenge.index]);
  }

  finish(): Assignment {
    if (this.inRegion) throw new SynthesisError('synthesize: a region is still open');
    const fixed: bigint[][] = [...this.fixed];
    for (const sel of this.selectors) {
      const col = new Array<bigint>(this.n);
      for (let i = 0; i < this.n; i++) col[i] = sel[i] ? 1n : 0n;
      fixed.push(col);
    }
    for (const a of this.cs.advice) if (this.isRecorded(a.column)) this.adviceArrays(a.column);
    const constantRows = this.constantCells.size === 0 ? 0 : Math.min(this.constantCells.size, this.usableRows);
    return {
      k: this.k,
      n: this.n,
      usableRows: this.usableRows,
      rowsUsed: Math.max(this.cursor, this.tableRows, constantRows),
      witness: this.witness,
      phases: this.phases,
      fixed,
      selectors: this.selectors,
      advice: this.advice,
      adviceAssigned: this.assigned,
      instance: this.instance,
      copies: this.copies,
      regions: this.regions,
    };
  }

  checkSpan(label: string, row: number, length: number, where: string): void {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new AssignmentError(`${where}: expected a non-negative integer length for ${label}, got ${length}`, label, row);
    }
    this.checkRow(label, row, where);
    if (length > 0) this.checkRow(label, row + length - 1, where);
  }

  private bulk(label: string, target: bigint[], row: number, values: BulkValues, length: number, where: string): void {
    if (values.length !== length) {
      throw new AssignmentError(`${where}: ${label}: expected ${length} values, got ${values.length}`, label, row);
    }
    const bad = writeBulk(target, row, values);
    if (bad >= 0) {
      throw new AssignmentError(
        `${where}: ${label} row ${row + bad}: expected a canonical Fr element in [0, p), got ${describeEntry(values, bad)}`,
        label,
        row + bad,
      );
    }
  }

  private padInstances(instances: readonly (readonly bigint[])[]): bigint[][] {
    if (instances.length !== this.cs.instance.length) {
      throw new SynthesisError(`synthesize: expected ${this.cs.instance.length} instance columns, got ${instances.length}`);
    }
    return instances.map((values, c) => {
      const label = this.cs.describeColumn({ kind: 'instance', index: c });
      const late = this.cs.instance[c]!;
      if (late.length !== undefined) {
        if (values.length !== 0) {
          throw new SynthesisError(`synthesize: ${label} is a phase-${late.column.phase ?? 0} instance column whose values come from the witness; expected [] for it, got ${values.length} values`);
        }
        if (late.length > this.usableRows) throw new NotEnoughRowsError(label, late.length - 1, this.usableRows, this.k, 'instances');
      }
      if (values.length > this.usableRows) throw new NotEnoughRowsError(label, values.length - 1, this.usableRows, this.k, 'instances');
      const col = new Array<bigint>(this.n).fill(0n);
      values.forEach((v, row) => (col[row] = this.checkValue(label, row, v, 'instances')));
      return col;
    });
  }
}
