/**
 * add: a + b, b broadcast over a's leading axes. Exact in the circuit (one
 * elementwise add whose result is range-checked to B bits): no error.
 * Rows: one per output entry on the add chip.
 */
import { broadcasts, fmtShape, GraphError, numel } from '../graph.js';
import { broadcastBig } from '../quant-params.js';
import { broadcastTo } from './shared.js';
import type { OpDef } from './types.js';

const ADD = { kind: 'add' } as const;

/** Shape rule of the binary elementwise ops (add, mul): b broadcasts over a. */
export function elementwiseShape({ where, real }: { where: string; real(i: number): readonly number[] }): readonly number[] {
  if (!broadcasts(real(0), real(1))) throw new GraphError(`${where}: ${fmtShape(real(1))} does not broadcast over ${fmtShape(real(0))}`);
  return real(0);
}

export const add: OpDef = {
  arity: [2, 2],
  inferShape: elementwiseShape,
  evalFloat({ input }) {
    const a = input(0).data;
    const b = input(1).data;
    return a.map((v, i) => v + b[i % b.length]!);
  },
  evalQuant({ input }) {
    const a = input(0).data;
    const b = broadcastBig(input(1).data, a.length);
    return a.map((v, i) => v + b[i]!);
  },
  maxError: () => 0,
  chips: () => [ADD],
  cost: (s) => ({ rows: [[ADD, numel(s.output)]], tables: [] }),
  work: (s) => [[ADD, numel(s.output)]],
  synthesize: ({ layouter, chip, input, shape }) => chip(ADD).assign(layouter, input(0), broadcastTo(input(1), shape)),
};
