/** slice: rows attrs.start…attrs.end of axis 0. A view: no rows, no error. */
import { gather as gatherView } from '../../gadgets/index.js';
import { dim, fmtShape, GraphError, numel } from '../graph.js';
import { NO_COST, type OpDef } from './types.js';

/** Flat offset of the first entry taken. */
const startOf = (start: number | undefined, shape: readonly number[]) => (start ?? 0) * numel(shape.slice(1));

export const slice: OpDef = {
  arity: [1, 1],
  inferShape({ node, where, real }) {
    const x = real(0);
    const rows = dim(x, 0);
    const { start = 0, end = rows } = node.attrs;
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= rows)) {
      throw new GraphError(`${where}: rows ${start}…${end} are not inside axis 0 of ${fmtShape(x)}`);
    }
    return [end - start, ...x.slice(1)];
  },
  evalFloat({ node, input, shape }) {
    const x = input(0);
    const start = startOf(node.attrs.start, x.shape);
    return x.data.slice(start, start + numel(shape));
  },
  evalQuant({ node, input, shape }) {
    const x = input(0);
    const start = startOf(node.attrs.start, x.shape);
    return x.data.slice(start, start + numel(shape));
  },
  maxError: () => 0,
  chips: () => [],
  cost: () => NO_COST,
  work: () => [],
  synthesize({ node, io, input, shape }) {
    const start = startOf(node.attrs.start, io.input(0));
    return gatherView(input(0), Array.from({ length: numel(shape) }, (_, i) => start + i), shape);
  },
};
