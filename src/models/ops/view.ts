/**
 * view: entry i of the output is entry attrs.indices[i] of the concatenation
 * of the inputs (row-major each): concat, slice, pad, im2col, select in one
 * op. No rows and no constraints: the output's cells are the inputs' cells
 * (copy constraints tie them wherever a chip reads them). No error.
 */
import { gather as gatherView } from '../../gadgets/index.js';
import { fmtShape, GraphError, numel } from '../graph.js';
import { concatBig, concatFloat, concatView } from './shared.js';
import { NO_COST, type OpDef } from './types.js';

export const view: OpDef = {
  arity: [1, Infinity],
  inferShape({ node, where, inputs, real }) {
    const total = inputs.reduce((a, _, i) => a + numel(real(i)), 0);
    const shape = node.attrs.shape ?? [];
    const idx = node.attrs.indices ?? [];
    if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) throw new GraphError(`${where}: expected a shape of positive dims, got ${fmtShape(shape)}`);
    if (idx.length !== numel(shape)) throw new GraphError(`${where}: shape ${fmtShape(shape)} needs ${numel(shape)} indices, got ${idx.length}`);
    const bad = idx.findIndex((i) => !(Number.isInteger(i) && i >= 0 && i < total));
    if (bad >= 0) throw new GraphError(`${where}: index ${bad} = ${idx[bad]} is outside the ${total} input entries`);
    return shape;
  },
  evalFloat({ node, x }) {
    const all = concatFloat(x.map((t) => t.data));
    return Float64Array.from(node.attrs.indices ?? [], (src) => all[src]!);
  },
  evalQuant({ node, x }) {
    const all = concatBig(x.map((t) => t.data));
    return BigInt64Array.from(node.attrs.indices ?? [], (src) => all[src]!);
  },
  maxError: () => 0,
  chips: () => [],
  cost: () => NO_COST,
  work: () => [],
  synthesize: ({ node, io, input, shape }) => gatherView(concatView(io.inputs.map((_, i) => input(i)), `node ${node.name}`), node.attrs.indices ?? [], shape),
};
