/** Helpers shared by several op definitions: broadcasting and concatenation in each of the three worlds. */
import { type AssignedTensor, assignedTensor, gather as gatherView, reshape as reshapeView } from '../../gadgets/index.js';
import { Value } from '../../plonkish/frontend/index.js';
import { GraphError, numel } from '../graph.js';

/** A tensor's cells repeated over `shape` (b's shape is a trailing part of it): a view, no rows. */
export function broadcastTo(b: AssignedTensor, shape: readonly number[]): AssignedTensor {
  return b.cells.length === numel(shape) ? reshapeView(b, shape) : gatherView(b, Array.from({ length: numel(shape) }, (_, i) => i % b.cells.length), shape);
}

/** The concatenation of tensors' cells (a view; all at one scale). */
export function concatView(parts: readonly AssignedTensor[], where: string): AssignedTensor {
  const head = parts[0];
  if (!head) throw new GraphError(`${where}: nothing to concatenate`);
  const scale = head.scale;
  if (parts.some((t) => t.scale !== scale)) throw new GraphError(`${where}: inputs at different scales (${parts.map((t) => t.scale).join(', ')})`);
  if (parts.length === 1) return reshapeView(head, [head.cells.length]);
  const cells = parts.flatMap((t) => t.cells);
  const values = Value.all(parts.map((t) => t.values)).map((vs) => {
    const out = new BigInt64Array(cells.length);
    let o = 0;
    for (const v of vs) (out.set(v, o), (o += v.length));
    return out;
  });
  return assignedTensor([cells.length], scale, cells, values);
}

/** Float arrays end to end. */
export function concatFloat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/** Bigint arrays end to end. */
export function concatBig(parts: readonly BigInt64Array[]): BigInt64Array {
  const out = new BigInt64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}
