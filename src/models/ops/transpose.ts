/** transpose: axes permuted by attrs.perm (default: reversed). A view: no rows, no error. */
import { gather as gatherView } from '../../gadgets/index.js';
import { dim, fmtShape, GraphError, type NodeAttrs, transposeIndices } from '../graph.js';
import { NO_COST, type OpDef } from './types.js';

const permOf = (attrs: NodeAttrs, shape: readonly number[]) => attrs.perm ?? shape.map((_, i) => shape.length - 1 - i);

export const transpose: OpDef = {
  arity: [1, 1],
  inferShape({ node, where, real }) {
    const x = real(0);
    const perm = permOf(node.attrs, x);
    if (perm.length !== x.length || [...perm].sort().some((p, i) => p !== i)) throw new GraphError(`${where}: perm ${fmtShape(perm)} is not a permutation of ${x.length} axes`);
    return perm.map((p) => dim(x, p));
  },
  evalFloat({ node, input }) {
    const x = input(0);
    return Float64Array.from(transposeIndices(x.shape, permOf(node.attrs, x.shape)), (src) => x.data[src]!);
  },
  evalQuant({ node, input }) {
    const x = input(0);
    return BigInt64Array.from(transposeIndices(x.shape, permOf(node.attrs, x.shape)), (src) => x.data[src]!);
  },
  maxError: () => 0,
  chips: () => [],
  cost: () => NO_COST,
  work: () => [],
  synthesize({ node, io, input, shape }) {
    const src = io.input(0);
    return gatherView(input(0), transposeIndices(src, permOf(node.attrs, src)), shape);
  },
};
