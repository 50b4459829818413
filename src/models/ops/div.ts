/**
 * div: a / b entrywise, b a computed (or constant) tensor broadcast over a's
 * leading axes, every divisor positive: y = round(a·2^s / b) at scale s, by
 * the division gadget (gadgets/division.ts: remainder range-checked, so
 * 0 ≤ rem < 2b proves the rounding and b ≥ 1 ulp). Both operands sit on the
 * grid, so the one rounding is the whole error: ½ ulp. A divisor that is
 * zero or negative at the grid is a QuantRangeError naming it (the ONNX
 * import's Div by a computed tensor; a LayerNorm written out as ops is
 * recognised as layernorm instead, onnx-fuse.ts). Rows: one per output entry
 * on the div chip (its range limbs share the row).
 */
import { divSpec } from '../../gadgets/index.js';
import { numel } from '../graph.js';
import { broadcastBig, checkBits, QuantRangeError } from '../quant-params.js';
import { elementwiseShape } from './add.js';
import { broadcastTo } from './shared.js';
import { halfUlp, nth, type OpDef } from './types.js';

const DIV = { kind: 'div' } as const;

export const div: OpDef = {
  arity: [2, 2],
  inferShape: elementwiseShape,
  evalFloat({ input }) {
    const a = input(0).data;
    const b = input(1).data;
    return a.map((v, i) => v / b[i % b.length]!);
  },
  evalQuant({ node, input, quant }) {
    const a = input(0).data;
    const b = broadcastBig(input(1).data, a.length);
    const bad = b.findIndex((v) => v <= 0n);
    if (bad >= 0) {
      const name = nth(node.inputs, 1, node);
      throw new QuantRangeError(`tensor "${name}" (divisor of div ${node.name}): entry ${bad % input(1).data.length} = ${Number(b[bad]!) / 2 ** quant.scale} is not positive at scale 2^${quant.scale}; the division gadget needs divisors ≥ 2^−${quant.scale}`, name);
    }
    const y = divSpec(a, b, quant.scale);
    checkBits(node.name, y, quant);
    return y;
  },
  maxError: (_, q) => halfUlp(q),
  chips: () => [DIV],
  cost: (s) => ({ rows: [[DIV, numel(s.output)]], tables: [] }),
  work: (s) => [[DIV, numel(s.output)]],
  synthesize: ({ layouter, chip, input, shape }) => chip(DIV).assign(layouter, input(0), broadcastTo(input(1), shape)),
};
