/**
 * gelu: GPT-2's tanh form (gelu_new), by lookup into a table over the
 * calibrated input range `quant.gelu` (tables.ts). The table holds the exact
 * value rounded to the output grid: ½ ulp at the quantized input. An input
 * outside the table's range is a QuantRangeError naming the tensor.
 * Rows: one lookup per entry, plus the table (max − min + 1 rows, +1).
 */
import { lookupFnSpec } from '../../gadgets/index.js';
import { numel } from '../graph.js';
import { checkTable, geluTableSpec } from '../quant-params.js';
import { halfUlp, nth, type OpDef } from './types.js';

const GELU = { kind: 'gelu' } as const;

export function geluFloat(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

export const gelu: OpDef = {
  arity: [1, 1],
  inferShape: ({ real }) => real(0),
  evalFloat: ({ input }) => input(0).data.map(geluFloat),
  evalQuant({ node, input, quant, table }) {
    const a = input(0).data;
    const spec = geluTableSpec(quant);
    checkTable(nth(node.inputs, 0, node), a, BigInt(spec.min), BigInt(spec.max), 'gelu', quant, `recalibrate with inputs like this one or widen quant.gelu`);
    return lookupFnSpec(table(spec), a);
  },
  maxError: (_, q) => halfUlp(q),
  chips: () => [GELU],
  cost(s, q) {
    const g = geluTableSpec(q);
    return { rows: [[GELU, numel(s.output)]], tables: [g.max - g.min + 2] };
  },
  work: (s) => [[GELU, numel(s.output)]],
  synthesize: ({ layouter, ctx, chip, input }) => chip(GELU).assign(layouter, ctx, input(0)),
};
