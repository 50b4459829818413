/**
 * What the mock prover reports (halo2's `dev::VerifyFailure`): each failure
 * names the gate or lookup, the constraint, the region and offset (or the
 * absolute row outside regions), and the values of the cells involved as
 * `column@rotation = value`, plus a ready-to-print `message`.
 */
import type { RegionInfo } from './assignment.js';
import { regionAt } from './assignment.js';
import type { Cell, ColumnKind, ColumnRef } from './columns.js';
import type { CompiledCircuit } from './compiled.js';
import { formatFieldValue, type NameResolver } from './expression.js';
import { POISON } from './mock-eval.js';

export type FailureLocation =
  | { readonly kind: 'region'; readonly region: RegionInfo; readonly offset: number; readonly row: number }
  /** A row no region covers (unused rows, or the unusable last/blinding rows). */
  | { readonly kind: 'outside'; readonly row: number; readonly unusable: boolean };

/** A queried cell and the value it had; `value` undefined means a blinding (unknown) cell. */
export interface CellReport {
  readonly column: ColumnRef;
  readonly rotation: number;
  /** Absolute row read (after rotation). */
  readonly row: number;
  readonly value: bigint | undefined;
  /** `advice[0]@1 = 5`. */
  readonly text: string;
}

export interface ConstraintFailure {
  readonly kind: 'constraint';
  readonly gate: { readonly index: number; readonly name: string };
  readonly constraint: { readonly index: number; readonly name: string };
  readonly location: FailureLocation;
  /** The constraint's value (undefined: depends on blinding rows). */
  readonly value: bigint | undefined;
  readonly cells: readonly CellReport[];
  readonly message: string;
}

/** A gate is enabled on a row but reads an advice cell that was never assigned. */
export interface CellNotAssignedFailure {
  readonly kind: 'cell-not-assigned';
  readonly gate: { readonly index: number; readonly name: string };
  /** Where the gate is enabled. */
  readonly location: FailureLocation;
  readonly column: ColumnRef;
  readonly rotation: number;
  /** Absolute row of the unassigned cell. */
  readonly row: number;
  readonly message: string;
}

export interface LookupFailure {
  readonly kind: 'lookup';
  readonly lookup: { readonly index: number; readonly name: string };
  readonly location: FailureLocation;
  /** The input tuple (undefined entries depend on blinding rows). */
  readonly inputs: readonly (bigint | undefined)[];
  readonly cells: readonly CellReport[];
  readonly message: string;
}

export interface CopyEndpoint {
  readonly cell: Cell;
  /** `advice[0] row 4` */
  readonly label: string;
  readonly value: bigint;
  readonly location: FailureLocation;
}

/** A violated copy constraint; `instance` when one side is a public input. */
export interface CopyFailure {
  readonly kind: 'copy' | 'instance';
  readonly a: CopyEndpoint;
  readonly b: CopyEndpoint;
  readonly message: string;
}

export type VerifyFailure = ConstraintFailure | CellNotAssignedFailure | LookupFailure | CopyFailure;

/** Labels from a compiled circuit: `advice[0](a)`, selector columns as `selector[2](q_mul)`. */
export function compiledNames(compiled: CompiledCircuit): NameResolver {
  return {
    column(kind: ColumnKind, index: number): string {
      if (kind === 'fixed') {
        const f = compiled.fixed[index];
        if (f?.origin === 'selector') return withName(`selector[${f.selector}]`, f.name);
        return withName(`fixed[${index}]`, f?.name);
      }
      const list = kind === 'advice' ? compiled.advice : compiled.instance;
      return withName(`${kind}[${index}]`, list[index]?.name);
    },
    challenge: (index) => withName(`challenge[${index}]`, compiled.challenges[index]?.name),
  };
}

function withName(label: string, name: string | undefined): string {
  return name === undefined ? label : `${label}(${name})`;
}

export function locate(regions: readonly RegionInfo[], row: number, usableRows: number): FailureLocation {
  const region = regionAt(regions, row);
  if (region) return { kind: 'region', region, offset: row - region.start, row };
  return { kind: 'outside', row, unusable: row >= usableRows };
}

export function describeLocation(l: FailureLocation): string {
  if (l.kind === 'region') return `region "${l.region.name}" (#${l.region.index}) at offset ${l.offset} (row ${l.row})`;
  return `row ${l.row} (${l.unusable ? 'unusable: last/blinding rows' : 'outside any region'})`;
}

export function describeValue(v: bigint | undefined): string {
  return v === undefined || v === POISON ? '<blinding>' : formatFieldValue(v);
}

export function cellReport(names: NameResolver, column: ColumnRef, rotation: number, row: number, raw: bigint): CellReport {
  const value = raw === POISON ? undefined : raw;
  const label = names.column ? names.column(column.kind, column.index) : `${column.kind}[${column.index}]`;
  return { column, rotation, row, value, text: `${label}@${rotation} = ${describeValue(value)}` };
}

export function formatCells(cells: readonly CellReport[]): string {
  return cells.length === 0 ? 'no cells' : cells.map((c) => c.text).join(', ');
}

/** One line per failure, the first `limit` of them. */
export function formatFailures(failures: readonly VerifyFailure[], limit = 20): string {
  const lines = failures.slice(0, limit).map((f, i) => `  ${i + 1}. ${f.message}`);
  if (failures.length > limit) lines.push(`  … and ${failures.length - limit} more`);
  return lines.join('\n');
}
