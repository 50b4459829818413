/**
 * Chip replicas. With the packed floor plan (floor-plan.ts) the height of a
 * model circuit is set by its busiest chip: one shared Freivalds chip would
 * stack every matmul of every layer down the same two columns. So each chip
 * kind gets as many replicas (copies with their own columns) as it needs for
 * its work to fit a target height, and the nodes are dealt to the replicas
 * largest first, each to the least loaded one (LPT scheduling; deterministic,
 * from the graph alone, so keygen and proving agree).
 *
 * The target height is 2^16 rows (minus a margin for blinding and the last
 * row) or the smallest power of two that holds the largest single piece of
 * work, whichever is larger: small models keep one replica per chip.
 */
import { type GraphNode, nodeShapes, type TensorInfo, opDef } from './ir.js';
import { chipKey } from './ops/chips.js';

/** Rows kept free below 2^k for blinding and the last row. */
const MARGIN = 64;
export const DEFAULT_TARGET_LOG_ROWS = 16;

/**
 * The replicable chips a node uses (by key) and its rows of work on each: the
 * op definition's `work` (estimates of the busiest column set; the floor plan
 * measures the truth). Chips an op leaves out (tables, row max, fn) keep one copy.
 */
export function chipWork(node: GraphNode, info: ReadonlyMap<string, TensorInfo>): [key: string, rows: number][] {
  return opDef(node.op)
    .work(nodeShapes(node, info))
    .map(([spec, rows]) => [chipKey(spec), rows]);
}

export interface ReplicaPlan {
  /** Replicas per chip key (keys absent here have one). */
  readonly counts: ReadonlyMap<string, number>;
  /** Target rows per replica. */
  readonly targetRows: number;
  /** Largest work estimate of any replica (rows). */
  readonly maxLoad: number;
  /** Replica of `key` that node `index` uses (0 when the key has one replica). */
  replica(index: number, key: string): number;
}

export function planReplicas(nodes: readonly GraphNode[], info: ReadonlyMap<string, TensorInfo>, targetLogRows = DEFAULT_TARGET_LOG_ROWS): ReplicaPlan {
  const work = nodes.map((n) => chipWork(n, info));
  let largest = 0;
  for (const w of work) for (const [, rows] of w) largest = Math.max(largest, rows);
  let log = targetLogRows;
  while (2 ** log - MARGIN < largest) log++;
  const target = 2 ** log - MARGIN;
  const byKey = new Map<string, { node: number; rows: number }[]>();
  work.forEach((w, node) =>
    w.forEach(([key, rows]) => {
      let list = byKey.get(key);
      if (!list) byKey.set(key, (list = []));
      list.push({ node, rows });
    }),
  );
  const counts = new Map<string, number>();
  const assignment = new Map<string, number>();
  let maxLoad = 0;
  for (const [key, items] of byKey) {
    const total = items.reduce((a, i) => a + i.rows, 0);
    const sorted = [...items].sort((a, b) => b.rows - a.rows || a.node - b.node);
    for (let r = Math.max(1, Math.ceil(total / target)); ; r++) {
      const loads = new Array<number>(r).fill(0);
      const chosen = new Map<number, number>();
      for (const it of sorted) {
        let best = 0;
        for (let j = 1; j < r; j++) if (loads[j]! < loads[best]!) best = j;
        loads[best]! += it.rows;
        chosen.set(it.node, best);
      }
      if (Math.max(...loads) <= target || r >= items.length) {
        counts.set(key, r);
        maxLoad = Math.max(maxLoad, ...loads);
        for (const [node, j] of chosen) assignment.set(`${node}:${key}`, j);
        break;
      }
    }
  }
  return {
    counts,
    targetRows: target,
    maxLoad,
    replica: (index, key) => assignment.get(`${index}:${key}`) ?? 0,
  };
}
