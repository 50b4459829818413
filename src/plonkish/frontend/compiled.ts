/**
 * `CompiledCircuit`: the contract between the frontend and a backend
 * (keygen, prover, verifier). Plain data only — numbers, strings, bigints,
 * arrays and `ExprNode`s — so it can be hashed, serialized
 * (`serializeCompiledCircuit`) and compared for determinism.
 *
 * Conventions a backend relies on:
 * - Fixed columns are numbered: the author's fixed, table and constants
 *   columns in declaration order, then one column per selector
 *   (`selectors[i].fixedColumn`). Compiled expressions contain no `selector`
 *   leaves: each became a `fixed` query at rotation 0 of its column.
 * - Advice columns keep their declaration index and carry their phase; the
 *   prover commits phase 0 columns, draws the challenges of phase 0, commits
 *   phase 1 columns, and so on (`challenges[i].phase`).
 * - Gates hold on every row of the domain (selectors vanish on unusable
 *   rows); lookups hold on usable rows only (inputs and table rows < usable).
 * - `lookupTables` groups lookups whose table expressions are identical:
 *   one multiplicity column per table, inputs batched (logUp).
 * - `permutation.columns` lists equality-enabled columns in order; copy
 *   constraints come with the `Assignment`.
 * - An instance column with `phase` p > 0 is late: the caller passes [] for
 *   it; the prover takes its `length` values from the phase-p witness
 *   (`Assignment.instance`), writes them into the proof right after the
 *   phase-p advice commitments (before that phase's challenges), and both
 *   sides absorb them there. Columns without `phase` are phase 0.
 */
import type { ColumnRef, Phase } from './columns.js';
import { type ConstraintSystem, lookupDegree, PERMUTATION_MIN_DEGREE } from './constraint-system.js';
import { degreeOf, type ExprNode, forEachLeaf, mapLeaves, nodeKey, selectorsOf } from './expression.js';
import { Fr } from '../../field/bn254.js';
import { PlonkishError } from './errors.js';

export const COMPILED_CIRCUIT_FORMAT = 'zktensor/plonkish-circuit';
export const COMPILED_CIRCUIT_VERSION = 1;

export interface CompiledAdviceColumn {
  readonly index: number;
  readonly phase: Phase;
  readonly name?: string;
}
export interface CompiledFixedColumn {
  readonly index: number;
  /** `fixed`: author's; `table`: lookup table; `constant`: constants; `selector`: compiled selector. */
  readonly origin: 'fixed' | 'table' | 'constant' | 'selector';
  /** For `origin: 'selector'`, the selector index. */
  readonly selector?: number;
  readonly name?: string;
}
export interface CompiledInstanceColumn {
  readonly index: number;
  /** Present only for late columns (p > 0), so older circuits serialize as before. */
  readonly phase?: Phase;
  /** Rows a late column publishes (present with `phase`). */
  readonly length?: number;
  readonly name?: string;
}
export interface CompiledSelector {
  readonly index: number;
  /** The fixed column holding its 0/1 values. */
  readonly fixedColumn: number;
  readonly name?: string;
}
export interface CompiledChallenge {
  readonly index: number;
  /** Drawn after the advice of this phase is committed. */
  readonly phase: Phase;
  readonly name?: string;
}
export interface CompiledConstraint {
  readonly index: number;
  readonly name: string;
  /** Selector-free expression that must vanish on every row. */
  readonly expression: ExprNode;
  readonly degree: number;
}
export interface CompiledGate {
  readonly index: number;
  readonly name: string;
  readonly constraints: readonly CompiledConstraint[];
  /** Selector indices the gate queries (empty: the gate is always on). */
  readonly selectors: readonly number[];
}
export interface CompiledLookupTable {
  readonly index: number;
  /** One expression per tuple component (length ≥ 1). */
  readonly expressions: readonly ExprNode[];
  /** true if the table queries advice, instance or challenges (`lookupAny`). */
  readonly dynamic: boolean;
  /** Indices into `lookups` of the lookups into this table. */
  readonly lookups: readonly number[];
}
export interface CompiledLookup {
  readonly index: number;
  readonly name: string;
  /** Index into `lookupTables`. */
  readonly table: number;
  /** One expression per tuple component (same length as the table's). */
  readonly inputs: readonly ExprNode[];
  /** This lookup's logUp degree, 2 + d_in + d_table (≥ 3). */
  readonly degree: number;
}
export interface CompiledPermutation {
  /** Equality-enabled columns in permutation order. */
  readonly columns: readonly ColumnRef[];
  /** Columns per grand-product chunk: degree − 2. */
  readonly chunkSize: number;
}
export interface CompiledQueries {
  /** Sorted distinct rotations per column, from gates and lookups. */
  readonly advice: readonly (readonly number[])[];
  readonly fixed: readonly (readonly number[])[];
  readonly instance: readonly (readonly number[])[];
}
export interface CompiledCircuit {
  readonly format: typeof COMPILED_CIRCUIT_FORMAT;
  readonly version: typeof COMPILED_CIRCUIT_VERSION;
  /** The scalar field modulus (BN254 r). */
  readonly modulus: bigint;
  /** Phases with advice (1 + max advice phase). */
  readonly numPhases: number;
  readonly advice: readonly CompiledAdviceColumn[];
  readonly fixed: readonly CompiledFixedColumn[];
  readonly instance: readonly CompiledInstanceColumn[];
  readonly selectors: readonly CompiledSelector[];
  readonly challenges: readonly CompiledChallenge[];
  readonly gates: readonly CompiledGate[];
  readonly lookupTables: readonly CompiledLookupTable[];
  readonly lookups: readonly CompiledLookup[];
  readonly permutation: CompiledPermutation;
  /** Fixed columns reserved for constants. */
  readonly constants: readonly number[];
  readonly queries: CompiledQueries;
  /** Max constraint degree (see `ConstraintSystem.degree`). */
  readonly degree: number;
  /** Random rows at the end of advice columns; usable rows = n − blindingFactors − 1. */
  readonly blindingFactors: number;
  /** Smallest n accepted. */
  readonly minimumRows: number;
}

function named<T extends object>(base: T, name: string | undefined): T & { name?: string } {
  return name === undefined ? base : { ...base, name };
}

/** Build the compiled description (selectors become trailing fixed columns). */
export function compileConstraintSystem(cs: ConstraintSystem): CompiledCircuit {
  const numFixed = cs.fixed.length;
  const selectorColumn = (s: number) => numFixed + s;
  const lower = (n: ExprNode): ExprNode =>
    mapLeaves(n, (l) => (l.type === 'selector' ? Object.freeze({ type: 'fixed', column: selectorColumn(l.selector), rotation: 0 }) : l));

  const fixed: CompiledFixedColumn[] = cs.fixed.map((f) => named({ index: f.column.index, origin: f.origin }, f.name));
  cs.selectors.forEach((s, i) => fixed.push(named({ index: selectorColumn(i), origin: 'selector' as const, selector: i }, s.name)));

  const gates: CompiledGate[] = cs.gates.map((g) => ({
    index: g.index,
    name: g.name,
    constraints: g.constraints.map((c, i) => ({
      index: i,
      name: c.name,
      expression: lower(c.expression.node),
      degree: c.expression.degree(),
    })),
    selectors: [...new Set(g.constraints.flatMap((c) => selectorsOf(c.expression.node)))].sort((a, b) => a - b),
  }));

  const tables: CompiledLookupTable[] = [];
  const tableByKey = new Map<string, { index: number; lookups: number[] }>();
  const lookups: CompiledLookup[] = cs.lookups.map((l) => {
    const expressions = l.table.map((e) => lower(e.node));
    const key = expressions.map(nodeKey).join('|');
    let entry = tableByKey.get(key);
    if (!entry) {
      entry = { index: tables.length, lookups: [] };
      tableByKey.set(key, entry);
      tables.push({ index: entry.index, expressions, dynamic: expressions.some(isDynamic), lookups: entry.lookups });
    }
    entry.lookups.push(l.index);
    const inputs = l.inputs.map((e) => lower(e.node));
    return { index: l.index, name: l.name, table: entry.index, inputs, degree: lookupDegree(inputs, expressions) };
  });

  const degree = cs.degree();
  const fixedQueries = cs.queriedRotations('fixed');
  // Selector columns are queried at rotation 0 wherever their selector appears.
  const usedSelectors = new Set<number>();
  for (const g of cs.gates) for (const c of g.constraints) selectorsOf(c.expression.node).forEach((s) => usedSelectors.add(s));
  for (const l of cs.lookups) for (const e of [...l.inputs, ...l.table]) selectorsOf(e.node).forEach((s) => usedSelectors.add(s));
  cs.selectors.forEach((_, i) => fixedQueries.push(usedSelectors.has(i) ? [0] : []));

  return {
    format: COMPILED_CIRCUIT_FORMAT,
    version: COMPILED_CIRCUIT_VERSION,
    modulus: Fr.p,
    numPhases: cs.numPhases(),
    advice: cs.advice.map((a) => named({ index: a.column.index, phase: a.column.phase }, a.name)),
    fixed,
    instance: cs.instance.map((c) =>
      named(c.column.phase ? { index: c.column.index, phase: c.column.phase, length: c.length ?? 0 } : { index: c.column.index }, c.name),
    ),
    selectors: cs.selectors.map((s, i) => named({ index: i, fixedColumn: selectorColumn(i) }, s.name)),
    challenges: cs.challenges.map((c) => named({ index: c.index, phase: c.phase }, c.name)),
    gates,
    lookupTables: tables,
    lookups,
    permutation: { columns: cs.equality.map((c) => ({ kind: c.kind, index: c.index })), chunkSize: degree - 2 },
    constants: cs.constants.map((c) => c.index),
    queries: { advice: cs.queriedRotations('advice'), fixed: fixedQueries, instance: cs.queriedRotations('instance') },
    degree: Math.max(degree, PERMUTATION_MIN_DEGREE),
    blindingFactors: cs.blindingFactors(),
    minimumRows: cs.minimumRows(),
  };
}

function isDynamic(n: ExprNode): boolean {
  let dynamic = false;
  forEachLeaf(n, (l) => {
    if (l.type === 'advice' || l.type === 'instance' || l.type === 'challenge') dynamic = true;
  });
  return dynamic;
}

/** Max degree over compiled constraints (a consistency check for backends). */
export function maxGateDegree(c: CompiledCircuit): number {
  return Math.max(0, ...c.gates.flatMap((g) => g.constraints.map((k) => degreeOf(k.expression))));
}

/** The late instance columns (phase > 0) of a compiled circuit, in index order. */
export function lateInstanceColumns(c: CompiledCircuit): { readonly index: number; readonly phase: Phase; readonly length: number }[] {
  return c.instance.flatMap((col) => (col.phase ? [{ index: col.index, phase: col.phase, length: col.length ?? 0 }] : []));
}

/** Usable rows of a compiled circuit at size n = 2^k. */
export function usableRowsOf(c: CompiledCircuit, n: number): number {
  return n - c.blindingFactors - 1;
}

// bigint fields of the format, revived from decimal strings.
const BIGINT_KEYS = new Set(['modulus', 'value', 'factor']);

/** Deterministic JSON (bigints as decimal strings); equal circuits give equal strings. */
export function serializeCompiledCircuit(c: CompiledCircuit): string {
  return JSON.stringify(c, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Inverse of `serializeCompiledCircuit`; rejects other formats and versions. */
export function parseCompiledCircuit(text: string): CompiledCircuit {
  const parsed = JSON.parse(text, (key, v: unknown) =>
    BIGINT_KEYS.has(key) && typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : v,
  ) as Partial<CompiledCircuit>;
  if (parsed.format !== COMPILED_CIRCUIT_FORMAT || parsed.version !== COMPILED_CIRCUIT_VERSION) {
    throw new PlonkishError(
      `parseCompiledCircuit: expected format ${COMPILED_CIRCUIT_FORMAT} v${COMPILED_CIRCUIT_VERSION}, got ${String(parsed.format)} v${String(parsed.version)}`,
    );
  }
  return parsed as CompiledCircuit;
}
