/**
 * mul: round(a·b / 2^s), b broadcast over a's leading axes. One rounding of
 * the exact product of grid values: ½ ulp. Rows: one per output entry on the
 * mul chip.
 */
import { rescaleSpec } from '../../gadgets/index.js';
import { numel } from '../graph.js';
import { broadcastBig } from '../quant-params.js';
import { elementwiseShape } from './add.js';
import { broadcastTo } from './shared.js';
import { halfUlp, type OpDef } from './types.js';

const MUL = { kind: 'mul' } as const;

export const mul: OpDef = {
  arity: [2, 2],
  inferShape: elementwiseShape,
  evalFloat({ input }) {
    const a = input(0).data;
    const b = input(1).data;
    return a.map((v, i) => v * b[i % b.length]!);
  },
  evalQuant({ input, quant }) {
    const a = input(0).data;
    const b = broadcastBig(input(1).data, a.length);
    return rescaleSpec(a.map((v, i) => v * b[i]!), quant.scale);
  },
  maxError: (_, q) => halfUlp(q),
  chips: () => [MUL],
  cost: (s) => ({ rows: [[MUL, numel(s.output)]], tables: [] }),
  work: (s) => [[MUL, numel(s.output)]],
  synthesize: ({ layouter, chip, input, shape }) => chip(MUL).assign(layouter, input(0), broadcastTo(input(1), shape)),
};
