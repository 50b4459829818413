/**
 * MockProver (halo2's `dev::MockProver`): synthesizes a circuit with its
 * witness and checks the constraints directly on the table, without any
 * cryptography, reporting every failure with names, rows and cell values.
 *
 * What is checked, mirroring what a real proof enforces:
 * - gates on every row 0 … n − 1 (a real proof's quotient covers the whole
 *   domain); advice on unusable rows is blinding, i.e. poison (see
 *   `mock-eval.ts`), so a gate left on there is reported;
 * - for gates with selectors: advice cells read on enabled rows must have
 *   been assigned (halo2's `CellNotAssigned`);
 * - lookups on usable rows: each input tuple must be among the table tuples
 *   of the usable rows;
 * - copy constraints, including instance constraints against the given
 *   public inputs (and against the values a late instance column publishes:
 *   those come from the witness, see `lateInstances`).
 *
 * Challenges are pseudo-random but deterministic (a fixed-seed generator),
 * as in halo2's MockProver; all phases are synthesized in one pass.
 */
import { Fr } from '../../field/bn254.js';
import type { Assignment } from './assignment.js';
import { type Circuit, configure, synthesizeWitness } from './circuit.js';
import type { Cell, ColumnRef } from './columns.js';
import type { CompiledCircuit } from './compiled.js';
import type { ConstraintSystem } from './constraint-system.js';
import { ConstraintFailureError } from './errors.js';
import { type ColumnQuery, formatExpression, formatFieldValue, type NameResolver, queriesOf } from './expression.js';
import { compileRowEvaluator, type MockColumns, mockCellValue, POISON, rotateRow } from './mock-eval.js';
import {
  cellReport,
  compiledNames,
  describeLocation,
  describeValue,
  formatCells,
  formatFailures,
  locate,
  type CopyEndpoint,
  type VerifyFailure,
} from './mock-failures.js';

export interface MockProverOptions {
  /** Challenge values by index (default: deterministic pseudo-random). */
  readonly challenges?: readonly bigint[];
  /** Stop after this many failures (default 1000). */
  readonly maxFailures?: number;
}

/** Deterministic pseudo-random challenges (mulberry32 stream, fixed seed). */
export function mockChallenges(count: number, seed = 0x7a6b7465): bigint[] {
  let state = seed >>> 0;
  const rng = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return Array.from({ length: count }, () => Fr.random(rng));
}

class FailureSink {
  readonly list: VerifyFailure[] = [];
  constructor(readonly limit: number) {}
  get full(): boolean {
    return this.list.length >= this.limit;
  }
  push(f: VerifyFailure): void {
    if (!this.full) this.list.push(f);
  }
}

export class MockProver<Config = unknown> {
  private readonly names: NameResolver;
  private readonly columns: MockColumns;

  private constructor(
    readonly k: number,
    readonly cs: ConstraintSystem,
    readonly config: Config,
    readonly compiled: CompiledCircuit,
    readonly assignment: Assignment,
    readonly challenges: readonly bigint[],
    private readonly maxFailures: number,
  ) {
    this.names = compiledNames(compiled);
    this.columns = {
      n: assignment.n,
      usableRows: assignment.usableRows,
      fixed: assignment.fixed,
      advice: assignment.advice,
      instance: assignment.instance ?? [],
      challenges,
    };
  }

  /** Configure and synthesize `circuit` at n = 2^k with all phases and the given public inputs. */
  static run<Config, Params>(
    k: number,
    circuit: Circuit<Config, Params>,
    instances: readonly (readonly bigint[])[],
    options: MockProverOptions = {},
  ): MockProver<Config> {
    const configured = configure(circuit);
    const challenges = options.challenges ?? mockChallenges(configured.compiled.challenges.length);
    const assignment = synthesizeWitness(circuit, { k, instances, configured, challenges });
    return new MockProver(k, configured.cs, configured.config, configured.compiled, assignment, challenges, options.maxFailures ?? 1000);
  }

  /**
   * The values of the late instance columns (phase > 0) as a real proof
   * would carry them: `length` rows each, taken from the witness, by column
   * index (empty for phase-0 columns, whose values the caller supplied).
   */
  lateInstances(): bigint[][] {
    return this.compiled.instance.map((c) => (c.phase ? (this.assignment.instance?.[c.index] ?? []).slice(0, c.length ?? 0) : []));
  }

  /**
   * Overwrite one cell after synthesis (a testing hook: "a changed cell must
   * fail"). Mutates `assignment`.
   */
  setCell(cell: Cell, value: bigint): void {
    const { kind, index } = cell.column;
    const col = (kind === 'advice' ? this.assignment.advice : kind === 'fixed' ? this.assignment.fixed : this.assignment.instance)?.[index];
    if (!col || cell.row < 0 || cell.row >= this.assignment.n) throw new RangeError(`setCell: no ${kind}[${index}] row ${cell.row}`);
    (col as bigint[])[cell.row] = Fr.create(value);
  }

  /** All failures (up to `maxFailures`), gates first, then lookups, then copies. */
  verify(): VerifyFailure[] {
    const sink = new FailureSink(this.maxFailures);
    this.checkGates(sink);
    this.checkAssigned(sink);
    this.checkLookups(sink);
    this.checkCopies(sink);
    return sink.list;
  }

  /** Throws `ConstraintFailureError` listing the failures, if any. */
  assertSatisfied(): void {
    const failures = this.verify();
    if (failures.length > 0) {
      throw new ConstraintFailureError(`MockProver: ${failures.length} failure(s) at k = ${this.k}:\n${formatFailures(failures)}`, failures);
    }
  }

  private checkGates(sink: FailureSink): void {
    const { n } = this.assignment;
    for (const gate of this.compiled.gates) {
      for (const constraint of gate.constraints) {
        const evaluate = compileRowEvaluator(constraint.expression, this.columns);
        for (let row = 0; row < n && !sink.full; row++) {
          const v = evaluate(row);
          if (v === 0n) continue;
          const location = locate(this.assignment.regions, row, this.assignment.usableRows);
          const cells = queriesOf(constraint.expression).map((q) => {
            const r = rotateRow(row, q.rotation, n);
            return cellReport(this.names, { kind: q.kind, index: q.column }, q.rotation, r, mockCellValue(this.columns, q.kind, q.column, r));
          });
          const value = v === POISON ? undefined : v;
          const what = value === undefined ? 'depends on blinding rows (gate not switched off there)' : `is not satisfied (= ${formatFieldValue(value)})`;
          sink.push({
            kind: 'constraint',
            gate: { index: gate.index, name: gate.name },
            constraint: { index: constraint.index, name: constraint.name },
            location,
            value,
            cells,
            message:
              `Constraint ${constraint.index} "${constraint.name}" of gate ${gate.index} "${gate.name}" ${what} in ${describeLocation(location)}: ` +
              `${formatExpression(constraint.expression, this.names)}; ${formatCells(cells)}`,
          });
        }
      }
    }
  }

  private checkAssigned(sink: FailureSink): void {
    const { n, usableRows, adviceAssigned } = this.assignment;
    for (const gate of this.compiled.gates) {
      if (gate.selectors.length === 0) continue;
      const enabled = gate.selectors.map((s) => this.assignment.selectors[s]!);
      const advice = new Map<string, ColumnQuery>();
      for (const c of gate.constraints) {
        for (const q of queriesOf(c.expression)) if (q.kind === 'advice') advice.set(`${q.column}@${q.rotation}`, q);
      }
      const seen = new Set<string>();
      for (let row = 0; row < usableRows && !sink.full; row++) {
        if (!enabled.some((sel) => sel[row] === 1)) continue;
        for (const q of advice.values()) {
          const r = rotateRow(row, q.rotation, n);
          const mask = adviceAssigned[q.column];
          if (r >= usableRows || !mask || mask[r] === 1 || seen.has(`${q.column}:${r}`)) continue;
          seen.add(`${q.column}:${r}`);
          const location = locate(this.assignment.regions, row, usableRows);
          const label = this.names.column!('advice', q.column);
          sink.push({
            kind: 'cell-not-assigned',
            gate: { index: gate.index, name: gate.name },
            location,
            column: { kind: 'advice', index: q.column },
            rotation: q.rotation,
            row: r,
            message: `Gate ${gate.index} "${gate.name}" enabled in ${describeLocation(location)} reads ${label}@${q.rotation} (row ${r}), which was never assigned`,
          });
        }
      }
    }
  }

  private checkLookups(sink: FailureSink): void {
    const { usableRows } = this.assignment;
    const key = (values: readonly bigint[]) => values.join(',');
    for (const table of this.compiled.lookupTables) {
      const tableEval = table.expressions.map((e) => compileRowEvaluator(e, this.columns));
      const entries = new Set<string>();
      for (let row = 0; row < usableRows; row++) {
        const tuple = tableEval.map((f) => f(row));
        if (!tuple.includes(POISON)) entries.add(key(tuple));
      }
      for (const index of table.lookups) {
        const lookup = this.compiled.lookups[index]!;
        const inputEval = lookup.inputs.map((e) => compileRowEvaluator(e, this.columns));
        const queries = lookup.inputs.flatMap((e) => queriesOf(e));
        for (let row = 0; row < usableRows && !sink.full; row++) {
          const tuple = inputEval.map((f) => f(row));
          const poisoned = tuple.includes(POISON);
          if (!poisoned && entries.has(key(tuple))) continue;
          const location = locate(this.assignment.regions, row, usableRows);
          const cells = queries.map((q) => {
            const r = rotateRow(row, q.rotation, this.assignment.n);
            return cellReport(this.names, { kind: q.kind, index: q.column }, q.rotation, r, mockCellValue(this.columns, q.kind, q.column, r));
          });
          const inputs = tuple.map((v) => (v === POISON ? undefined : v));
          const shown = `(${inputs.map(describeValue).join(', ')})`;
          sink.push({
            kind: 'lookup',
            lookup: { index: lookup.index, name: lookup.name },
            location,
            inputs,
            cells,
            message:
              `Lookup ${lookup.index} "${lookup.name}": input ${shown} ${poisoned ? 'depends on blinding rows' : 'is not in the table'} ` +
              `in ${describeLocation(location)}; ${formatCells(cells)}`,
          });
        }
      }
    }
  }

  private checkCopies(sink: FailureSink): void {
    for (const { a, b } of this.assignment.copies) {
      if (sink.full) return;
      const va = this.cellValue(a);
      const vb = this.cellValue(b);
      if (va === vb) continue;
      const ea = this.endpoint(a, va);
      const eb = this.endpoint(b, vb);
      const instance = a.column.kind === 'instance' || b.column.kind === 'instance';
      const where = (e: CopyEndpoint) => (e.cell.column.kind === 'instance' ? e.label : `${e.label} in ${describeLocation(e.location)}`);
      sink.push({
        kind: instance ? 'instance' : 'copy',
        a: ea,
        b: eb,
        message: `${instance ? 'Instance' : 'Copy'} constraint violated: ${where(ea)} = ${formatFieldValue(va)} but ${where(eb)} = ${formatFieldValue(vb)}`,
      });
    }
  }

  private cellValue(cell: Cell): bigint {
    const v = mockCellValue(this.columns, cell.column.kind, cell.column.index, cell.row);
    return v === POISON ? 0n : v;
  }

  private endpoint(cell: Cell, value: bigint): CopyEndpoint {
    const ref: ColumnRef = { kind: cell.column.kind, index: cell.column.index };
    return {
      cell,
      label: `${this.names.column!(ref.kind, ref.index)} row ${cell.row}`,
      value,
      location: locate(this.assignment.regions, cell.row, this.assignment.usableRows),
    };
  }
}
