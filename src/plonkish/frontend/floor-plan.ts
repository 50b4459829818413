/**
 * The packed floor plan (in the spirit of halo2's V1 planner): regions that
 * use disjoint columns may share rows.
 *
 * A circuit opts in with `cs.setFloorPlanner('packed')`. Each synthesis then
 * first runs a measure pass (no values, no row limit) that records, for every
 * region in order, the columns and selectors it writes and its height. The
 * plan gives region i the lowest start row at which all of its footprint
 * columns are free above every earlier region that used them (first fit per
 * column, regions in synthesis order). The footprint of a region is what it
 * writes plus every column that a gate or lookup switched on by one of its
 * selectors queries, so a constraint on a region's rows never reads a cell
 * that another region placed beside it.
 *
 * The plan depends only on the circuit's structure (the measure pass sees no
 * witness), so keygen, every prover phase and the mock prover lay out the
 * same rows; the real pass checks each region against its measurement and
 * throws if a region's shape depends on values.
 */
import type { ConstraintSystem } from './constraint-system.js';
import type { Column, Selector } from './columns.js';
import { forEachLeaf, type ExprNode } from './expression.js';

export type FloorPlanner = 'single-pass' | 'packed';

/** What the measure pass saw of one region. */
export interface MeasuredRegion {
  readonly name: string;
  /** Column keys written (see `columnKey`). */
  readonly keys: ReadonlySet<number>;
  readonly rows: number;
}

export interface FloorPlan {
  /** Start row of each region, by region index. */
  readonly starts: Int32Array;
  /** Height of each region as measured. */
  readonly rows: Int32Array;
  /** Column keys each region may write (its measured keys). */
  readonly keys: readonly ReadonlySet<number>[];
  /** Rows the regions span (max start + rows). */
  readonly height: number;
}

/** One number per advice column, fixed column and selector: advice i → i, fixed i → A + i, selector i → A + F + i. */
export function columnKey(cs: ConstraintSystem, c: Column | Selector): number {
  switch (c.kind) {
    case 'advice':
      return c.index;
    case 'fixed':
      return cs.advice.length + c.index;
    case 'selector':
      return cs.advice.length + cs.fixed.length + c.index;
    default:
      return -1; // instance columns are never written by regions
  }
}

/** For each selector: the column keys queried by the gates and lookups that mention it. */
export function selectorFootprints(cs: ConstraintSystem): Set<number>[] {
  const A = cs.advice.length;
  const F = cs.fixed.length;
  const out = cs.selectors.map(() => new Set<number>());
  const visit = (nodes: readonly ExprNode[]) => {
    const selectors = new Set<number>();
    const columns = new Set<number>();
    for (const n of nodes) {
      forEachLeaf(n, (leaf) => {
        if (leaf.type === 'selector') selectors.add(leaf.selector);
        else if (leaf.type === 'advice') columns.add(leaf.column);
        else if (leaf.type === 'fixed') columns.add(A + leaf.column);
      });
    }
    for (const s of selectors) {
      const set = out[s]!;
      for (const c of columns) set.add(c);
      set.add(A + F + s);
    }
  };
  for (const g of cs.gates) visit(g.constraints.map((c) => c.expression.node));
  for (const l of cs.lookups) visit([...l.inputs.map((e) => e.node), ...(l.dynamic ? l.table.map((e) => e.node) : [])]);
  return out;
}

/** First fit per column, in region order. */
export function planRegions(cs: ConstraintSystem, measured: readonly MeasuredRegion[]): FloorPlan {
  const A = cs.advice.length;
  const F = cs.fixed.length;
  const selectorBase = A + F;
  const footprints = selectorFootprints(cs);
  const high = new Int32Array(A + F + cs.selectors.length);
  const starts = new Int32Array(measured.length);
  const rows = new Int32Array(measured.length);
  let height = 0;
  measured.forEach((r, i) => {
    rows[i] = r.rows;
    if (r.rows === 0) return;
    const foot = new Set<number>(r.keys);
    for (const k of r.keys) if (k >= selectorBase) for (const c of footprints[k - selectorBase]!) foot.add(c);
    let start = 0;
    for (const k of foot) start = Math.max(start, high[k]!);
    const end = start + r.rows;
    for (const k of foot) high[k] = end;
    starts[i] = start;
    height = Math.max(height, end);
  });
  return { starts, rows, keys: measured.map((r) => r.keys), height };
}
