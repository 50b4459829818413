/**
 * The circuit side of the IR ops added for imported (ONNX) models; compile.ts
 * and cost.ts call in here from their op switches.
 *
 *   view    no rows: the output's cells are the inputs' cells picked by index
 *           (copy constraints tie them wherever a chip reads them)
 *   rowmax  the row-max chip (max.ts) over [rows, w]: n rows, one range check
 *           of B + 1 bits per entry
 *   fn      one lookup per entry into the function's table over the calibrated
 *           input range: tables.ts (sigmoid, tanh, exp) or lookup-exact.ts
 *           (erf, sqrt); n rows plus the table
 *
 * Chip keys (shared by every node with the same key): `rowmax`, and the
 * function name for `fn` (one range per function per circuit).
 */
import { type AssignedTensor, assignedTensor, type GadgetContext, gather as gatherView, LookupFnChip, reshape as reshapeView, RowMaxChip, tableSize } from '../gadgets/index.js';
import { ExactFnChip } from '../gadgets/lookup-exact.js';
import type { Layouter } from '../plonkish/frontend/index.js';
import { Value } from '../plonkish/frontend/index.js';
import { type GraphNode, GraphError, numel, type TensorInfo } from './ir.js';
import { fnTableFor, type QuantParams } from './quant.js';

/** compile.ts's chip registry: one chip per key (the name, when given, is the chip's column prefix). */
export type ChipRegistry = <T>(key: string, make: (name?: string) => T) => T;
export type ChipLookup = <T>(key: string) => T;

export const IMPORT_OPS = ['view', 'rowmax', 'fn'] as const;

/** The chip key an op uses (undefined: no chip). */
export function importOpChipKey(n: GraphNode): string | undefined {
  if (n.op === 'rowmax') return 'rowmax';
  if (n.op === 'fn') return n.attrs.fn!;
  return undefined;
}

export function configureImportOp(ctx: GadgetContext, q: QuantParams, n: GraphNode, chip: ChipRegistry): void {
  const key = importOpChipKey(n);
  if (n.op === 'rowmax') chip(key!, (name) => RowMaxChip.configure(ctx, { bits: q.bits, name: name ?? key! }));
  if (n.op === 'fn') {
    const t = fnTableFor(q, n.attrs.fn!);
    chip(key!, (name) => (t.kind === 'fn' ? LookupFnChip.configure(ctx, t.spec, name ?? key!) : ExactFnChip.configure(ctx, t.spec, name ?? key!)));
  }
}

/** The concatenation of tensors' cells (a view; all at one scale). */
export function concatView(parts: readonly AssignedTensor[], where: string): AssignedTensor {
  const scale = parts[0]!.scale;
  if (parts.some((t) => t.scale !== scale)) throw new GraphError(`${where}: inputs at different scales (${parts.map((t) => t.scale).join(', ')})`);
  if (parts.length === 1) return reshapeView(parts[0]!, [parts[0]!.cells.length]);
  const cells = parts.flatMap((t) => t.cells);
  const values = Value.all(parts.map((t) => t.values)).map((vs) => {
    const out = new BigInt64Array(cells.length);
    let o = 0;
    for (const v of vs) (out.set(v, o), (o += v.length));
    return out;
  });
  return assignedTensor([cells.length], scale, cells, values);
}

export function synthesizeImportOp(
  layouter: Layouter,
  ctx: GadgetContext,
  n: GraphNode,
  x: readonly AssignedTensor[],
  shape: readonly number[],
  get: ChipLookup,
): AssignedTensor {
  switch (n.op) {
    case 'view':
      return gatherView(concatView(x, `node ${n.name}`), n.attrs.indices!, shape);
    case 'rowmax': {
      const w = x[0]!.shape[x[0]!.shape.length - 1]!;
      const rows = x[0]!.cells.length / w;
      return reshapeView(get<RowMaxChip>('rowmax').assign(layouter, reshapeView(x[0]!, [rows, w])).max, shape);
    }
    case 'fn': {
      const c = get<LookupFnChip | ExactFnChip>(n.attrs.fn!);
      return c instanceof LookupFnChip ? c.assign(layouter, ctx, x[0]!) : c.assign(layouter, x[0]!);
    }
    default:
      throw new GraphError(`node ${n.name}: op ${n.op} is not an import op`);
  }
}

/** Rows of work by chip kind and the table sizes an op needs (cost.ts). */
export function importOpRows(n: GraphNode, info: ReadonlyMap<string, TensorInfo>, q: QuantParams): { rows: Record<string, number>; tables: number[] } {
  const size = numel(info.get(n.inputs[0]!)!.shape);
  switch (n.op) {
    case 'rowmax':
      return { rows: { rowmax: size }, tables: [] };
    case 'fn': {
      const t = fnTableFor(q, n.attrs.fn!);
      return { rows: { [n.attrs.fn!]: size }, tables: [(t.kind === 'fn' ? tableSize(t.spec) : t.spec.max - t.spec.min + 1) + 1] };
    }
    default:
      return { rows: {}, tables: [] };
  }
}
