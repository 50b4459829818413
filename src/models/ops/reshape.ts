/** reshape: the same entries under attrs.shape. A view: no rows, no error. */
import { reshape as reshapeView } from '../../gadgets/index.js';
import { fmtShape, GraphError, numel } from '../graph.js';
import { NO_COST, type OpDef } from './types.js';

export const reshape: OpDef = {
  arity: [1, 1],
  inferShape({ node, where, real }) {
    const shape = node.attrs.shape ?? [];
    if (numel(shape) !== numel(real(0))) throw new GraphError(`${where}: cannot reshape ${fmtShape(real(0))} to ${fmtShape(shape)}`);
    return shape;
  },
  evalFloat: ({ input }) => Float64Array.from(input(0).data),
  evalQuant: ({ input }) => input(0).data,
  maxError: () => 0,
  chips: () => [],
  cost: () => NO_COST,
  work: () => [],
  synthesize: ({ input, shape }) => reshapeView(input(0), shape),
};
