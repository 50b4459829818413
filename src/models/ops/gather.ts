/**
 * gather: embedding lookup, table [V, D] (a weight) by ids [T] → [T, D].
 * The table is a fixed lookup table (so the weights must be fixed), one per
 * table weight; an id outside [0, V) is an error naming the node. Exact.
 * Rows: one per output entry, plus the table (V·D + 1).
 */
import { dim, GraphError, numel } from '../graph.js';
import { QuantRangeError } from '../quant-params.js';
import { nth, type OpDef, type OpShapes } from './types.js';

const chipOf = (s: OpShapes) => ({ kind: 'gather', table: nth(s.node.inputs, 0, s.node) }) as const;

export const gather: OpDef = {
  arity: [2, 2],
  tableInputs: [0],
  inferShape({ node, where, inputs, real }) {
    const table = real(0);
    const ids = nth(inputs, 1, node);
    if (nth(inputs, 0, node).source !== 'weight' || table.length !== 2) {
      throw new GraphError(`${where}: expected a weight table [V, D] as first input`);
    }
    if (ids.kind !== 'ids' || ids.shape.length !== 1) throw new GraphError(`${where}: expected 1-D ids as second input`);
    return [dim(ids.shape, 0), dim(table, 1)];
  },
  evalFloat({ node, input, shape }) {
    const t = input(0);
    const [vocab, d] = [dim(t.shape, 0), dim(t.shape, 1)];
    const out = new Float64Array(numel(shape));
    input(1).data.forEach((id, i) => {
      if (!(Number.isInteger(id) && id >= 0 && id < vocab)) throw new GraphError(`node ${node.name}: token id ${id} outside [0, ${vocab})`);
      out.set(t.data.subarray(id * d, id * d + d), i * d);
    });
    return out;
  },
  evalQuant({ node, input, shape }) {
    const t = input(0);
    const [vocab, d] = [dim(t.shape, 0), dim(t.shape, 1)];
    const out = new BigInt64Array(numel(shape));
    input(1).data.forEach((id, i) => {
      if (!(id >= 0n && id < BigInt(vocab))) throw new QuantRangeError(`node ${node.name}: token id ${id} outside [0, ${vocab})`, nth(node.inputs, 1, node));
      out.set(t.data.subarray(Number(id) * d, Number(id) * d + d), i * d);
    });
    return out;
  },
  maxError: () => 0,
  chips: (s) => [chipOf(s)],
  cost: (s) => ({ rows: [[chipOf(s), numel(s.output)]], tables: [numel(s.input(0)) + 1] }),
  // one fixed table per weight: never replicated
  work: () => [],
  synthesize: ({ io, layouter, chip, input }) => chip(chipOf(io)).assign(layouter, input(1)),
};
