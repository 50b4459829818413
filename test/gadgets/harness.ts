/**
 * Test harness for gadgets: a circuit that loads input tensors, runs one
 * chip, and records the chip's cost; plus the completeness, tamper and cost
 * checks every gadget test shares.
 */
import { mulberry32 } from '../../src/field/random.js';
import { expect } from 'vitest';
import {
  type Cell,
  type Circuit,
  type ConstraintSystem,
  lookupDegree,
  type Layouter,
  MockProver,
  type VerifyFailure,
} from '../../src/plonkish/frontend/index.js';
import { GadgetContext, type GadgetOptions } from '../../src/gadgets/context.js';
import { TensorLoader } from '../../src/gadgets/load.js';
import { type AssignedTensor, type FixedPointTensor } from '../../src/gadgets/tensor.js';

export interface InputSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly scale: number;
}

export interface GadgetCase<Chip> {
  /** Prefix of the chip's gate, lookup and region names. */
  readonly name: string;
  readonly inputs: readonly InputSpec[];
  readonly options?: GadgetOptions;
  configure(ctx: GadgetContext): Chip;
  synthesize(layouter: Layouter, chip: Chip, inputs: AssignedTensor[], ctx: GadgetContext): AssignedTensor[];
}

export interface ChipCost {
  advice: number;
  fixed: number;
  selectors: number;
  gates: number;
  constraints: number;
  lookups: number;
  degree: number;
}

interface Counts {
  advice: number;
  fixed: number;
  selectors: number;
  gates: number;
  lookups: number;
}
const counts = (cs: ConstraintSystem): Counts => ({
  advice: cs.advice.length,
  fixed: cs.fixed.length,
  selectors: cs.selectors.length,
  gates: cs.gates.length,
  lookups: cs.lookups.length,
});

export interface HarnessConfig<Chip> {
  readonly ctx: GadgetContext;
  readonly loader: TensorLoader;
  readonly chip: Chip;
  readonly cost: ChipCost;
}

export class GadgetCircuit<Chip> implements Circuit<HarnessConfig<Chip>, undefined> {
  readonly params = undefined;
  outputs: AssignedTensor[] = [];
  constructor(
    readonly gadget: GadgetCase<Chip>,
    readonly witness?: readonly FixedPointTensor[],
  ) {}

  configure(cs: ConstraintSystem): HarnessConfig<Chip> {
    const ctx = new GadgetContext(cs, this.gadget.options);
    const loader = TensorLoader.configure(ctx);
    const before = counts(cs);
    const chip = this.gadget.configure(ctx);
    const after = counts(cs);
    const gates = cs.gates.slice(before.gates);
    const lookups = cs.lookups.slice(before.lookups);
    const degree = Math.max(
      0,
      ...gates.flatMap((g) => g.constraints.map((c) => c.expression.degree())),
      ...lookups.map((l) => lookupDegree(l.inputs.map((e) => e.node), l.table.map((e) => e.node))),
    );
    const cost: ChipCost = {
      advice: after.advice - before.advice,
      // table columns are counted per table in the cost report, not per chip
      fixed: cs.fixed.slice(before.fixed).filter((f) => f.origin !== 'table').length,
      selectors: after.selectors - before.selectors,
      gates: gates.length,
      constraints: gates.reduce((a, g) => a + g.constraints.length, 0),
      lookups: lookups.length,
      degree,
    };
    return { ctx, loader, chip, cost };
  }

  synthesize(layouter: Layouter, config: HarnessConfig<Chip>): void {
    config.ctx.assignTables(layouter);
    const inputs = this.gadget.inputs.map((spec, i) => config.loader.load(layouter, spec.name, spec.shape, spec.scale, this.witness?.[i]));
    this.outputs = this.gadget.synthesize(layouter, config.chip, inputs, config.ctx);
  }
}

export interface MockRun<Chip> {
  readonly prover: MockProver<HarnessConfig<Chip>>;
  readonly circuit: GadgetCircuit<Chip>;
  readonly outputs: AssignedTensor[];
}

export function runGadget<Chip>(k: number, gadget: GadgetCase<Chip>, witness: readonly FixedPointTensor[]): MockRun<Chip> {
  const circuit = new GadgetCircuit(gadget, witness);
  const prover = MockProver.run(k, circuit, []);
  return { prover, circuit, outputs: circuit.outputs };
}

export function failureName(f: VerifyFailure): string {
  if (f.kind === 'constraint' || f.kind === 'cell-not-assigned') return f.gate.name;
  if (f.kind === 'lookup') return f.lookup.name;
  return f.kind;
}

export function expectSatisfied(prover: MockProver<unknown>): void {
  const failures = prover.verify();
  expect(failures.map((f) => f.message).slice(0, 5)).toEqual([]);
}

/** Every advice cell assigned in regions whose name starts with `prefix` (in the region's own columns when the packed plan recorded them). */
export function regionCells(prover: MockProver<unknown>, prefix: string): Cell[] {
  const a = prover.assignment;
  const out: Cell[] = [];
  for (const r of a.regions) {
    if (!r.name.startsWith(prefix)) continue;
    const own = r.advice ? new Set(r.advice) : undefined;
    a.adviceAssigned.forEach((mask, index) => {
      if (!mask || (own && !own.has(index))) return;
      const column = prover.cs.advice[index]!.column;
      for (let row = r.start; row < r.start + r.rows; row++) if (mask[row] === 1) out.push({ column, row });
    });
  }
  return out;
}

/** Deterministic sample of `count` items (all when fewer). */
export function sample<T>(items: readonly T[], count: number, seed = 1): T[] {
  if (items.length <= count) return [...items];
  let s = seed;
  const out: T[] = [];
  const step = items.length / count;
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push(items[Math.min(items.length - 1, Math.floor(i * step + (s % Math.max(1, Math.floor(step)))))]!);
  }
  return out;
}

/**
 * Changing any of `cells` (to value + 1, and for 0/1 cells also to 1 − v)
 * must make the mock prover fail naming one of the chip's gates or lookups
 * (a name starting with `prefix`). Restores each cell afterwards.
 */
export function expectTamperFails(prover: MockProver<unknown>, cells: readonly Cell[], prefix: string | readonly string[]): void {
  const prefixes = typeof prefix === 'string' ? [prefix] : prefix;
  const advice = prover.assignment.advice;
  for (const cell of cells) {
    const col = advice[cell.column.index] as bigint[];
    const old = col[cell.row]!;
    prover.setCell(cell, old + 1n);
    const failures = prover.verify();
    prover.setCell(cell, old);
    const names = failures.map(failureName);
    const label = `${prover.cs.describeColumn(cell.column)} row ${cell.row}`;
    const same = (c: Cell) => c.column.kind === cell.column.kind && c.column.index === cell.column.index && c.row === cell.row;
    // a copied-in cell may keep the chip's own constraints true (f(x+1) = f(x) in a flat
    // stretch of a table): then its copy constraint is what fails, which is the right report
    const named = failures.some(
      (f) => prefixes.some((p) => failureName(f).startsWith(p)) || ((f.kind === 'copy' || f.kind === 'instance') && (same(f.a.cell) || same(f.b.cell))),
    );
    expect(failures.length, `tampering ${label} should fail`).toBeGreaterThan(0);
    expect(named, `tampering ${label} should fail a "${prefixes.join('|')}" gate or lookup, got ${[...new Set(names)].join('; ')}`).toBe(true);
  }
}

/** Rows used by regions named with `prefix` (the chip's own rows). */
export function chipRows(prover: MockProver<unknown>, prefix: string): number {
  return prover.assignment.regions.filter((r) => r.name.startsWith(prefix)).reduce((a, r) => a + r.rows, 0);
}

export interface CostEntry extends ChipCost {
  rows: number;
  tables: Record<string, number>;
}

export function costOf<Chip>(run: MockRun<Chip>, prefix: string): CostEntry {
  return { rows: chipRows(run.prover, prefix), ...run.prover.config.cost, tables: run.prover.config.ctx.tableRows() };
}

/** Max abs and rel (|err| / max(|ref|, floor)) errors. */
export function errors(got: ArrayLike<number>, want: ArrayLike<number>, floor = 1e-3): { abs: number; rel: number } {
  let abs = 0;
  let rel = 0;
  for (let i = 0; i < got.length; i++) {
    const e = Math.abs(got[i]! - want[i]!);
    abs = Math.max(abs, e);
    rel = Math.max(rel, e / Math.max(Math.abs(want[i]!), floor));
  }
  return { abs, rel };
}

/** mulberry32 */
export function rng(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

/** The committed-weights fold v = Σ γ^i·u_i: row 0 of the fold column `weights.acc` (what the prover opens, hidden). */
export function foldValue(prover: MockProver<unknown>): bigint {
  const acc = prover.compiled.advice.find((c) => c.name === 'weights.acc');
  if (!acc) throw new Error('foldValue: the circuit has no weights.acc column');
  const v = prover.assignment.advice[acc.index]?.[0];
  if (v === undefined) throw new Error('foldValue: weights.acc row 0 is not assigned');
  return v;
}
