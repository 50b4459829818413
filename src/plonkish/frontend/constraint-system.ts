/**
 * The constraint system a circuit configures (halo2's
 * `plonk::ConstraintSystem`): columns, selectors, challenges, named gates,
 * lookups, equality-enabled columns, constants columns; and the derived
 * sizes a backend needs (degree, blinding rows, usable rows).
 *
 * Degree (what the quotient's extended domain must accommodate), the max of:
 * - 3: the permutation argument's grand product (halo2's
 *   `permutation::Argument::required_degree`); its columns are chunked in
 *   groups of `degree − 2`;
 * - each gate constraint's `degreeOf`;
 * - each lookup's logUp requirement `2 + d_in + d_table` (see `lookupDegree`);
 * - a user minimum (`setMinimumDegree`), for backends that want headroom.
 *
 * Blinding rows, as halo2 `blinding_factors`: an advice column queried at r
 * distinct rotations reveals r evaluations, the permutation/lookup
 * polynomials at most 3, and multi-open one more: `max(3, r_max) + 1` random
 * rows, plus one row for `l_last`. So `usableRows(n) = n − blindingFactors − 1`.
 */
import type { FloorPlanner } from './floor-plan.js';
import {
  adviceColumn,
  type AdviceColumn,
  type Challenge,
  type Column,
  type ColumnKind,
  type ColumnRef,
  columnLabel,
  fixedColumn,
  type FixedColumn,
  instanceColumn,
  type InstanceColumn,
  isPhase,
  MAX_PHASE,
  type Phase,
  type Selector,
  type TableColumn,
} from './columns.js';
import { compileConstraintSystem, type CompiledCircuit } from './compiled.js';
import { ConstraintSystemError } from './errors.js';
import { degreeOf, Expression, type ExprNode, forEachLeaf } from './expression.js';

/** The permutation argument needs degree 3 (one column per chunk at minimum). */
export const PERMUTATION_MIN_DEGREE = 3;

export interface ColumnOptions {
  /** A label shown in error messages and kept in the compiled circuit. */
  readonly name?: string;
}
export interface AdviceOptions extends ColumnOptions {
  readonly phase?: Phase;
}
/**
 * A phase-0 instance column is supplied by the verifier. A late one
 * (`phase` p > 0) is supplied by the prover from its phase-p witness and
 * needs its `length` (rows published) fixed here, so the proof's shape is
 * decided by the circuit, not by the prover.
 */
export interface InstanceOptions extends ColumnOptions {
  readonly phase?: Phase;
  readonly length?: number;
}

export interface GateConstraint {
  readonly name: string;
  readonly expression: Expression;
}
export interface Gate {
  readonly index: number;
  readonly name: string;
  readonly constraints: readonly GateConstraint[];
}
/** What a `createGate` closure returns per constraint: an expression, optionally named. */
export type ConstraintLike = Expression | readonly [name: string, expression: Expression];

export interface LookupArgument {
  readonly index: number;
  readonly name: string;
  /** false: table is fixed (`lookup`); true: table may query advice/instance (`lookupAny`). */
  readonly dynamic: boolean;
  readonly inputs: readonly Expression[];
  readonly table: readonly Expression[];
}

/** Where a fixed column comes from. */
export type FixedOrigin = 'fixed' | 'table' | 'constant';

/**
 * logUp degree of one lookup (as PSE halo2's mv-lookup): with φ the running
 * sum, f the θ-compressed input and t the table,
 * `(1 − l_last − l_blind)·[(φ(ωX) − φ(X))·(f + β)·(t + β) − (t + β) + m·(f + β)]`
 * has degree `2 + d_in + d_table` (θ and β are challenges, degree 0); at least 3.
 * A backend may batch several inputs of one table into one helper column as
 * long as its own constraint stays within `ConstraintSystem.degree()`.
 */
export function lookupDegree(inputs: readonly ExprNode[], table: readonly ExprNode[]): number {
  const dIn = Math.max(1, ...inputs.map(degreeOf));
  const dTable = Math.max(1, ...table.map(degreeOf));
  return Math.max(3, 2 + dIn + dTable);
}

/** The `meta` handed to gate and lookup closures: builds queries on this system's columns. */
export class VirtualCells {
  constructor(private readonly cs: ConstraintSystem) {}

  query(column: Column | TableColumn, rotation = 0): Expression {
    if (column.kind === 'table') return this.query(column.column, rotation);
    this.cs.checkColumn(column, 'query');
    if (!Number.isSafeInteger(rotation)) {
      throw new ConstraintSystemError(`query: expected an integer rotation, got ${rotation}`);
    }
    if (column.kind === 'advice') {
      return new Expression(Object.freeze({ type: 'advice', column: column.index, phase: column.phase, rotation }));
    }
    return new Expression(Object.freeze({ type: column.kind, column: column.index, rotation }));
  }
  querySelector(selector: Selector): Expression {
    if (!this.cs.selectors[selector.index] || selector.kind !== 'selector') {
      throw new ConstraintSystemError(`querySelector: unknown selector[${selector.index}]`);
    }
    return new Expression(Object.freeze({ type: 'selector', selector: selector.index }));
  }
  queryChallenge(challenge: Challenge): Expression {
    const known = this.cs.challenges[challenge.index];
    if (!known || known.phase !== challenge.phase) {
      throw new ConstraintSystemError(`queryChallenge: unknown challenge[${challenge.index}]`);
    }
    return new Expression(Object.freeze({ type: 'challenge', challenge: challenge.index, phase: challenge.phase }));
  }
}

interface Named<T> {
  readonly column: T;
  readonly name?: string;
}

export class ConstraintSystem {
  readonly advice: Named<AdviceColumn>[] = [];
  readonly fixed: (Named<FixedColumn> & { readonly origin: FixedOrigin })[] = [];
  readonly instance: (Named<InstanceColumn> & { readonly length?: number })[] = [];
  readonly selectors: Named<Selector>[] = [];
  readonly challenges: (Challenge & { readonly name?: string })[] = [];
  readonly gates: Gate[] = [];
  readonly lookups: LookupArgument[] = [];
  /** Equality-enabled columns in enabling order (the permutation's column order). */
  readonly equality: ColumnRef[] = [];
  /** Fixed columns reserved for constants (`assignConstant`), in order of use. */
  readonly constants: FixedColumn[] = [];
  private minimumDegree = 0;
  /** How regions are placed: one after another (default) or packed side by side (floor-plan.ts). */
  floorPlanner: FloorPlanner = 'single-pass';

  /** Choose the floor planner (`'packed'`: regions with disjoint columns share rows). */
  setFloorPlanner(planner: FloorPlanner): void {
    if (planner !== 'single-pass' && planner !== 'packed') throw new ConstraintSystemError(`setFloorPlanner: expected 'single-pass' or 'packed', got ${String(planner)}`);
    this.floorPlanner = planner;
  }

  adviceColumn(options: AdviceOptions = {}): AdviceColumn {
    const phase = options.phase ?? 0;
    if (!isPhase(phase)) throw new ConstraintSystemError(`adviceColumn: expected phase 0…${MAX_PHASE}, got ${String(phase)}`);
    if (phase > 0 && !this.advice.some((a) => a.column.phase === phase - 1)) {
      throw new ConstraintSystemError(`adviceColumn: phase ${phase} needs an advice column of phase ${phase - 1} first`);
    }
    const column = adviceColumn(this.advice.length, phase);
    this.advice.push({ column, name: options.name });
    return column;
  }
  fixedColumn(options: ColumnOptions = {}): FixedColumn {
    return this.pushFixed('fixed', options.name);
  }
  instanceColumn(options: InstanceOptions = {}): InstanceColumn {
    const phase = options.phase ?? 0;
    if (!isPhase(phase)) throw new ConstraintSystemError(`instanceColumn: expected phase 0…${MAX_PHASE}, got ${String(phase)}`);
    if (phase === 0) {
      if (options.length !== undefined) {
        throw new ConstraintSystemError(`instanceColumn: a phase-0 instance column takes its length from the verifier's values, got length ${options.length}`);
      }
      const column = instanceColumn(this.instance.length);
      this.instance.push({ column, name: options.name });
      return column;
    }
    // The values are sent after the phase-p advice commitments: there must be such a round.
    if (!this.advice.some((a) => a.column.phase === phase)) {
      throw new ConstraintSystemError(`instanceColumn: phase ${phase} needs an advice column of phase ${phase} first (its values are sent after that phase's commitments)`);
    }
    const length = options.length;
    if (length === undefined || !Number.isSafeInteger(length) || length < 1) {
      throw new ConstraintSystemError(`instanceColumn: a phase-${phase} instance column needs a length (rows published) ≥ 1, got ${String(length)}`);
    }
    const column = instanceColumn(this.instance.length, phase);
    this.instance.push({ column, name: options.name, length });
    return column;
  }
  /** Rows published by a late instance column (undefined for phase 0 columns). */
  instanceLength(column: InstanceColumn): number | undefined {
    return this.instance[column.index]?.length;
  }
  /** A simple selector (a 0/1 fixed column once compiled). */
  selector(options: ColumnOptions = {}): Selector {
    const selector: Selector = Object.freeze({ kind: 'selector', index: this.selectors.length });
    this.selectors.push({ column: selector, name: options.name });
    return selector;
  }
  /** A fixed column for lookup tables, filled by `Layouter.assignTable` only. */
  lookupTableColumn(options: ColumnOptions = {}): TableColumn {
    const column = this.pushFixed('table', options.name);
    return Object.freeze({ kind: 'table', index: column.index, column });
  }
  /** A challenge drawn after advice of `afterPhase` is committed (halo2's `challenge_usable_after`). */
  challenge(afterPhase: Phase, options: ColumnOptions = {}): Challenge {
    if (!isPhase(afterPhase)) throw new ConstraintSystemError(`challenge: expected phase 0…${MAX_PHASE}, got ${String(afterPhase)}`);
    if (!this.advice.some((a) => a.column.phase === afterPhase)) {
      throw new ConstraintSystemError(`challenge: no advice column of phase ${afterPhase} to draw the challenge after`);
    }
    const challenge = Object.freeze({ kind: 'challenge' as const, index: this.challenges.length, phase: afterPhase });
    this.challenges.push(options.name === undefined ? challenge : { ...challenge, name: options.name });
    return challenge;
  }

  /** Allow copy constraints on `column` (it joins the permutation argument). */
  enableEquality(column: Column | TableColumn): void {
    const c = column.kind === 'table' ? column.column : column;
    this.checkColumn(c, 'enableEquality');
    if (!this.isEqualityEnabled(c)) this.equality.push(Object.freeze({ kind: c.kind, index: c.index }));
  }
  isEqualityEnabled(column: ColumnRef): boolean {
    return this.equality.some((e) => e.kind === column.kind && e.index === column.index);
  }
  /**
   * Reserve a fixed column for constants (halo2's `enable_constant`): it gets
   * equality, and the layouter places each distinct constant there once.
   */
  enableConstant(column: FixedColumn): void {
    this.checkColumn(column, 'enableConstant');
    const info = this.fixed[column.index]!;
    if (info.origin === 'table') throw new ConstraintSystemError(`enableConstant: fixed[${column.index}] is a lookup table column`);
    if (info.origin !== 'constant') {
      this.fixed[column.index] = { ...info, origin: 'constant' };
      this.constants.push(column);
    }
    this.enableEquality(column);
  }

  /** A named gate: every returned polynomial must vanish on every row (halo2's `create_gate`). */
  createGate(name: string, build: (meta: VirtualCells) => readonly ConstraintLike[]): Gate {
    const polys = build(new VirtualCells(this));
    if (polys.length === 0) throw new ConstraintSystemError(`createGate "${name}": expected at least one constraint, got none`);
    const constraints = polys.map((p, i): GateConstraint => {
      const [cname, expression] = p instanceof Expression ? [`${name}[${i}]`, p] : p;
      if (!(expression instanceof Expression)) {
        throw new ConstraintSystemError(`createGate "${name}": constraint ${i} is not an Expression`);
      }
      this.checkExpression(expression.node, `createGate "${name}"`);
      return Object.freeze({ name: cname, expression });
    });
    const gate: Gate = Object.freeze({ index: this.gates.length, name, constraints: Object.freeze(constraints) });
    this.gates.push(gate);
    return gate;
  }

  /**
   * A lookup into a fixed table (halo2's `lookup`): on every usable row the
   * tuple of inputs must equal the tuple of table entries on some usable row.
   * Several pairs form a vector table (compressed with θ by the backend).
   * Rows where a selector switches the input off look up 0 (or the zero
   * tuple), so the table must contain it.
   */
  lookup(name: string, build: (meta: VirtualCells) => readonly (readonly [Expression, TableColumn | FixedColumn | Expression])[]): LookupArgument {
    const meta = new VirtualCells(this);
    const pairs = build(meta).map(([input, table]): [Expression, Expression] => [
      input,
      table instanceof Expression ? table : meta.query(table, 0),
    ]);
    for (const [, t] of pairs) {
      forEachLeaf(t.node, (leaf) => {
        if (leaf.type === 'advice' || leaf.type === 'instance' || leaf.type === 'challenge') {
          throw new ConstraintSystemError(
            `lookup "${name}": expected a fixed table, got a ${leaf.type} query in ${t.toString()}; use lookupAny for dynamic tables`,
          );
        }
      });
    }
    return this.pushLookup(name, pairs, false);
  }
  /** A lookup whose table side may be any expression, advice included (dynamic tables). */
  lookupAny(name: string, build: (meta: VirtualCells) => readonly (readonly [Expression, Expression])[]): LookupArgument {
    return this.pushLookup(name, build(new VirtualCells(this)), true);
  }

  /** Ask for at least this degree (headroom for a backend's own arguments). */
  setMinimumDegree(degree: number): void {
    if (!Number.isInteger(degree) || degree < 1) throw new ConstraintSystemError(`setMinimumDegree: expected an integer ≥ 1, got ${degree}`);
    this.minimumDegree = degree;
  }
  /** Max constraint degree, see the module comment. */
  degree(): number {
    let d = Math.max(PERMUTATION_MIN_DEGREE, this.minimumDegree);
    for (const g of this.gates) for (const c of g.constraints) d = Math.max(d, c.expression.degree());
    for (const l of this.lookups) d = Math.max(d, lookupDegree(l.inputs.map((e) => e.node), l.table.map((e) => e.node)));
    return d;
  }
  /** Number of phases that have advice columns (at least 1). */
  numPhases(): number {
    return 1 + Math.max(0, ...this.advice.map((a) => a.column.phase));
  }
  /** Sorted distinct rotations per column of `kind`, over gates and lookups. */
  queriedRotations(kind: ColumnKind): number[][] {
    const count = kind === 'advice' ? this.advice.length : kind === 'fixed' ? this.fixed.length : this.instance.length;
    const sets = Array.from({ length: count }, () => new Set<number>());
    const visit = (n: ExprNode) =>
      forEachLeaf(n, (l) => {
        if (l.type === kind) sets[l.column]!.add(l.rotation);
      });
    for (const g of this.gates) for (const c of g.constraints) visit(c.expression.node);
    for (const l of this.lookups) for (const e of [...l.inputs, ...l.table]) visit(e.node);
    return sets.map((s) => [...s].sort((a, b) => a - b));
  }
  /** Rows of random values at the end of each advice column (see the module comment). */
  blindingFactors(): number {
    const maxQueries = Math.max(1, ...this.queriedRotations('advice').map((r) => r.length));
    return Math.max(3, maxQueries) + 1;
  }
  /** Smallest n that leaves one usable row (halo2's `minimum_rows`). */
  minimumRows(): number {
    return this.blindingFactors() + 3;
  }
  /** Rows 0 … usableRows(n) − 1 hold the circuit; the rest are `l_last` and blinding rows. */
  usableRows(n: number): number {
    return n - this.blindingFactors() - 1;
  }

  /** The plain description the backend consumes. */
  compile(): CompiledCircuit {
    return compileConstraintSystem(this);
  }

  /** Optional user name of a column. */
  columnName(column: ColumnRef): string | undefined {
    const list = column.kind === 'advice' ? this.advice : column.kind === 'fixed' ? this.fixed : this.instance;
    return list[column.index]?.name;
  }
  /** `advice[2]` or `advice[2](name)`. */
  describeColumn(column: ColumnRef): string {
    const name = this.columnName(column);
    return name === undefined ? columnLabel(column) : `${columnLabel(column)}(${name})`;
  }

  /** Throws unless `column` was created by this system. */
  checkColumn(column: Column, where: string): void {
    const list = column.kind === 'advice' ? this.advice : column.kind === 'fixed' ? this.fixed : column.kind === 'instance' ? this.instance : undefined;
    const known = list?.[column.index]?.column;
    // (an instance handle's phase is implied by its index, as expressions carry none)
    if (!known || (column.kind === 'advice' && (known as AdviceColumn).phase !== column.phase)) {
      throw new ConstraintSystemError(`${where}: ${columnLabel(column)} does not belong to this constraint system`);
    }
  }

  private pushFixed(origin: FixedOrigin, name: string | undefined): FixedColumn {
    const column = fixedColumn(this.fixed.length);
    this.fixed.push({ column, name, origin });
    return column;
  }

  private pushLookup(name: string, pairs: readonly (readonly [Expression, Expression])[], dynamic: boolean): LookupArgument {
    if (pairs.length === 0) throw new ConstraintSystemError(`lookup "${name}": expected at least one (input, table) pair, got none`);
    for (const [input, table] of pairs) {
      this.checkExpression(input.node, `lookup "${name}"`);
      this.checkExpression(table.node, `lookup "${name}"`);
    }
    const lookup: LookupArgument = Object.freeze({
      index: this.lookups.length,
      name,
      dynamic,
      inputs: Object.freeze(pairs.map((p) => p[0])),
      table: Object.freeze(pairs.map((p) => p[1])),
    });
    this.lookups.push(lookup);
    return lookup;
  }

  private checkExpression(n: ExprNode, where: string): void {
    forEachLeaf(n, (l) => {
      if (l.type === 'advice') this.checkColumn(adviceColumn(l.column, l.phase), where);
      else if (l.type === 'fixed') this.checkColumn(fixedColumn(l.column), where);
      else if (l.type === 'instance') this.checkColumn(instanceColumn(l.column), where);
      else if (l.type === 'selector' && !this.selectors[l.selector]) {
        throw new ConstraintSystemError(`${where}: selector[${l.selector}] does not belong to this constraint system`);
      } else if (l.type === 'challenge' && this.challenges[l.challenge]?.phase !== l.phase) {
        throw new ConstraintSystemError(`${where}: challenge[${l.challenge}] does not belong to this constraint system`);
      }
    });
  }
}
