/**
 * A region: a named block of consecutive rows that a gadget fills with
 * offsets relative to its start (halo2's `circuit::Region`). Cells come back
 * as handles with absolute rows. A region is only writable while its closure
 * runs; its height is the largest offset written plus one.
 *
 * `TableAssigner` fills lookup table columns from row 0 (halo2's `Table`).
 */
import { type BulkValues, isBulkValues } from './assignment.js';
import type { AdviceColumn, Cell, Column, FixedColumn, InstanceColumn, Selector, TableColumn } from './columns.js';
import { AssignmentError, SynthesisError } from './errors.js';
import type { LayoutStore } from './layout-store.js';
import { Value, type ValueLike } from './value.js';

/** A cell handle plus the value assigned to it (unknown during keygen). */
export interface AssignedCell extends Cell {
  readonly value: Value<bigint>;
}

/** Consecutive cells of one column written by a bulk assignment. */
export class CellSpan {
  constructor(
    readonly column: Column,
    /** Absolute first row. */
    readonly row: number,
    readonly length: number,
  ) {}
  /** The i-th cell of the span. */
  cell(i: number): Cell {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new RangeError(`CellSpan.cell: expected 0 ≤ i < ${this.length}, got ${i}`);
    }
    return Object.freeze({ column: this.column, row: this.row + i });
  }
}

export class Region {
  private height = 0;
  private open = true;

  constructor(
    private readonly store: LayoutStore,
    readonly index: number,
    readonly name: string,
    /** Absolute row of offset 0. */
    readonly start: number,
  ) {}

  /** Rows used so far (largest written offset + 1). */
  get rows(): number {
    return this.height;
  }

  assignAdvice(column: AdviceColumn, offset: number, value: ValueLike<bigint>): AssignedCell {
    const row = this.use(column, offset, 1);
    const v = this.store.writeAdvice(column, row, value instanceof Value ? value : Value.known(value), this.where());
    return Object.freeze({ column, row, value: v });
  }

  /**
   * Write `values` into rows offset … offset + length − 1 of an advice column
   * in one tight loop (tensors of millions of cells). Pass `Value.unknown()`
   * and an explicit `length` when there is no witness.
   */
  assignAdviceColumn(column: AdviceColumn, offset: number, values: ValueLike<BulkValues>, length?: number): CellSpan {
    const v: Value<BulkValues> = values instanceof Value ? values : Value.known(values);
    const len = length ?? (v.isKnown() ? v.get().length : undefined);
    if (len === undefined) {
      throw new AssignmentError(`${this.where()}: assignAdviceColumn with Value.unknown() needs an explicit length`, this.store.label(column), offset);
    }
    if (v.isKnown() && !isBulkValues(v.get())) {
      throw new AssignmentError(`${this.where()}: assignAdviceColumn expected a bigint[] or integer typed array`, this.store.label(column), offset);
    }
    const row = this.use(column, offset, len);
    this.store.writeAdviceBulk(column, row, v, len, this.where());
    return new CellSpan(column, row, len);
  }

  assignFixed(column: FixedColumn, offset: number, value: bigint): Cell {
    this.checkFixed(column);
    const row = this.use(column, offset, 1);
    this.store.writeFixed(column, row, value, this.where());
    return Object.freeze({ column, row });
  }

  assignFixedColumn(column: FixedColumn, offset: number, values: BulkValues): CellSpan {
    this.checkFixed(column);
    const row = this.use(column, offset, values.length);
    this.store.writeFixedBulk(column, row, values, this.where());
    return new CellSpan(column, row, values.length);
  }

  enableSelector(selector: Selector, offset: number): void {
    this.enableSelectorRange(selector, offset, 1);
  }
  /** Enable a selector on `count` consecutive rows from `offset`. */
  enableSelectorRange(selector: Selector, offset: number, count: number): void {
    const row = this.use(selector, offset, count);
    this.store.enableSelector(selector, row, count, this.where());
  }

  /** Assign a constant into advice and constrain it to the constants column (halo2's `assign_advice_from_constant`). */
  assignAdviceFromConstant(column: AdviceColumn, offset: number, value: bigint): AssignedCell {
    const cell = this.assignAdvice(column, offset, Value.known(value));
    this.store.copy(cell, this.store.constant(value, this.where()), this.where());
    return cell;
  }

  /** Copy a public input into advice, constrained equal to the instance cell. */
  assignAdviceFromInstance(column: AdviceColumn, offset: number, instance: InstanceColumn, row: number): AssignedCell {
    this.checkOpen();
    const value = this.store.instanceValue(instance, row, this.where());
    const cell = this.assignAdvice(column, offset, value);
    this.store.copy(cell, { column: instance, row }, this.where());
    return cell;
  }

  /** Assign `cell`'s value at (column, offset) and constrain both equal (halo2's `copy_advice`). */
  copyAdvice(cell: AssignedCell, column: AdviceColumn, offset: number): AssignedCell {
    const copy = this.assignAdvice(column, offset, cell.value);
    if (!this.store.skipCopies) this.store.copy(cell, copy, this.where());
    return copy;
  }

  constrainEqual(a: Cell, b: Cell): void {
    this.checkOpen();
    if (this.store.skipCopies) return; // the prover's phases: no copies recorded (not even the message is built)
    this.store.copy(a, b, this.where());
  }

  /** Constrain `cell` to equal a constant (placed in the constants column). */
  constrainConstant(cell: Cell, value: bigint): void {
    this.checkOpen();
    this.store.copy(cell, this.store.constant(value, this.where()), this.where());
  }

  /** A handle to (column, offset) of this region, e.g. a cell written in bulk. */
  cell(column: Column, offset: number): Cell {
    this.checkOffset(column, offset);
    this.store.checkRow(this.store.label(column), this.start + offset, this.where());
    return Object.freeze({ column, row: this.start + offset });
  }

  /** Called by the layouter when the closure returns. */
  close(): void {
    this.open = false;
  }

  private where(): string {
    return `region "${this.name}" (#${this.index})`;
  }
  private checkOpen(): void {
    if (!this.open) throw new SynthesisError(`${this.where()}: region is closed; assign cells inside its closure`);
  }
  private checkOffset(column: Column | Selector, offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      const label = this.store.label(column);
      throw new AssignmentError(`${this.where()}: expected a non-negative integer offset for ${label}, got ${offset}`, label, offset);
    }
  }
  private checkFixed(column: FixedColumn): void {
    this.store.cs.checkColumn(column, this.where());
    const origin = this.store.cs.fixed[column.index]!.origin;
    if (origin !== 'fixed') {
      throw new SynthesisError(`${this.where()}: ${this.store.label(column)} is a ${origin} column; fill it with ${origin === 'table' ? 'assignTable' : 'assignConstant'}`);
    }
  }
  /** Validate, grow the region's height, return the absolute row. */
  private use(column: Column | Selector, offset: number, count: number): number {
    this.checkOpen();
    this.checkOffset(column, offset);
    const row = this.start + offset;
    this.store.touch(column);
    if (count > 0) {
      this.store.checkSpan(this.store.label(column), row, count, this.where());
      this.height = Math.max(this.height, offset + count);
    }
    return row;
  }
}

/** Fills lookup table columns from row 0 inside `Layouter.assignTable`. */
export class TableAssigner {
  /** Assigned rows per table column (fixed index → mask). */
  readonly touched = new Map<number, Uint8Array>();

  constructor(
    private readonly store: LayoutStore,
    private readonly where: string,
  ) {}

  assignCell(column: TableColumn, offset: number, value: bigint): void {
    const row = this.check(column, offset, 1);
    this.store.writeFixed(column.column, row, value, this.where);
    this.mask(column)[row] = 1;
  }

  /** Write a whole table column from `offset` (default 0). */
  assignColumn(column: TableColumn, values: BulkValues, offset = 0): void {
    this.check(column, offset, values.length);
    this.store.writeFixedBulk(column.column, offset, values, this.where);
    this.mask(column).fill(1, offset, offset + values.length);
  }

  private check(column: TableColumn, offset: number, count: number): number {
    this.store.cs.checkColumn(column.column, this.where);
    const label = this.store.label(column.column);
    if (column.kind !== 'table' || this.store.cs.fixed[column.index]!.origin !== 'table') {
      throw new SynthesisError(`${this.where}: ${label} is not a lookup table column (use cs.lookupTableColumn())`);
    }
    if (this.store.tablesDone.has(column.index)) {
      throw new SynthesisError(`${this.where}: table column ${label} was already filled by an earlier assignTable`);
    }
    this.store.checkSpan(label, offset, count, this.where);
    return offset;
  }
  private mask(column: TableColumn): Uint8Array {
    let m = this.touched.get(column.index);
    if (!m) this.touched.set(column.index, (m = new Uint8Array(this.store.usableRows)));
    return m;
  }
}
